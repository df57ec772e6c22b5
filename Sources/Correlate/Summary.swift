import Dissect
import Foundation

/// Response-time statistics in bounded memory. Up to `exactLimit` samples are kept, and the
/// median and p95 are true samples (nearest rank). Beyond that a logarithmic histogram with
/// 1 % buckets takes over (as HdrHistogram does, coarser): its estimates are within 0.5 % of
/// a true sample, so they are rounded to three significant digits. Count, minimum and maximum
/// are always exact.
public struct LatencyStatistics: Sendable {
  public static let exactLimit = 10_000
  public private(set) var count = 0
  public private(set) var minimum = Double.infinity
  public private(set) var maximum = -Double.infinity
  private var samples: [Double] = []
  /// Beyond `exactLimit`: how many samples fell in each bucket (`bucket`), by bucket, and
  /// below a microsecond.
  private var buckets: [Int] = []
  private var belowMicrosecond = 0
  private static let base = 1.01
  private static let logBase = log(base)

  public init() {}

  /// Whether the quantiles are exact order statistics.
  public var isExact: Bool { count <= Self.exactLimit }

  public mutating func add(_ milliseconds: Double) {
    var bucket: Int?? = nil
    add(milliseconds, bucket: &bucket)
  }

  /// `add`, for a sample that goes to other statistics too: its histogram bucket (`bucket`,
  /// a logarithm) is worked out when one of them first needs it, and kept in `bucket` for the
  /// others.
  mutating func add(_ milliseconds: Double, bucket: inout Int??) {
    guard milliseconds.isFinite, milliseconds >= 0 else { return }
    count += 1
    minimum = Swift.min(minimum, milliseconds)
    maximum = Swift.max(maximum, milliseconds)
    if count <= Self.exactLimit {
      samples.append(milliseconds)
      return
    }
    if !samples.isEmpty {
      for v in samples { addToBucket(Self.bucket(v)) }
      samples = []
    }
    if bucket == nil { bucket = .some(Self.bucket(milliseconds)) }
    addToBucket(bucket!)
  }

  /// Counts a sample in bucket `b` (nil: below a microsecond).
  private mutating func addToBucket(_ b: Int?) {
    guard let b else {
      belowMicrosecond += 1
      return
    }
    if b >= buckets.count { buckets += repeatElement(0, count: b + 1 - buckets.count) }
    buckets[b] += 1
  }

  /// The histogram's bucket of a sample of a microsecond or more: each 1% wider than the one
  /// before (nil below a microsecond).
  static func bucket(_ v: Double) -> Int? {
    v < 0.001 ? nil : Int((log(v * 1000) / logBase).rounded(.down))
  }

  /// The q-quantile (0...1): the nearest-rank sample while exact, else the histogram's
  /// estimate to three significant digits, clamped to the exact extremes.
  public func quantile(_ q: Double) -> Double? {
    guard count > 0 else { return nil }
    let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
    if isExact { return samples.sorted()[rank - 1] }
    var seen = belowMicrosecond
    if seen >= rank { return Swift.min(Swift.max(0, minimum), maximum) }
    for (key, n) in buckets.enumerated() where n > 0 {
      seen += n
      if seen >= rank {
        let value = pow(Self.base, Double(key) + 0.5) / 1000
        return Swift.min(Swift.max(Self.threeSignificantDigits(value), minimum), maximum)
      }
    }
    return maximum
  }

  static func threeSignificantDigits(_ v: Double) -> Double {
    guard v > 0 else { return v }
    let scale = pow(10, 2 - floor(log10(v)))
    return (v * scale).rounded() / scale
  }
}

/// Counts for one server or one relay agent across the run.
public struct EndpointStatistics: Sendable {
  public var address: IPv4Address
  /// A DHCPv6 server's or relay's address as text (`address` is then 0.0.0.0), and a
  /// server's DUID.
  public var name: String?
  public var duid: [UInt8]?
  /// How reports name it.
  public var displayName: String { name ?? address.description }
  public var transactions = 0
  public var requests = 0
  public var replies = 0
  /// Exchanges (a transaction's DISCOVER→OFFER, REQUEST→ACK, ...) in which it was sent a
  /// request that expects a reply, and those it answered. RELEASE and DECLINE expect none.
  public var asked = 0
  public var answered = 0
  public var responseTimes = LatencyStatistics()
  /// Response times by the kind of reply (servers): an OFFER can wait for a ping check.
  public var phaseTimes: [ExchangePhase: LatencyStatistics] {
    var result: [ExchangePhase: LatencyStatistics] = [:]
    for phase in ExchangePhase.allCases where phaseStatistics[phase.rawValue].count > 0 {
      result[phase] = phaseStatistics[phase.rawValue]
    }
    return result
  }
  var phaseStatistics = PhaseValues(LatencyStatistics())

