import Correlate
import Dissect
import Foundation

/// How a ladder is drawn for one report: its width, Unicode or ASCII, colour, and the arrows
/// (which depend only on the leg and the message type), drawn once per report.
struct LadderLayout: Sendable {
  let style: TextStyle
  /// Columns from one lifeline to the next: the 100-column layout, or the 80-column one.
  let gap: Int
  /// Columns of the arrows' area: three lifelines and two gaps.
  var arrowWidth: Int { gap * 2 + 1 }
  let glyphs: Glyphs
  /// Indexed by message type (`tabulatedTypes` for BOOTP) times 8 plus the leg's number, for
  /// the types below `tabulatedTypes` (every type DHCP defines): other types are drawn as they
  /// come. Empty unless the report draws ladders (`drawsArrows`): building it costs more than
  /// a small capture's whole analysis.
  /// One flat table: an array of arrays would retain and release the inner array per row.
  let arrows: RenderedTable
  static let tabulatedTypes = 32
  let header: String
  /// What moves a row's note to a line of its own: under the time column, after the
  /// client's lifeline.
  let noteContinuation: [UInt8]

  struct Glyphs: Sendable {
    var lifeline: Character
    var shaft: Character
    var sender: Character
    var left: Character
    var right: Character
    var transactionRule: String
    var summaryRule: String
    var note: String
    var outcome: String
  }

  static let unicode = Glyphs(
    lifeline: "│", shaft: "─", sender: "●", left: "◀", right: "▶", transactionRule: "━━", summaryRule: "══",
    note: "·", outcome: "→")
  static let plain = Glyphs(
    lifeline: "|", shaft: "-", sender: "o", left: "<", right: ">", transactionRule: "==", summaryRule: "==",
    note: ".", outcome: "->")

  init(_ style: TextStyle, drawsArrows: Bool = true) {
    self.style = style
    gap = style.columns >= 100 ? 18 : 14
    glyphs = style.ascii ? Self.plain : Self.unicode
    let (gap, glyphs) = (gap, glyphs)
    arrows = RenderedTable(
      rendered: (0..<(drawsArrows ? (Self.tabulatedTypes + 1) << 3 : 0)).map { key in
        guard let leg = Leg.allCases.first(where: { Ladder.legNumber($0) == key & 7 }) else { return [] }
        let type = key >> 3 == Self.tabulatedTypes ? nil : UInt8(key >> 3)
        return Array(Ladder.arrow(messageType: type, leg: leg, gap: gap, glyphs: glyphs).utf8)
      })
    noteContinuation = Array(
      ("\n" + String(repeating: " ", count: Ladder.timeColumns) + String(glyphs.lifeline)).utf8)
    header =
      "   " + Ladder.pad("time ms", 10, right: true) + "  " + Ladder.pad("client", gap) + Ladder.pad("relay", gap)
      + "server"
  }

  func writeArrow(_ e: SequenceEntry, into w: inout ReportWriter) {
    let row = e.messageType.map { Int($0) } ?? Self.tabulatedTypes
    guard (row < Self.tabulatedTypes || e.messageType == nil) && !arrows.isEmpty else {
      return w.raw(text: Ladder.arrow(messageType: e.messageType, leg: e.leg, gap: gap, glyphs: glyphs))
    }
    arrows.writeRaw(row << 3 | Ladder.legNumber(e.leg), into: &w)
  }

  /// A finding's line: `!` for a problem (red in colour), the note sign for a note (dim).
  func findingLine(_ severity: Finding.Severity, _ sentence: String) -> String {
    // Wrapped with an ASCII mark (one column, like the note sign), so ASCII sentences take
    // the fast path; the sign goes in after.
    var text = Ladder.wrap("   ! " + sentence, width: style.columns, indent: 5)
    if severity != .problem { text = "   " + glyphs.note + String(text.dropFirst(4)) }
    guard style.color else { return text }
    return (severity == .problem ? "\u{1B}[31m" : "\u{1B}[2m") + text + "\u{1B}[0m"
  }
}

/// The text view of one transaction: a ladder with client | relay | server columns, one row
/// per packet, times relative to the first packet, then the flags in plain words.
enum Ladder {
  /// Columns before the arrows: indent, the time, two spaces.
  static let timeColumns = 3 + 10 + 2
  /// Columns of the server address after an arrow.
  static let serverColumns = 16
  /// What replaces the two spaces before a header part that moves to the next line.
  static let headerBreak = Array("\n   ".utf8)

