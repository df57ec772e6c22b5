import Correlate
import Dissect

/// The text view of one transaction: a ladder with client | relay | server columns, one row
/// per packet, times relative to the first packet, then the flags in plain words.
enum Ladder {
  static let columnGap = 22
  static var width: Int { columnGap * 2 + 1 }

  /// Writes the ladder straight into the report's buffer: this runs once per transaction.
  static func write(_ t: TransactionRecord, files: InputFiles, into w: inout JSONWriter) {
    w.raw("━━ ")
    w.raw(text: t.kind.rawValue)
    w.raw("  xid ")
    w.plainXID(t.xid)
    w.raw("  client ")
    w.plainHardwareAddress(t.clientMAC)
    w.raw("  → ")
    w.raw(text: t.outcome.rawValue)
    if let a = t.assignedAddress {
      w.raw(" ")
      w.plainAddress(a)
    }
    if let l = t.leaseSeconds {
      w.raw(" (lease ")
      w.plainDuration(Int(l))
      w.raw(")")
    }
    w.raw("\n   relay ")
    if t.relayAgents.isEmpty { w.raw("none (direct)") }
    for (i, r) in t.relayAgents.enumerated() {
      if i > 0 { w.raw(", ") }
      w.plainAddress(r)
    }
    w.raw("   server ")
    if t.servers.isEmpty { w.raw("none seen") }
    for (i, s) in t.servers.enumerated() {
      if i > 0 { w.raw(", ") }
      w.plainAddress(s.address)
      w.raw(" (")
      w.plainInt(s.forwarded)
      w.raw(" sent, ")
      w.plainInt(s.replies)
      w.raw(" replies)")
    }
    w.raw("\n")
    w.raw(text: header)
    let start = t.sequence.first?.timestamp ?? t.firstSeen
    for (i, e) in t.sequence.enumerated() {
      w.raw("\n   ")
      writeFixed3(e.timestamp.milliseconds(since: start), width: 10, into: &w)
      w.raw("  ")
      w.out.append(arrowBytes(e))
      w.raw(" ")
      let before = w.out.count
      if let server = e.serverAddress { w.plainAddress(server) }
      for _ in 0..<max(0, 16 - (w.out.count - before)) { w.out.append(UInt8(ascii: " ")) }
      w.raw("#")
      w.plainInt(e.frame)
      if files.paths.count > 1 {
        w.raw(" ")
        w.raw(text: files.path(e.fileIndex))
      }
      if e.isDuplicate { w.raw("  (same packet again)") }
      if let (what, since) = latency(t.sequence, i) {
        switch what {
        case .relayForward: w.raw("  relay forward +")
        case .serverResponse: w.raw("  server response +")
        case .relayReturn: w.raw("  relay return +")
        case .retransmission:
          w.raw("  retransmission (secs ")
          w.plainInt(e.secs)
          w.raw(") +")
        }
        w.plainDecimal(e.timestamp.milliseconds(since: since))
        w.raw(" ms")
      }
    }
    if t.flags.isEmpty {
      w.raw("\n   ok: no problems seen")
    } else {
      w.raw("\n   flags: ")
      for (i, f) in t.flags.enumerated() {
        if i > 0 { w.raw(", ") }
        w.raw(text: f.rawValue)
      }
      for a in t.anomalies {
        w.raw("\n   ! ")
        w.raw(text: a)
      }
    }
    w.raw("\n\n")
  }

  static let header =
    "   " + pad("time ms", 10, right: true) + "  " + pad("client", columnGap) + pad("relay", columnGap) + "server"

  /// Arrows depend only on the leg and the message type: drawn once each, then reused. Only
  /// the thread that writes the report renders, so the cache needs no lock.
  /// Indexed by message type (256 for BOOTP) times 8 plus the leg's number.
  nonisolated(unsafe) private static var arrows = [[UInt8]?](repeating: nil, count: 257 << 3)
  private static func arrowBytes(_ e: SequenceEntry) -> [UInt8] {
    let key = Int(e.messageType.map { Int($0) } ?? 256) << 3 | legNumber(e.leg)
    if let drawn = arrows[key] { return drawn }
    let drawn = Array(arrow(e).utf8)
    arrows[key] = drawn
    return drawn
  }

  private static func legNumber(_ leg: Leg) -> Int {
    switch leg {
    case .clientRelay: return 0
    case .relayServer: return 1
    case .serverRelay: return 2
    case .relayClient: return 3
    case .clientServer: return 4
    case .serverClient: return 5
    }
  }

  /// Draws the packet as an arrow between two lifelines, its type written on the shaft.
  static func arrow(_ e: SequenceEntry) -> String {
    var cells = Array(repeating: Character(" "), count: width)
    for c in [0, columnGap, columnGap * 2] { cells[c] = "│" }
    let (from, to): (Int, Int)
    switch e.leg {
    case .clientRelay: (from, to) = (0, 1)
    case .relayServer: (from, to) = (1, 2)
    case .serverRelay: (from, to) = (2, 1)
    case .relayClient: (from, to) = (1, 0)
    case .clientServer: (from, to) = (0, 2)
    case .serverClient: (from, to) = (2, 0)
    }
    let a = min(from, to) * columnGap
    let b = max(from, to) * columnGap
    for c in a...b { cells[c] = "─" }
    cells[from * columnGap] = "●"
    cells[to * columnGap] = to < from ? "◀" : "▶"
    let label = Array(" \(e.typeName) ")
    let middle = (a + b) / 2 - label.count / 2
    if label.count < b - a - 3 {
      for (k, ch) in label.enumerated() { cells[middle + k] = ch }
    }
    return String(cells)
  }