  /// A response time, counted in all response times and in its phase's.
  mutating func addResponse(_ milliseconds: Double, phase: ExchangePhase) {
    var bucket: Int?? = nil
    responseTimes.add(milliseconds, bucket: &bucket)
    phaseStatistics[phase.rawValue].add(milliseconds, bucket: &bucket)
  }

  /// Share of the exchanges that expected its answer in which it answered; nil when none did.
  public var answerRate: Double? { asked == 0 ? nil : Double(answered) / Double(asked) }
}

/// One relay agent's part in one transaction, from its own packets (not duplicates).
public struct RelayActivity: Sendable {
  /// Messages it forwarded to servers, and replies it returned to the client.
  public var forwards = 0
  public var returns = 0
  /// Whether a forwarded message expects a reply (RELEASE and DECLINE do not).
  public var expectsReply = false
  /// From its first forward to the first reply it returned after it.
  public var responseMilliseconds: Double?
}

extension TransactionRecord {
  public func relayActivity(of relay: IPv4Address) -> RelayActivity {
    var activity = RelayActivity()
    var firstForward: Timestamp?
    for e in sequence where !e.isDuplicate && e.giaddr == relay {
      if e.leg == .relayServer {
        activity.forwards += 1
        if ExchangePhase.of(request: e.messageType) != nil { activity.expectsReply = true }
        if firstForward == nil { firstForward = e.timestamp }
      } else if e.leg == .relayClient {
        activity.returns += 1
        if let f = firstForward, activity.responseMilliseconds == nil, e.timestamp >= f {
          activity.responseMilliseconds = e.timestamp.milliseconds(since: f)
        }
      }
    }
    return activity
  }
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
  /// ICMP destination-unreachable messages that quote a DHCP message.
  public var icmpErrors = 0
  /// DHCPv6 messages (UDP 546/547), as `dhcpPackets` counts DHCPv4 ones.
  public var dhcpv6Packets = 0
  public var malformedByReason: [Malformed.Reason: Int] = [:]
  public var duplicatePackets = 0
  public var transactions = 0
  /// Transactions by outcome, by kind and outcome, and by flag; only those seen.
  public var outcomes: [Outcome: Int] { Self.nonzero(outcomeCounts, Self.allOutcomes) }
  public var outcomesByKind: [TransactionKind: [Outcome: Int]] {
    var result: [TransactionKind: [Outcome: Int]] = [:]
    for (k, kind) in Self.allKinds.enumerated() {
      let counts = Array(kindOutcomeCounts[(k * Self.allOutcomes.count)...].prefix(Self.allOutcomes.count))
      let byOutcome = Self.nonzero(counts, Self.allOutcomes)
      if !byOutcome.isEmpty { result[kind] = byOutcome }
    }
    return result
  }
  public var flags: [TransactionFlag: Int] { Self.nonzero(flagCounts, Self.allFlags) }
  public var servers: [EndpointStatistics] = []
  public var relayAgents: [EndpointStatistics] = []
  public var firstPacket: Timestamp?
  public var lastPacket: Timestamp?
  public var evicted = 0
  /// With a packet filter (`-f`): transactions it left without the client's packets or
  /// without the relay's and servers' (nil without a filter).
  public var oneSidedByFilter: Int?
  /// One per input file: its packets and time span, and its clock's offset from the first
  /// file's as estimated from messages seen in both (`summary.captures`).
  public var captures: [CaptureFileSummary] = []
  /// Live capture only: what libpcap received and dropped.
  public var capture: CaptureCounters?
  private var clients = DistinctCount()
  /// Distinct client hardware addresses: exact up to 100 000, estimated beyond.
  public var distinctClients: Int { clients.count }
  public var clientCountIsEstimate: Bool { clients.isEstimate }
  /// Outcomes per relay agent circuit id and remote id (option 82), so a bad switch port
  /// stands out; at most `identifierLimit` each, the rest under one `nil` key.
  public var circuits: [[UInt8]?: [Outcome: Int]] {
    circuitCounts.table.mapValues { Self.nonzero($0, Self.allOutcomes) }
  }
  public var remotes: [[UInt8]?: [Outcome: Int]] {
    remoteCounts.table.mapValues { Self.nonzero($0, Self.allOutcomes) }
  }
  /// Per identifier, counts indexed like `allOutcomes`.
  private var circuitCounts = IdentifierCounts()
  private var remoteCounts = IdentifierCounts()
  public static let identifierLimit = 1000
  private var serverIndex: [IPv4Address: Int] = [:]
  private var relayIndex: [IPv4Address: Int] = [:]
  /// DHCPv6 servers by DUID (or address before one answered), relays by address.
  private var serverIndex6: [String: Int] = [:]
  private var relayIndex6: [String: Int] = [:]