  /// Writes the ladder straight into the report's buffer: this runs once per transaction.
  static func write(
    _ t: TransactionRecord, files: InputFiles, layout: LadderLayout, findings: RenderedFindings,
    into w: inout ReportWriter
  ) {
    let style = layout.style
    // Written straight into the buffer (this runs once per transaction); everything after the
    // rule is ASCII, so bytes count columns. A part that would pass the width moves to a new
    // line by inserting the break before it.
    w.raw(text: layout.glyphs.transactionRule)
    w.raw(" ")
    let afterRule = w.out.count
    w.plainCalendarTime(t.firstSeen, utc: style.utc, fractionDigits: 3)
    w.raw("  ")
    w.raw(text: t.kind.rawValue)
    w.raw("  xid ")
    w.plainXID(t.xid)
    var clientStart = w.out.count
    w.raw("  client ")
    w.plainHardwareAddress(t.clientMAC)
    // Where the current line starts in the buffer, and its columns before that point.
    var lineAnchor = afterRule
    var anchorColumns = 3
    if anchorColumns + (w.out.count - lineAnchor) > style.columns {
      w.out.replace(from: clientStart, count: 2, with: headerBreak)
      clientStart += 1
      (lineAnchor, anchorColumns) = (clientStart, 0)
    }
    let outcomeStart = w.out.count
    w.raw("  ")
    w.raw(text: layout.glyphs.outcome)
    let outcomeText = w.out.count
    w.raw(" ")
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
    // The outcome sign is one column whatever its bytes.
    let outcomeColumns = w.out.count - outcomeText + 2 + 1
    if anchorColumns + (outcomeStart - lineAnchor) + outcomeColumns > style.columns {
      w.out.replace(from: outcomeStart, count: 2, with: headerBreak)
    }
    let identityLine = w.out.count
    w.raw("\n")
    let identityStart = w.out.count
    if writeIdentity(t, into: &w) {
      // Bytes are never fewer than columns: a line that fits by bytes needs no counting.
      if w.out.count - identityStart > style.columns {
        w.out.truncate(to: identityStart)
        w.raw(text: joinWrapping(identityParts(t), width: style.columns))
      }
    } else {
      w.out.truncate(to: identityLine)
    }
    w.raw("\n")
    let endpointsStart = w.out.count
    w.raw("   relay ")
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
      w.raw(s.replies == 1 ? " reply)" : " replies)")
    }
    if w.out.count - endpointsStart > style.columns {
      let line = w.out.withUnsafeBytes { String(decoding: $0[endpointsStart...], as: UTF8.self) }
      w.out.truncate(to: endpointsStart)
      w.raw(text: wrap(line, width: style.columns, indent: 5))
    }
    w.raw("\n")
    w.raw(text: layout.header)
    let start = t.sequence.first?.timestamp ?? t.firstSeen
    let rowStartColumns = timeColumns + layout.arrowWidth + 1 + serverColumns
    for (i, e) in t.sequence.enumerated() {
      w.raw("\n   ")
      writeFixed3(e.timestamp.milliseconds(since: start), width: 10, into: &w)
      w.raw("  ")
      layout.writeArrow(e, into: &w)
      w.raw(" ")
      let before = w.out.count
      if let server = e.serverAddress { w.plainAddress(server) }
      for _ in 0..<max(0, serverColumns - (w.out.count - before)) { w.out.append(UInt8(ascii: " ")) }
      let frameStart = w.out.count
      w.raw("#")
      w.plainInt(e.frame)
      if files.paths.count > 1 {
        w.raw(" ")
        w.raw(text: files.point(e.fileIndex) ?? files.path(e.fileIndex))
      }
      let noteStart = w.out.count
      if e.isDuplicate { w.raw("  (same packet again)") }
      if let (what, since, latest) = latency(t.sequence, i) {
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
        if let latest {
          w.raw(" (+")
          w.plainDecimal(e.timestamp.milliseconds(since: latest))
          w.raw(" ms after the latest copy)")
        }
      }
      // Everything after the arrow is ASCII (or a file name): one column per byte.
      if rowStartColumns + (w.out.count - frameStart) > style.columns && w.out.count > noteStart {
        // The note goes on a line of its own, under the time column, after the client's lifeline.
        w.out.insert(layout.noteContinuation, at: noteStart)
      }
    }
    if !t.hasProblem { w.raw("\n   ok: no problems seen") }
    if !t.flags.isEmpty {
      w.raw("\n")
      let flagsStart = w.out.count
      w.raw("   flags: ")
      for (i, flag) in t.flags.enumerated() {
        if i > 0 { w.raw(", ") }
        w.raw(text: flag.rawValue)
      }
      if w.out.count - flagsStart > style.columns {
        let line = w.out.withUnsafeBytes { String(decoding: $0[flagsStart...], as: UTF8.self) }
        w.out.truncate(to: flagsStart)
        w.raw(text: wrap(line, width: style.columns, indent: 10))
      }
    }
    for f in t.findings {
      w.raw("\n")
      w.raw(text: findings.line(f, files: files, layout: layout))
    }
    w.raw("\n\n")
  }

  /// The client's name and identifiers and the port it is on, where the capture says them:
  /// each part's label and value, in the order the ladder and the HTML page show them.
  static func forEachIdentityPart(_ t: TransactionRecord, _ body: (StaticString, String) -> Void) {
    if let h = t.client.hostName { body("host ", h) }
    if let c = t.client.clientID { body("client-id ", IdentityText.clientIdentifier(c)) }
    if let v = t.client.vendorClass { body("vendor ", v) }
    if let r = t.relayAgentInformation {
      if let c = r.circuitID { body("circuit ", IdentityText.agentIdentifier(c)) }
      if let id = r.remoteID { body("remote ", IdentityText.agentIdentifier(id)) }
    }
    if let m = t.serverMessage { body("server says ", "\"\(m)\"") }
  }

  /// The identity parts on one line, straight into the buffer (the line usually fits); false
  /// when there are none (the indent is written all the same).
  static func writeIdentity(_ t: TransactionRecord, into w: inout ReportWriter) -> Bool {
    w.raw("   ")
    var any = false
    forEachIdentityPart(t) { label, value in
      if any { w.raw("  ") }
      any = true
      w.raw(label)
      w.raw(text: value)
    }
    return any
  }

  /// The identity parts as strings, for wrapping and for the HTML page.
  static func identityParts(_ t: TransactionRecord) -> [String] {
    var parts: [String] = []
    forEachIdentityPart(t) { label, value in parts.append("\(label)\(value)") }
    return parts
  }

  static func formatXID(_ xid: UInt32) -> String {
    let hex = String(xid, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
  }

  /// `parts` joined by two spaces on a line that starts `firstIndent` columns in; a part that
  /// would pass `width` starts a new line, indented `indent` columns.
  static func joinWrapping(_ parts: [String], width: Int, firstIndent: Int = 3, indent: Int = 3) -> String {
    // Bytes are never fewer than columns: a line that fits by bytes needs no counting.
    if firstIndent + parts.reduce(0, { $0 + $1.utf8.count }) + 2 * (parts.count - 1) <= width {
      return String(repeating: " ", count: firstIndent) + parts.joined(separator: "  ")
    }
    var text = String(repeating: " ", count: firstIndent)
    var column = firstIndent
    for (i, part) in parts.enumerated() {
      if i > 0 {
        if column + 2 + part.count > width {
          text += "\n" + String(repeating: " ", count: indent)
          column = indent
        } else {
          text += "  "
          column += 2
        }
      }
      text += part
      column += part.count
    }
    return text
  }

  /// `text` broken at spaces so no line passes `width`; lines after the first are indented.
  static func wrap(_ text: String, width: Int, indent: Int) -> String {
    // Bytes are never fewer than columns: most lines need no counting of characters.
    guard text.utf8.count > width else { return text }
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return wrapASCII(text, width: width, indent: indent) }
    guard text.count > width else { return text }
    let leading = text.prefix { $0 == " " }
    var lines: [String] = []
    var line = String(leading)
    var lineHasWord = false
    for word in text.dropFirst(leading.count).split(separator: " ", omittingEmptySubsequences: false) {
      if lineHasWord && line.count + 1 + word.count > width {
        lines.append(line)
        line = String(repeating: " ", count: indent) + word
      } else {
        line += (lineHasWord ? " " : "") + word
      }
      lineHasWord = true
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }

  /// `wrap` for ASCII text (most findings): bytes are columns, and lines are cut at spaces
  /// without building a string per word.
  static func wrapASCII(_ text: String, width: Int, indent: Int) -> String {
    var bytes = Array(text.utf8)
    var lineStart = 0
    var lastSpace = -1
    var i = 0
    var firstWord = true
    while i < bytes.count {
      if bytes[i] == 32 {
        if !firstWord || i > lineStart + indent { lastSpace = i }
      } else {
        firstWord = false
      }
      if i - lineStart >= width, lastSpace > lineStart {
        // Break at the last space: it becomes a new line, indented.
        bytes.replaceSubrange(lastSpace...lastSpace, with: [10] + [UInt8](repeating: 32, count: indent))
        lineStart = lastSpace + 1
        i = lineStart + indent
        lastSpace = -1
        firstWord = true
        continue
      }
      i += 1
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func legNumber(_ leg: Leg) -> Int {
    switch leg {
    case .clientRelay: return 0
    case .relayServer: return 1
    case .serverRelay: return 2
    case .relayClient: return 3
    case .clientServer: return 4
    case .serverClient: return 5
    case .relayRelay: return 6
    }
  }

  /// Draws the packet as an arrow between two lifelines, its type written on the shaft.
  static func arrow(messageType: UInt8?, leg: Leg, gap: Int, glyphs: LadderLayout.Glyphs) -> String {
    var cells = Array(repeating: Character(" "), count: gap * 2 + 1)
    for c in [0, gap, gap * 2] { cells[c] = glyphs.lifeline }
    func column(_ party: Leg.Party) -> Int {
      switch party {
      case .client: return 0
      case .relay: return 1
      case .server: return 2
      }
    }
    let (from, to) = (column(leg.ends.from), column(leg.ends.to))
    let a = min(from, to) * gap
    let b = max(from, to) * gap
    for c in a...b { cells[c] = glyphs.shaft }
    cells[from * gap] = glyphs.sender
    cells[to * gap] = to < from ? glyphs.left : glyphs.right
    // The type on the shaft; a name longer than the gap leaves the shaft bare rather than
    // running into a lifeline.
    let label = Array(" \(MessageType.name(messageType)) ")
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

  /// The note's start and, for a server's response, the latest copy of the request when the
  /// relay sent several: the response is timed from the first copy (as in JSON and the
  /// summary), and the time since the latest is shown beside it.
  static func latency(_ seq: [SequenceEntry], _ i: Int) -> (LatencyNote, Timestamp, Timestamp?)? {
    let e = seq[i]
    guard !e.isDuplicate else { return nil }
    if e.leg == .serverRelay || e.leg == .serverClient {
      guard let phase = ExchangePhase.of(reply: e.messageType) else { return nil }
      var first: Timestamp? = nil
      var latest: Timestamp? = nil
      for r in seq[..<i]
      where !r.isDuplicate && r.isRequest && ExchangePhase.of(request: r.messageType) == phase
        && (e.leg == .serverRelay ? r.leg == .relayServer && r.destination == e.source : r.leg == .clientServer)
      {
        if first == nil { first = r.timestamp } else { latest = r.timestamp }
      }
      guard let first else { return nil }
      return (.serverResponse, first, latest)
    }
    // The latest earlier packet (not a duplicate) that matches.
    func latest(_ matches: (SequenceEntry) -> Bool) -> Timestamp? {
      var k = i
      while k > 0 {
        k -= 1
        if !seq[k].isDuplicate && matches(seq[k]) { return seq[k].timestamp }
      }
      return nil
    }
    func note(_ what: LatencyNote, _ matches: (SequenceEntry) -> Bool) -> (LatencyNote, Timestamp, Timestamp?)? {
      latest(matches).map { (what, $0, nil) }
    }
    switch e.leg {
    case .relayServer:
      return note(.relayForward) { $0.leg == .clientRelay && $0.messageType == e.messageType }
    case .relayClient:
      return note(.relayReturn) { $0.leg == .serverRelay && $0.messageType == e.messageType }
    case .serverRelay, .serverClient, .relayRelay:
      return nil
    case .clientRelay, .clientServer:
      return note(.retransmission) { $0.leg == e.leg && $0.messageType == e.messageType }
    }
  }

  /// Milliseconds with exactly three decimals, right-aligned in `width` columns, so the time
  /// column lines up.
  static func writeFixed3(_ v: Double, width: Int, into w: inout ReportWriter) {
    let micro = Int64((v * 1000).rounded())
    let whole = micro / 1000
    let magnitude = whole.magnitude
    let digits = OutputBuffer.decimalDigits(magnitude)
    let length = (whole < 0 ? 1 : 0) + digits + 4  // sign, digits, ".", three decimals
    let padding = max(0, width - length)
    let fraction = micro.magnitude % 1000
    // One reservation for the whole number: a time is written for every row of every ladder.
    w.out.write(maximum: padding + length) { p in
      var i = 0
      while i < padding {
        p[i] = UInt8(ascii: " ")
        i += 1
      }
      if whole < 0 {
        p[i] = UInt8(ascii: "-")
        i += 1
      }
      OutputBuffer.writeDigits(magnitude, count: digits, to: p + i)
      i += digits
      p[i] = UInt8(ascii: ".")
      p[i + 1] = 48 + UInt8(fraction / 100)
      p[i + 2] = 48 + UInt8(fraction / 10 % 10)
      p[i + 3] = 48 + UInt8(fraction % 10)
      return i + 4
    }
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
  static func render(_ s: Summary, layout: LadderLayout) -> String {
    var out: [String] = []
    let narrow = layout.style.columns < 100
    out.append(layout.glyphs.summaryRule + " Summary")
    out.append(
      "   \(plural(s.frames, "frame")) read, \(plural(s.dhcpPackets, "DHCP packet")) (\(s.duplicatePackets) seen twice), \(s.otherPackets) other, \(s.malformedPackets) malformed"
    )
    if s.icmpErrors > 0 { out.append("   \(plural(s.icmpErrors, "ICMP error")) quoting DHCP messages") }
    if s.dhcpv6Packets > 0 { out.append("   \(plural(s.dhcpv6Packets, "DHCPv6 message")) (UDP 546/547)") }
    let reasons = Malformed.Reason.allCases.compactMap { r in s.malformedByReason[r].map { "\(r.rawValue) \($0)" } }
    if !reasons.isEmpty { out.append("   malformed: " + reasons.joined(separator: ", ")) }
    out.append(
      "   \(plural(s.transactions, "transaction")) from \(s.clientCountIsEstimate ? "~" : "")\(plural(s.distinctClients, "client")) over \(formatDecimal(s.spanSeconds, places: 3)) s"
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
    if let n = s.oneSidedByFilter, n > 0 {
      out.append(
        "   ! the packet filter left \(plural(n, "transaction")) without the client's packets or without the relay's and servers': --client, --xid, --server and --relay select whole transactions"
      )
    }
    if s.evicted > 0 { out.append("   ! \(s.evicted) transactions closed early: too many open at once") }
    if s.looksLikeStarvation {
      out.append("   ! many clients and next to no completed leases: a DHCP starvation attack or a dead server")
    }
    out.append(contentsOf: capturePoints(s.captures))
    out.append(contentsOf: table("server", s.servers, narrow: narrow))
    for server in s.servers {
      if let offers = server.phaseTimes[.offer], let median = offers.quantile(0.5), median >= 500 {
        let acks = server.phaseTimes[.ack]?.quantile(0.5).map { ", ACKs \(formatDecimal($0, places: 3)) ms" } ?? ""
        out.append(
          "   \(layout.glyphs.note) \(server.address): median OFFER \(formatDecimal(median, places: 3)) ms\(acks): a server that pings an address before offering it (ISC dhcpd's ping-check) waits about 1 s"
        )
      }
    }
    out.append(contentsOf: table("relay agent", s.relayAgents, narrow: narrow))
    if !s.relayAgents.isEmpty {
      out.append(
        "   (relay agent: requests it forwarded to servers, replies it passed back to clients, answered = exchanges it forwarded that got a reply back to the client; times from its first forward to its first reply to the client)"
      )
    }
    out.append(contentsOf: identifierTable("circuit id", s.circuits))
    out.append(contentsOf: identifierTable("remote id", s.remotes))
    if s.servers.contains(where: { !$0.responseTimes.isExact }) {
      out.append(
        "   (over \(LatencyStatistics.exactLimit) samples, median and p95 are histogram estimates within 0.5 %, to 3 significant digits)"
      )
    }
    return out.map { line in
      let wrapped = Ladder.wrap(
        line, width: layout.style.columns, indent: line.hasPrefix("   ! ") || line.hasPrefix("   (") ? 5 : 3)
      guard layout.style.color else { return wrapped }
      if line.hasPrefix("   ! ") { return "\u{1B}[31m" + wrapped + "\u{1B}[0m" }
      if line.hasPrefix("   \(layout.glyphs.note) ") || line.hasPrefix("   (") {
        return "\u{1B}[2m" + wrapped + "\u{1B}[0m"
      }
      return wrapped
    }.joined(separator: "\n") + "\n"
  }

  static func wrap(_ text: String, width: Int, indent: Int) -> String {
    Ladder.wrap(text, width: width, indent: indent)
  }

  static func identifierTable(_ title: String, _ table: [[UInt8]?: [Outcome: Int]]) -> [String] {
    guard !table.isEmpty else { return [] }
    var lines = ["   " + Ladder.pad(title, 24) + " txns  outcomes"]
    let rows = table.map { (name: $0.key.map(IdentityText.agentIdentifier) ?? "(others)", outcomes: $0.value) }
      .sorted { $0.name < $1.name }
    for r in rows {
      let total = r.outcomes.values.reduce(0, +)
      let parts = Outcome.allCases.compactMap { o in r.outcomes[o].map { "\(o.rawValue) \($0)" } }
      lines.append(
        "   " + Ladder.pad(r.name, 24) + " " + Ladder.pad(String(total), 4, right: true) + "  "
          + parts.joined(separator: ", "))
    }
    return lines
  }

  /// Several files: a line per file with its clock offset, and a warning for a large
  /// offset or a file that shares no message with the first.
  static func capturePoints(_ captures: [CaptureFileSummary]) -> [String] {
    guard captures.count > 1 else { return [] }
    var lines = ["   capture point            packets  clock offset ms    ± ms  matched"]
    for c in captures {
      let name = c.point ?? c.file
      let offset = c.clockOffsetMilliseconds.map { formatDecimal($0, places: 3) } ?? "-"
      let uncertainty = c.offsetUncertaintyMilliseconds.map { formatDecimal($0, places: 3) } ?? "-"
      lines.append(
        "   " + Ladder.pad(name, 24) + " " + Ladder.pad(String(c.packets), 7, right: true) + " "
          + Ladder.pad(offset, 16, right: true) + " " + Ladder.pad(uncertainty, 7, right: true) + " "
          + Ladder.pad(String(c.matchedMessages), 8, right: true))
    }
    for c in captures.dropFirst() {
      let name = c.point ?? c.file
      if c.clockOffsetMilliseconds == nil {
        lines.append(
          "   ! \(name) shares no DHCP message with \(captures[0].point ?? captures[0].file): its clock is left as it is"
        )
      } else if let offset = c.clockOffsetMilliseconds, abs(offset) >= 1000 {
        lines.append(
          "   ! \(name)'s clock runs \(formatDecimal(abs(offset) / 1000, places: 3)) s \(offset > 0 ? "ahead of" : "behind") \(captures[0].point ?? captures[0].file)'s\(c.aligned ? "; its times are corrected" : " (not corrected: --no-align)")"
        )
      }
    }
    return lines
  }

  /// Numeric columns are 9 wide (the 100-column layout) or 7 with short headings (80).
  static func table(_ title: String, _ rows: [EndpointStatistics], narrow: Bool) -> [String] {
    guard !rows.isEmpty else { return [] }
    let head =
      narrow
      ? [Ladder.pad(title, 16), "txns", "reqs", "replies", "answrd", "min ms", "median", "p95", "max"]
      : [Ladder.pad(title, 16), "txns", "requests", "replies", "answered", "min ms", "median", "p95", "max"]
    let columnWidth = narrow ? 7 : 9
    func format(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in i == 0 ? c : Ladder.pad(c, columnWidth, right: true) }.joined(separator: " ")
    }
    var lines = ["   " + format(head)]
    for r in rows {
      let st = r.responseTimes
      func d(_ v: Double?) -> String { v.map { formatDecimal($0, places: 3) } ?? "-" }
      // A histogram estimate has three significant digits: printed with no more.
      func q(_ v: Double?) -> String {
        guard let v, !st.isExact, v > 0 else { return d(v) }
        return formatDecimal(v, places: max(0, 2 - Int(log10(v).rounded(.down))))
      }
      lines.append(
        "   "
          + format([
            Ladder.pad(r.displayName, 16), String(r.transactions), String(r.requests), String(r.replies),
            r.answerRate.map { formatDecimal($0 * 100, places: 1) + "%" } ?? "-", d(st.count > 0 ? st.minimum : nil),
            q(st.quantile(0.5)), q(st.quantile(0.95)), d(st.count > 0 ? st.maximum : nil),
          ]))
    }
    return lines
  }

}
