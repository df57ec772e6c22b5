import Dissect

/// Puts DHCPv6 packets together into transactions, as `Correlator` does for DHCPv4, by packet
/// time. An exchange is a client's DUID and a transaction id; a SARR is two exchanges
/// (Solicit/Advertise, Request/Reply), tied because the Request names, in its Server
/// Identifier, a server that advertised to the same client. A transaction closes its grace
/// period after a REPLY, after `idleSeconds` without a packet, at the cap on open
/// transactions (the oldest goes), or at the end of input.
public struct DHCPv6Correlator {
  public let configuration: CorrelatorConfiguration
  @usableFromInline var open: [Int: Pending] = [:]
  private var exchanges: [ExchangeKey: Int] = [:]
  private var nextSerial = 0
  private var closed: [DHCPv6TransactionRecord] = []
  private var closedRead = 0
  private var clock: Timestamp?
  private var lastExpiry: Timestamp?
  private var captureStart: Timestamp?

  struct ExchangeKey: Hashable {
    var duid: [UInt8]
    var xid: UInt32
  }

  @usableFromInline struct Pending {
    var serial: Int
    var sightings: [DHCPv6Sighting] = []
    var keys: [ExchangeKey] = []
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    var finalReplyAt: Timestamp?
  }

  public init(configuration: CorrelatorConfiguration = CorrelatorConfiguration()) {
    self.configuration = configuration
  }

  /// Inlinable: asked after every DHCPv4 packet, from another module, which copied the whole
  /// correlator to call a property that was not.
  @inlinable public var openCount: Int { open.count }

  /// How long a transaction stays open without a packet. A DHCPv6 client doubles its
  /// retransmission interval (RFC 8415 §15: 1, 2, 4, 8 s … for SOLICIT), so its copies of one
  /// message stay one transaction for 30 s of silence, or --timeout when that is longer; the
  /// verdict still times each request against --timeout.
  static func idleSeconds(_ c: CorrelatorConfiguration) -> Double { max(c.timeoutSeconds, 30) }
  /// When the oldest transaction still open began (nil: none is open).
  public var oldestOpenStart: Timestamp? { open.values.lazy.map(\.firstSeen).min() }

  public mutating func push(_ s: DHCPv6Sighting) {
    if captureStart == nil { captureStart = s.timestamp }
    advance(to: s.timestamp)
    let key = ExchangeKey(duid: s.clientDUID ?? [], xid: s.xid)
    var serial = exchanges[key]
    if serial == nil, s.messageType == DHCPv6MessageType.request, let named = s.serverDUID {
      // The Request's exchange joins the Solicit/Advertise whose server it names.
      serial =
        open.values.first { p in
          p.keys.first?.duid == key.duid
            && p.sightings.contains { $0.messageType == DHCPv6MessageType.advertise && $0.serverDUID == named }
            && !p.sightings.contains { $0.messageType == DHCPv6MessageType.request }
        }?.serial
      if let serial {
        exchanges[key] = serial
        open[serial]!.keys.append(key)
      }
    }
    if serial == nil {
      if open.count >= configuration.maximumTracked, let oldest = open.values.min(by: { $0.firstSeen < $1.firstSeen }) {
        close(oldest.serial, evicted: true)
      }
      let new = nextSerial
      nextSerial += 1
      open[new] = Pending(serial: new, keys: [key], firstSeen: s.timestamp, lastSeen: s.timestamp)
      exchanges[key] = new
      serial = new
    }
    open[serial!]!.sightings.append(s)
    open[serial!]!.lastSeen = max(open[serial!]!.lastSeen, s.timestamp)
    if s.messageType == DHCPv6MessageType.reply, open[serial!]!.finalReplyAt == nil {
      open[serial!]!.finalReplyAt = s.timestamp
    }
  }

  /// Lets packet time (or, live, the clock) pass: transactions past their grace or their
  /// timeout close. Checked at most twice a second of packet time.
  public mutating func advance(to now: Timestamp) {
    if clock == nil || now > clock! { clock = now }
    guard !open.isEmpty else { return }
    if let last = lastExpiry, now.milliseconds(since: last) < 500 { return }
    lastExpiry = now
    for (serial, p) in open {
      if let final = p.finalReplyAt, now.milliseconds(since: final) > configuration.graceSeconds * 1000 {
        close(serial)
      } else if now.milliseconds(since: p.lastSeen) > Self.idleSeconds(configuration) * 1000
        || now.milliseconds(since: p.firstSeen) > configuration.maximumAgeSeconds * 1000
      {
        close(serial)
      }
    }
  }

  /// End of input: every open transaction closes, oldest first.
  public mutating func finish() {
    for p in open.values.sorted(by: { $0.firstSeen < $1.firstSeen }) { close(p.serial) }
  }

  /// The oldest closed transaction not yet taken.
  public mutating func popClosed() -> DHCPv6TransactionRecord? {
    guard closedRead < closed.count else {
      closed.removeAll(keepingCapacity: true)
      closedRead = 0
      return nil
    }
    closedRead += 1
    return closed[closedRead - 1]
  }

  private mutating func close(_ serial: Int, evicted: Bool = false) {
    guard let p = open.removeValue(forKey: serial) else { return }
    for key in p.keys where exchanges[key] == serial { exchanges[key] = nil }
    closed.append(
      DHCPv6Analysis.analyze(
        p.sightings, observedUntil: clock ?? p.lastSeen, timeoutSeconds: configuration.timeoutSeconds,
        evictedAt: evicted ? configuration.maximumTracked : nil, captureStart: captureStart ?? p.firstSeen))
  }
}