  // Static helpers take the tables `inout`: a method on `self` given `&self.table` makes Swift
  // copy the whole summary for the call, and the copy makes every table copy on write.
  // Counters in plain arrays, indexed by case: `add` runs once per transaction, and a
  // dictionary update (a nested one for kind and outcome) costs more than the rest of it.
  static let allOutcomes = Outcome.allCases
  private static let allKinds = TransactionKind.allCases
  private static let allFlags = TransactionFlag.allCases
  private var outcomeCounts = [Int](repeating: 0, count: allOutcomes.count)
  private var kindOutcomeCounts = [Int](repeating: 0, count: allKinds.count * allOutcomes.count)
  private var flagCounts = [Int](repeating: 0, count: allFlags.count)

  private static func position<T: Equatable>(of value: T, in cases: [T]) -> Int {
    cases.firstIndex(of: value)!
  }

  private static func nonzero<T: Hashable>(_ counts: [Int], _ cases: [T]) -> [T: Int] {
    var result: [T: Int] = [:]
    for (i, count) in counts.enumerated() where count > 0 { result[cases[i]] = count }
    return result
  }

  public init() {}

  public mutating func add(_ t: TransactionRecord) {
    let outcome = count(
      kind: t.kind, outcome: t.outcome, flags: t.flags, duplicates: t.sequence.lazy.filter(\.isDuplicate).count,
      from: t.firstSeen, to: t.lastSeen)
    clients.insert(t.clientMAC)
    if let info = t.relayAgentInformation {
      if let c = info.circuitID { circuitCounts.count(outcome, for: c) }
      if let r = info.remoteID { remoteCounts.count(outcome, for: r) }
    }

    for s in t.servers {
      let i = Self.index(for: s.address, in: &serverIndex, list: &servers)
      servers[i].transactions += 1
      servers[i].requests += s.forwarded
      servers[i].replies += s.replies
      servers[i].asked += s.askedCount
      servers[i].answered += s.answeredCount
      for phase in ExchangePhase.allCases {
        guard let r = s.phaseResponseMilliseconds[phase.rawValue] else { continue }
        servers[i].addResponse(r, phase: phase)
      }
    }
    for relay in t.relayAgents {
      let i = Self.index(for: relay, in: &relayIndex, list: &relayAgents)
      let activity = t.relayActivity(of: relay)
      relayAgents[i].transactions += 1
      relayAgents[i].requests += activity.forwards
      relayAgents[i].replies += activity.returns
      if activity.expectsReply {
        relayAgents[i].asked += 1
        if activity.returns > 0 { relayAgents[i].answered += 1 }
      }
      if let r = activity.responseMilliseconds { relayAgents[i].responseTimes.add(r) }
    }
  }

  /// A DHCPv6 transaction: counted with DHCPv4's in the totals, outcomes, kinds and flags;
  /// its servers and relays listed after DHCPv4's.
  public mutating func add(_ t: DHCPv6TransactionRecord) {
    _ = count(
      kind: t.kind, outcome: t.outcome, flags: t.flags, duplicates: t.sequence.lazy.filter(\.isDuplicate).count,
      from: t.firstSeen, to: t.lastSeen)
    clients.insert(t.clientMAC ?? HardwareAddress(Array((t.clientDUID ?? []).suffix(16))))
    for s in t.servers {
      let key = s.duid.map { Hex.string($0) } ?? s.addresses.first?.description ?? "?"
      let i = Self.index(key, in: &serverIndex6, list: &servers)
      servers[i].name = servers[i].name ?? s.addresses.first?.description
      servers[i].duid = s.duid
      servers[i].transactions += 1
      servers[i].requests += s.forwarded
      servers[i].replies += s.replies
      servers[i].asked += s.asked
      servers[i].answered += s.answered
      if let r = s.responseMilliseconds { servers[i].responseTimes.add(r) }
    }
    // Relay k from the client's side forwards with k + 1 layers and returns replies with k.
    let own = t.sequence.filter { !$0.isDuplicate }
    for (k, relay) in t.relayAgents.enumerated() {
      let i = Self.index(relay.description, in: &relayIndex6, list: &relayAgents)
      relayAgents[i].name = relay.description
      let forwards = own.filter { !$0.isReply && $0.relayLayers == k + 1 }
      let returns = own.filter {
        $0.isReply && $0.relayLayers == k && $0.leg != .serverRelay && $0.leg != .serverClient
      }
      relayAgents[i].transactions += 1
      relayAgents[i].requests += forwards.count
      relayAgents[i].replies += returns.count
      if !forwards.isEmpty {
        relayAgents[i].asked += 1
        if !returns.isEmpty { relayAgents[i].answered += 1 }
      }
      if let f = forwards.first, let r = returns.first(where: { $0.timestamp >= f.timestamp }) {
        relayAgents[i].responseTimes.add(r.timestamp.milliseconds(since: f.timestamp))
      }
    }
  }