  /// How long this hop took: what it was, and the time of the packet it answers or passes on.
  /// What a packet's time on the ladder is measured from.
  enum LatencyNote {
    case relayForward, serverResponse, relayReturn
    /// The client's previous copy; the line shows the new copy's `secs`.
    case retransmission
  }

  static func latency(_ seq: [SequenceEntry], _ i: Int) -> (LatencyNote, Timestamp)? {
    let e = seq[i]
    guard !e.isDuplicate else { return nil }
    // The latest earlier packet (not a duplicate) that matches.
    func latest(_ matches: (SequenceEntry) -> Bool) -> Timestamp? {
      var k = i
      while k > 0 {
        k -= 1
        if !seq[k].isDuplicate && matches(seq[k]) { return seq[k].timestamp }
      }
      return nil
    }
    func note(_ what: LatencyNote, _ matches: (SequenceEntry) -> Bool) -> (LatencyNote, Timestamp)? {
      latest(matches).map { (what, $0) }
    }
    switch e.leg {
    case .relayServer:
      return note(.relayForward) { $0.leg == .clientRelay && $0.messageType == e.messageType }
    case .serverRelay:
      return note(.serverResponse) { $0.leg == .relayServer && $0.destination == e.source }
    case .relayClient:
      return note(.relayReturn) { $0.leg == .serverRelay && $0.messageType == e.messageType }
    case .serverClient:
      return note(.serverResponse) { $0.leg == .clientServer }
    case .clientRelay, .clientServer:
      return note(.retransmission) { $0.leg == e.leg && $0.messageType == e.messageType }
    }
  }

  /// Milliseconds with exactly three decimals, right-aligned in `width` columns, so the time
  /// column lines up.
  static func writeFixed3(_ v: Double, width: Int, into w: inout JSONWriter) {
    let micro = Int64((v * 1000).rounded())
    let whole = micro / 1000
    var length = whole < 0 ? 5 : 4  // sign, ".", three decimals
    var rest = whole.magnitude
    repeat {
      length += 1
      rest /= 10
    } while rest > 0
    for _ in 0..<max(0, width - length) { w.out.append(UInt8(ascii: " ")) }
    w.plainInt(whole)
    w.out.append(UInt8(ascii: "."))
    let fraction = micro.magnitude % 1000
    w.out.append(48 + UInt8(fraction / 100))
    w.out.append(48 + UInt8(fraction / 10 % 10))
    w.out.append(48 + UInt8(fraction % 10))
  }

  static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
    let count = s.count
    guard count < n else { return s }
    let spaces = String(repeating: " ", count: n - count)
    return right ? spaces + s : s + spaces
  }
}

/// The text summary at the end of a report.
enum SummaryTable {
  static func render(_ s: Summary) -> String {
    var out: [String] = []
    out.append("══ Summary")
    out.append(
      "   \(s.frames) frames read, \(s.dhcpPackets) DHCP packets (\(s.duplicatePackets) seen twice), \(s.otherPackets) other, \(s.malformedPackets) malformed"
    )
    out.append(
      "   \(s.transactions) transactions from \(s.clientCountIsEstimate ? "~" : "")\(s.distinctClients) clients over \(formatDecimal(s.spanSeconds, places: 3)) s"
    )
    if let c = s.capture {
      out.append(
        "   libpcap: \(c.received) packets received, \(c.dropped) dropped by the kernel, \(c.interfaceDropped) by the interface"
      )
    }
    let outcomes = Outcome.allCases.compactMap { o in s.outcomes[o].map { "\(o.rawValue) \($0)" } }
    out.append("   outcomes: " + (outcomes.isEmpty ? "none" : outcomes.joined(separator: ", ")))
    for k in TransactionKind.allCases {
      guard let by = s.outcomesByKind[k] else { continue }
      let parts = Outcome.allCases.compactMap { o in by[o].map { "\(o.rawValue) \($0)" } }
      out.append("     \(Ladder.pad(k.rawValue, 11)) " + parts.joined(separator: ", "))
    }
    let flags = TransactionFlag.allCases.compactMap { f in s.flags[f].map { "\(f.rawValue) \($0)" } }
    if !flags.isEmpty { out.append("   flags: " + flags.joined(separator: ", ")) }
    if s.evicted > 0 { out.append("   ! \(s.evicted) transactions closed early: too many open at once") }
    if s.looksLikeStarvation {
      out.append("   ! many clients and next to no completed leases: a DHCP starvation attack or a dead server")
    }
    out.append(contentsOf: table("server", s.servers))
    out.append(contentsOf: table("relay agent", s.relayAgents))
    return out.joined(separator: "\n") + "\n"
  }

  static func table(_ title: String, _ rows: [EndpointStatistics]) -> [String] {
    guard !rows.isEmpty else { return [] }
    let head = [Ladder.pad(title, 16), "txns", "requests", "replies", "answered", "min ms", "median", "p95", "max"]
    var lines = ["   " + format(head)]
    for r in rows {
      let st = r.responseTimes
      func d(_ v: Double?) -> String { v.map { formatDecimal($0, places: 3) } ?? "-" }
      lines.append(
        "   "
          + format([
            Ladder.pad(r.address.description, 16), String(r.transactions), String(r.requests), String(r.replies),
            formatDecimal(r.answerRate * 100, places: 1) + "%", d(st.count > 0 ? st.minimum : nil),
            d(st.quantile(0.5)), d(st.quantile(0.95)), d(st.count > 0 ? st.maximum : nil),
          ]))
    }
    return lines
  }

  static func format(_ cells: [String]) -> String {
    cells.enumerated().map { i, c in i == 0 ? c : Ladder.pad(c, 10, right: true) }.joined(separator: " ")
  }
}
