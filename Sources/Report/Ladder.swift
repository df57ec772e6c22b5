import Correlate
import Dissect

/// The text view of one transaction: a ladder with client | relay | server columns, one row
/// per packet, times relative to the first packet, then the flags in plain words.
enum Ladder {
  static let columnGap = 22
  static var width: Int { columnGap * 2 + 1 }

  static func render(_ t: TransactionRecord, files: InputFiles) -> String {
    var out: [String] = []
    var title = "\(t.kind.rawValue)  xid \(formatXID(t.xid))  client \(t.clientMAC)  → \(t.outcome.rawValue)"
    if let a = t.assignedAddress { title += " \(a)" }
    if let l = t.leaseSeconds { title += " (lease \(formatDuration(Int(l))))" }
    out.append("━━ " + title)
    let relays = t.relayAgents.isEmpty ? "none (direct)" : t.relayAgents.map(\.description).joined(separator: ", ")
    let servers =
      t.servers.isEmpty
      ? "none seen"
      : t.servers.map { "\($0.address) (\($0.forwarded) sent, \($0.replies) replies)" }.joined(separator: ", ")
    out.append("   relay \(relays)   server \(servers)")
    out.append(
      "   " + pad("time ms", 10, right: true) + "  " + pad("client", columnGap) + pad("relay", columnGap) + "server")
    let start = t.sequence.first?.timestamp ?? t.firstSeen
    for (i, e) in t.sequence.enumerated() {
      let time = pad(fixed3(e.timestamp.milliseconds(since: start)), 10, right: true)
      var row = "   \(time)  \(arrow(e)) "
      let serverName = e.serverAddress.map(\.description) ?? ""
      row += pad(serverName, 16)
      row += "#\(e.frame)"
      if files.paths.count > 1 { row += " \(files.path(e.fileIndex))" }
      if e.isDuplicate { row += "  (same packet again)" }
      if let note = latencyNote(t.sequence, i) { row += "  " + note }
      out.append(row)
    }
    if t.flags.isEmpty {
      out.append("   ok: no problems seen")
    } else {
      out.append("   flags: " + t.flags.map(\.rawValue).joined(separator: ", "))
      for a in t.anomalies { out.append("   ! " + a) }
    }
    return out.joined(separator: "\n") + "\n\n"
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

  /// How long this hop took: since the packet it answers or passes on.
  static func latencyNote(_ seq: [SequenceEntry], _ i: Int) -> String? {
    let e = seq[i]
    guard !e.isDuplicate else { return nil }
    let earlier = seq[..<i].reversed().filter { !$0.isDuplicate }
    func since(_ p: SequenceEntry?, _ what: String) -> String? {
      guard let p else { return nil }
      return "\(what) +\(formatDecimal(e.timestamp.milliseconds(since: p.timestamp), places: 3)) ms"
    }
    switch e.leg {
    case .relayServer:
      return since(earlier.first { $0.leg == .clientRelay && $0.messageType == e.messageType }, "relay forward")
    case .serverRelay:
      return since(earlier.first { $0.leg == .relayServer && $0.destination == e.source }, "server response")
    case .relayClient:
      return since(earlier.first { $0.leg == .serverRelay && $0.messageType == e.messageType }, "relay return")
    case .serverClient:
      return since(earlier.first { $0.leg == .clientServer }, "server response")
    case .clientRelay, .clientServer:
      if let prev = earlier.first(where: { $0.leg == e.leg && $0.messageType == e.messageType }) {
        return since(prev, "retransmission (secs \(e.secs))")
      }
      return nil
    }
  }

  /// Milliseconds with exactly three decimals, so the time column lines up.
  static func fixed3(_ v: Double) -> String {
    let micro = Int64((v * 1000).rounded())
    let frac = String(abs(micro) % 1000)
    return "\(micro / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
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
      "   \(s.transactions) transactions from \(s.distinctClients)\(s.clientCountIsCapped ? "+" : "") clients over \(formatDecimal(s.spanSeconds, places: 3)) s"
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