  /// The counts every transaction adds, whatever its family; returns its outcome's position.
  private mutating func count(
    kind: TransactionKind, outcome: Outcome, flags: [TransactionFlag], duplicates: Int, from first: Timestamp,
    to last: Timestamp
  ) -> Int {
    transactions += 1
    let outcome = Self.position(of: outcome, in: Self.allOutcomes)
    outcomeCounts[outcome] += 1
    kindOutcomeCounts[Self.position(of: kind, in: Self.allKinds) * Self.allOutcomes.count + outcome] += 1
    for f in flags { flagCounts[Self.position(of: f, in: Self.allFlags)] += 1 }
    duplicatePackets += duplicates
    if firstPacket == nil || first < firstPacket! { firstPacket = first }
    if lastPacket == nil || last > lastPacket! { lastPacket = last }
    return outcome
  }

  private static func index(_ key: String, in map: inout [String: Int], list: inout [EndpointStatistics]) -> Int {
    if let i = map[key] { return i }
    list.append(EndpointStatistics(address: .zero))
    map[key] = list.count - 1
    return list.count - 1
  }

  private static func index(
    for address: IPv4Address, in map: inout [IPv4Address: Int], list: inout [EndpointStatistics]
  ) -> Int {
    // A run has a handful of servers and relays: a scan beats hashing the address.
    if list.count <= 8 {
      if let i = list.firstIndex(where: { $0.address == address }) { return i }
    } else if let i = map[address] {
      return i
    }
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

/// An input file in the summary: what it held and how its clock was aligned.
public struct CaptureFileSummary: Sendable {
  public var file: String
  /// The capture point's name (`FILE@NAME`), if given.
  public var point: String?
  public var packets: Int
  public var first: Timestamp?
  public var last: Timestamp?
  /// Milliseconds its clock runs ahead of the first file's (0 for the first; nil when no
  /// message matched).
  public var clockOffsetMilliseconds: Double?
  public var offsetUncertaintyMilliseconds: Double?
  public var matchedMessages: Int
  /// Whether its times were corrected by the offset (not with `--no-align`).
  public var aligned: Bool

  public init(
    file: String, point: String?, packets: Int, first: Timestamp?, last: Timestamp?,
    clockOffsetMilliseconds: Double?, offsetUncertaintyMilliseconds: Double?, matchedMessages: Int, aligned: Bool
  ) {
    self.file = file
    self.point = point
    self.packets = packets
    self.first = first
    self.last = last
    self.clockOffsetMilliseconds = clockOffsetMilliseconds
    self.offsetUncertaintyMilliseconds = offsetUncertaintyMilliseconds
    self.matchedMessages = matchedMessages
    self.aligned = aligned
  }
}

/// Outcome counts by relay agent identifier (circuit id or remote id): at most
/// `Summary.identifierLimit` identifiers, the rest under one `nil` key.
private struct IdentifierCounts {
  /// Each identifier's row of `counts`.
  private var rows: [[UInt8]?: Int] = [:]
  /// Outcome counts, a row of `Summary.allOutcomes.count` per identifier.
  private var counts: [Int] = []
  /// The identifier counted last and its row: relayed transactions come from a few ports in
  /// runs, and comparing a few bytes beats hashing them.
  private var last: (id: [UInt8], row: Int)?

  /// Outcome counts, in `Summary.allOutcomes` order, by identifier.
  var table: [[UInt8]?: [Int]] {
    let n = Summary.allOutcomes.count
    return rows.mapValues { Array(counts[$0 * n..<($0 + 1) * n]) }
  }

  mutating func count(_ outcome: Int, for id: [UInt8]) {
    let row: Int
    if let last, last.id == id {
      row = last.row
    } else {
      let key: [UInt8]? = rows.count < Summary.identifierLimit || rows[id] != nil ? id : nil
      if let known = rows[key] {
        row = known
      } else {
        row = rows.count
        rows[key] = row
        counts += repeatElement(0, count: Summary.allOutcomes.count)
      }
      last = (id, row)
    }
    counts[row * Summary.allOutcomes.count + outcome] += 1
  }
}
