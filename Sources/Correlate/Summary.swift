import Dissect
import Foundation

/// Response-time statistics in fixed memory: exact count, min and max; median and p95 from a
/// logarithmic histogram with 1 % buckets (as HdrHistogram does, coarser).
public struct LatencyStatistics: Sendable {
  public private(set) var count = 0
  public private(set) var minimum = Double.infinity
  public private(set) var maximum = -Double.infinity
  private var buckets: [Int32: Int] = [:]
  private static let base = 1.01

  public init() {}

  public mutating func add(_ milliseconds: Double) {
    guard milliseconds.isFinite, milliseconds >= 0 else { return }
    count += 1
    minimum = Swift.min(minimum, milliseconds)
    maximum = Swift.max(maximum, milliseconds)
    buckets[Self.bucket(milliseconds), default: 0] += 1
  }

  static func bucket(_ v: Double) -> Int32 {
    v < 0.001 ? Int32.min : Int32((log(v * 1000) / log(base)).rounded(.down))
  }

  /// The q-quantile (0...1), clamped to the exact extremes.
  public func quantile(_ q: Double) -> Double? {
    guard count > 0 else { return nil }
    let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
    var seen = 0
    for key in buckets.keys.sorted() {
      seen += buckets[key]!
      if seen >= rank {
        let value = key == Int32.min ? 0 : pow(Self.base, Double(key) + 0.5) / 1000
        return Swift.min(Swift.max(value, minimum), maximum)
      }
    }
    return maximum
  }
}

/// Counts for one server or one relay agent across the run.
public struct EndpointStatistics: Sendable {
  public var address: IPv4Address
  public var transactions = 0
  public var requests = 0
  public var replies = 0
  public var answered = 0
  public var responseTimes = LatencyStatistics()
  /// Share of the transactions that reached this endpoint in which it answered.
  public var answerRate: Double { transactions == 0 ? 0 : Double(answered) / Double(transactions) }
}

/// libpcap's counters for a live capture.
public struct CaptureCounters: Sendable {
  public var received: Int
  public var dropped: Int
  public var interfaceDropped: Int
  public init(received: Int, dropped: Int, interfaceDropped: Int) {
    self.received = received
    self.dropped = dropped
    self.interfaceDropped = interfaceDropped
  }
}

/// The run's summary, built from each transaction as it ends; memory grows with the number
/// of servers and relays, not with the capture.
public struct Summary: Sendable {
  public var frames = 0
  public var dhcpPackets = 0
  public var otherPackets = 0
  public var malformedPackets = 0
  public var duplicatePackets = 0
  public var transactions = 0
  public var outcomes: [Outcome: Int] = [:]
  public var outcomesByKind: [TransactionKind: [Outcome: Int]] = [:]
  public var flags: [TransactionFlag: Int] = [:]
  public var servers: [EndpointStatistics] = []
  public var relayAgents: [EndpointStatistics] = []
  public var firstPacket: Timestamp?
  public var lastPacket: Timestamp?
  public var evicted = 0
  /// Live capture only: what libpcap received and dropped.
  public var capture: CaptureCounters?
  /// Distinct client hardware addresses, counted exactly up to a cap.
  public private(set) var distinctClients = 0
  public static let clientCountCap = 100_000
  private var clientSet = Set<HardwareAddress>()
  private var serverIndex: [IPv4Address: Int] = [:]
  private var relayIndex: [IPv4Address: Int] = [:]

  public init() {}

  public var clientCountIsCapped: Bool { distinctClients >= Self.clientCountCap }

  public mutating func add(_ t: TransactionRecord) {
    transactions += 1
    outcomes[t.outcome, default: 0] += 1
    outcomesByKind[t.kind, default: [:]][t.outcome, default: 0] += 1
    for f in t.flags { flags[f, default: 0] += 1 }
    duplicatePackets += t.sequence.lazy.filter(\.isDuplicate).count
    if firstPacket == nil || t.firstSeen < firstPacket! { firstPacket = t.firstSeen }
    if lastPacket == nil || t.lastSeen > lastPacket! { lastPacket = t.lastSeen }
    if distinctClients < Self.clientCountCap, clientSet.insert(t.clientMAC).inserted { distinctClients += 1 }

    for s in t.servers {
      let i = index(for: s.address, in: &serverIndex, list: &servers)
      servers[i].transactions += 1
      servers[i].requests += s.forwarded
      servers[i].replies += s.replies
      if s.answered { servers[i].answered += 1 }
      if let r = s.responseMilliseconds { servers[i].responseTimes.add(r) }
    }
    for relay in t.relayAgents {
      let i = index(for: relay, in: &relayIndex, list: &relayAgents)
      let unique = t.sequence.filter { !$0.isDuplicate && $0.giaddr == relay }
      let forwards = unique.filter { $0.leg == .relayServer }
      let returns = unique.filter { $0.leg == .relayClient }
      relayAgents[i].transactions += 1
      relayAgents[i].requests += forwards.count
      relayAgents[i].replies += returns.count
      if !returns.isEmpty { relayAgents[i].answered += 1 }
      if let f = forwards.first, let r = returns.first(where: { $0.timestamp >= f.timestamp }) {
        relayAgents[i].responseTimes.add(r.timestamp.milliseconds(since: f.timestamp))
      }
    }
  }

  private func index(
    for address: IPv4Address, in map: inout [IPv4Address: Int], list: inout [EndpointStatistics]
  ) -> Int {
    if let i = map[address] { return i }
    list.append(EndpointStatistics(address: address))
    map[address] = list.count - 1
    return list.count - 1
  }

  /// Seconds between the first and last DHCP packet.
  public var spanSeconds: Double {
    guard let f = firstPacket, let l = lastPacket else { return 0 }
    return l.milliseconds(since: f) / 1000
  }

  /// A DHCP starvation attack looks like many clients and next to no completed leases.
  public var looksLikeStarvation: Bool {
    let done = (outcomes[.bound] ?? 0) + (outcomes[.nak] ?? 0)
    return distinctClients >= 1000 && Double(done) < 0.05 * Double(transactions)
  }
}
