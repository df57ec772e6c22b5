import Correlate
import Dissect
import Pipeline
import Prometheus

/// sniff's Prometheus metrics. The capture thread updates them (`record`, `refresh`); the
/// HTTP server only reads `registry`, whose counters are atomics and whose histograms take a
/// short lock of their own, so a scrape never waits on the capture, nor the capture on it.
///
/// Label values are bounded: kinds, outcomes, flags and packet classes are closed sets, and
/// servers and relay agents get their own series for the first `endpointLimit` addresses seen
/// each; later ones share the series `other` (a flood of spoofed server identifiers or relay
/// addresses cannot grow the exposition).
public final class DHCPMetrics {
  public let registry = PrometheusCollectorRegistry()
  public static let endpointLimit = 32
  /// Response-time buckets in seconds, from 100 µs (a server on the same host) to 10 s (the
  /// default timeout).
  public static let responseBuckets: [Double] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ]

  private var transactions: [String: Counter] = [:]
  private var flags: [TransactionFlag: Counter] = [:]
  private var servers: [String: EndpointSeries] = [:]
  private var relays: [String: EndpointSeries] = [:]
  private let packets: [PacketClass: Counter]
  private let openTransactions: Gauge
  private let pcapReceived: Counter
  private let pcapDropped: Counter
  private let pcapInterfaceDropped: Counter
  private let cappedEndpoints: [EndpointRole: Counter]
  /// What `refresh` last saw, so counters grow by the difference.
  private var lastCounts = ReadCounts()
  private var lastCapture = CaptureCounters(received: 0, dropped: 0, interfaceDropped: 0)

  /// The label `class` of `dhcpscope_packets_total`.
  enum PacketClass: String, CaseIterable {
    /// DHCP and BOOTP messages (duplicates included).
    case dhcp
    /// Frames the filter passed that carry no DHCP message (fragments included).
    case other
    case malformed
    /// Copies of a DHCP message already seen (a second capture point, a mirror port).
    case duplicate
    /// ICMP destination-unreachable messages quoting a DHCP message.
    case icmpError = "icmp_error"
  }

  enum EndpointRole: String, CaseIterable {
    case server, relay
  }

  /// The series of one server or relay agent.
  struct EndpointSeries {
    var requests: Counter
    var replies: Counter
    var exchanges: Counter
    var answered: Counter
    var responseSeconds: ValueHistogram
  }

  public init(version: String) {
    let registry = registry
    registry.makeGauge(
      descriptor: Self.metric("build_info", help: "dhcpscope's version; always 1."), labels: [("version", version)]
    ).set(to: 1)
    packets = Dictionary(
      uniqueKeysWithValues: PacketClass.allCases.map {
        (
          $0,
          registry.makeCounter(
            descriptor: Self.metric(
              "packets_total", help: "Captured packets by class; duplicates are counted in dhcp too."),
            labels: [("class", $0.rawValue)])
        )
      })
    openTransactions = registry.makeGauge(
      descriptor: Self.metric("open_transactions", help: "Transactions begun and not yet ended."))
    pcapReceived = registry.makeCounter(
      descriptor: Self.metric("pcap_received_total", help: "Packets libpcap received (pcap_stats ps_recv)."))
    pcapDropped = registry.makeCounter(
      descriptor: Self.metric(
        "pcap_dropped_total", help: "Packets the kernel dropped because the capture buffer was full (ps_drop)."))
    pcapInterfaceDropped = registry.makeCounter(
      descriptor: Self.metric(
        "pcap_interface_dropped_total", help: "Packets the interface or its driver dropped (ps_ifdrop)."))
    cappedEndpoints = Dictionary(
      uniqueKeysWithValues: EndpointRole.allCases.map {
        (
          $0,
          registry.makeCounter(
            descriptor: Self.metric(
              "endpoint_label_overflow_total",
              help: "Servers or relays counted under the label value other, beyond the first \(Self.endpointLimit)."),
            labels: [("role", $0.rawValue)])
        )
      })
  }

  /// A transaction as it ends.
  public func record(_ t: TransactionRecord) {
    count(family: "dhcpv4", kind: t.kind, outcome: t.outcome, flags: t.flags)
    for s in t.servers {
      let series = endpoint(s.address.description, role: .server)
      series.requests.increment(by: Int64(s.forwarded))
      series.replies.increment(by: Int64(s.replies))
      series.exchanges.increment(by: Int64(s.askedCount))
      series.answered.increment(by: Int64(s.answeredCount))
      for phase in ExchangePhase.allCases {
        if let ms = s.phaseResponseMilliseconds[phase.rawValue] { series.responseSeconds.record(ms / 1000) }
      }
    }
    for relay in t.relayAgents {
      let activity = t.relayActivity(of: relay)
      let series = endpoint(relay.description, role: .relay)
      series.requests.increment(by: Int64(activity.forwards))
      series.replies.increment(by: Int64(activity.returns))
      if activity.expectsReply {
        series.exchanges.increment()
        if activity.returns > 0 { series.answered.increment() }
      }
      if let ms = activity.responseMilliseconds { series.responseSeconds.record(ms / 1000) }
    }
    let duplicates = t.sequence.lazy.filter(\.isDuplicate).count
    if duplicates > 0 { packets[.duplicate]!.increment(by: Int64(duplicates)) }
  }

  /// A DHCPv6 transaction as it ends: servers by the address they answered from, relays by
  /// link-address.
  public func record(_ t: DHCPv6TransactionRecord) {
    count(family: "dhcpv6", kind: t.kind, outcome: t.outcome, flags: t.flags)
    for s in t.servers {
      let series = endpoint(s.addresses.first?.description ?? "other", role: .server)
      series.requests.increment(by: Int64(s.forwarded))
      series.replies.increment(by: Int64(s.replies))
      series.exchanges.increment(by: Int64(s.asked))
      series.answered.increment(by: Int64(s.answered))
      if let ms = s.responseMilliseconds { series.responseSeconds.record(ms / 1000) }
    }
    for relay in t.relayAgents {
      let series = endpoint(relay.description, role: .relay)
      series.requests.increment(by: Int64(t.sequence.filter { $0.leg == .relayServer && !$0.isDuplicate }.count))
      series.replies.increment(by: Int64(t.sequence.filter { $0.leg == .relayClient && !$0.isDuplicate }.count))
    }
    let duplicates = t.sequence.lazy.filter(\.isDuplicate).count
    if duplicates > 0 { packets[.duplicate]!.increment(by: Int64(duplicates)) }
  }

  private func count(family: String, kind: TransactionKind, outcome: Outcome, flags transactionFlags: [TransactionFlag])
  {
    let key = "\(family) \(kind.rawValue) \(outcome.rawValue)"
    if transactions[key] == nil {
      transactions[key] = registry.makeCounter(
        descriptor: Self.metric(
          "transactions_total", help: "Transactions by protocol family, kind and outcome, counted as they end."),
        labels: [("family", family), ("kind", kind.rawValue), ("outcome", outcome.rawValue)])
    }
    transactions[key]!.increment()
    for flag in transactionFlags {
      if flags[flag] == nil {
        flags[flag] = registry.makeCounter(
          descriptor: Self.metric(
            "transaction_flags_total", help: "Transactions by flag (a transaction may carry several)."),
          labels: [("flag", flag.rawValue)])
      }
      flags[flag]!.increment()
    }
  }

  /// What the reader and libpcap counted so far, and the transactions open now.
  public func refresh(counts: ReadCounts, openTransactions open: Int, capture: CaptureCounters?) {
    func grow(_ counter: Counter, _ now: Int, _ before: Int) {
      if now > before { counter.increment(by: Int64(now - before)) }
    }
    grow(packets[.dhcp]!, counts.dhcp, lastCounts.dhcp)
    grow(packets[.other]!, counts.other + counts.fragments, lastCounts.other + lastCounts.fragments)
    grow(packets[.malformed]!, counts.malformed, lastCounts.malformed)
    grow(packets[.icmpError]!, counts.icmpErrors, lastCounts.icmpErrors)
    lastCounts = counts
    openTransactions.set(Double(open))
    if let capture {
      grow(pcapReceived, capture.received, lastCapture.received)
      grow(pcapDropped, capture.dropped, lastCapture.dropped)
      grow(pcapInterfaceDropped, capture.interfaceDropped, lastCapture.interfaceDropped)
      lastCapture = capture
    }
  }

  /// The exposition, as `/metrics` serves it.
  public func exposition() -> [UInt8] { registry.emitToBuffer() }

  private func endpoint(_ name: String, role: EndpointRole) -> EndpointSeries {
    if let series = role == .server ? servers[name] : relays[name] { return series }
    let count = role == .server ? servers.count : relays.count
    let label = count < Self.endpointLimit ? name : "other"
    if label == "other" { cappedEndpoints[role]!.increment() }
    if let series = role == .server ? servers[label] : relays[label] { return series }
    let series = makeSeries(label, role: role)
    if role == .server { servers[label] = series } else { relays[label] = series }
    return series
  }

  private func makeSeries(_ label: String, role: EndpointRole) -> EndpointSeries {
    let labels = [(role.rawValue, label)]
    let who = role == .server ? "server (by its Server Identifier)" : "relay agent (by giaddr)"
    func counter(_ name: String, _ help: String) -> Counter {
      registry.makeCounter(descriptor: Self.metric("\(role.rawValue)_\(name)", help: help), labels: labels)
    }
    return EndpointSeries(
      requests: counter("requests_total", "Requests sent to the \(who), of any type."),
      replies: counter("replies_total", "Replies from the \(who)."),
      exchanges: counter(
        "exchanges_total", "Exchanges in which the \(who) was sent a request that expects a reply."),
      answered: counter(
        "exchanges_answered_total",
        "Of those exchanges, the ones the \(who) answered: answered / exchanges is its answer rate."),
      responseSeconds: registry.makeValueHistogram(
        descriptor: Self.metric(
          "\(role.rawValue)_response_seconds",
          help: "Time from the first request of an exchange to the \(who)'s first reply."),
        labels: labels, buckets: Self.responseBuckets))
  }

  /// `dhcpscope_` + `name`; the unit is the name's last word (total, seconds, info).
  static func metric(_ name: String, help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(namespace: "dhcpscope", metricName: name, unitName: "", helpText: help)
  }
}
