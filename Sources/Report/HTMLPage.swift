import Correlate
import Dissect
import Glibc

/// `analyze --format html`: one self-contained page (inline CSS, SVG and a few lines of
/// script; nothing fetched) with a drawn ladder per transaction and a dashboard of the summary.
///
/// The page streams like the other formats: each transaction's section is written when it
/// ends, and the dashboard, which needs the whole summary, is written last and shown first
/// (the page is a flex column, the dashboard has `order: -1`). Ladders are drawn for every
/// transaction with a problem up to `maximumProblemLadders`, and for the first
/// `maximumHealthyLadders` healthy ones; the page says how many it left out. The summary and
/// the charts count every transaction.
struct HTMLPage: Sendable {
  static let maximumProblemLadders = 2_000
  static let maximumHealthyLadders = 200
  /// Columns of the transactions-over-time strip.
  static let stripColumns = 120

  private var drawnProblems = 0
  private var drawnHealthy = 0
  private var leftOutProblems = 0
  private var leftOutHealthy = 0
  /// Transactions by start second: how many, and how many with a problem (for the strip).
  private var perSecond: [Int64: (all: Int, problems: Int)] = [:]

  func header(files: InputFiles) -> String {
    """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>dhcpscope: \(Self.escape(files.paths.joined(separator: ", ")))</title>
    <style>\(Self.style)</style></head>
    <body><svg width="0" height="0" style="position:absolute"><defs>
    <marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>
    <marker id="head-ok" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f2937"/></marker>
    <marker id="head-warn" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b45309"/></marker>
    <marker id="head-dim" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#9ca3af"/></marker>
    </defs></svg>
    <main class="page">
    <section class="transactions" id="transactions"><h2>Transactions</h2>

    """
  }

  /// Counts a transaction of either family in the chart, and whether its ladder is drawn:
  /// within the limits, or counted as left out.
  private mutating func admit(startingAt start: Timestamp, hasProblem: Bool) -> Bool {
    var bin = perSecond[start.seconds] ?? (0, 0)
    bin.all += 1
    if hasProblem { bin.problems += 1 }
    perSecond[start.seconds] = bin
    if hasProblem {
      guard drawnProblems < Self.maximumProblemLadders else {
        leftOutProblems += 1
        return false
      }
      drawnProblems += 1
    } else {
      guard drawnHealthy < Self.maximumHealthyLadders else {
        leftOutHealthy += 1
        return false
      }
      drawnHealthy += 1
    }
    return true
  }

  /// Writes one transaction's section, or counts it as left out.
  mutating func add(_ t: TransactionRecord, files: InputFiles, into w: inout ReportWriter) {
    guard admit(startingAt: t.firstSeen, hasProblem: t.hasProblem) else { return }
    w.raw(text: section(t, files: files))
  }

  /// A DHCPv6 transaction's section: the same limits and filters as DHCPv4's, a lane per
  /// relay of the chain and per server.
  mutating func add(_ t: DHCPv6TransactionRecord, files: InputFiles, into w: inout ReportWriter) {
    guard admit(startingAt: t.firstSeen, hasProblem: t.hasProblem) else { return }
    let xid = PacketReport.xid(t.xid)
    let id = "xid-" + xid
    var html = "<section class=\"tx\(t.hasProblem ? " problem" : "")\" id=\"\(id)\""
    html += " data-flags=\"\(Self.escape(t.flags.map(\.rawValue).joined(separator: " ")))\""
    let client = [t.clientMAC?.description, t.clientDUID.map { Hex.colonSeparated($0) }].compactMap { $0 }
    html += " data-client=\"\(Self.escape(client.joined(separator: " ")))\""
    html +=
      " data-servers=\"\(Self.escape(t.servers.flatMap(\.addresses).map(\.description).joined(separator: " ")))\">\n"
    html += "<h3><a href=\"#\(id)\">\(t.kind.rawValue) \(xid)</a>"
    html += " <span class=\"outcome \(t.hasProblem ? "bad" : "good")\">\(t.outcome.rawValue)"
    for a in t.assignedAddresses { html += " \(a.address)" }
    for p in t.delegatedPrefixes { html += " \(p.address)/\(p.prefixLength ?? 0)" }
    html += "</span> <span class=\"when\">\(Self.calendar(t.firstSeen))</span></h3>\n"
    var facts = client.isEmpty ? [] : ["client " + client.joined(separator: " duid ")]
    if !t.relayAgents.isEmpty { facts.append("relay " + t.relayAgents.map(\.description).joined(separator: " > ")) }
    for s in t.servers {
      facts.append(
        "server \(s.addresses.first?.description ?? "?") (\(s.forwarded) sent, \(s.replies == 1 ? "1 reply" : "\(s.replies) replies"))"
      )
    }
    html += "<p class=\"facts\">" + facts.map(Self.escape).joined(separator: " · ") + "</p>\n"
    html += ladder(t, files: files)
    if t.findings.isEmpty {
      html += "<p class=\"ok\">no problems seen</p>\n"
    } else {
      html += "<ul class=\"findings\">"
      for f in t.findings {
        html += "<li class=\"\(f.severity.rawValue)\" data-code=\"\(f.code)\">\(Self.escape(f.sentence))</li>"
      }
      html += "</ul>\n"
    }
    w.raw(text: html + "</section>\n")
  }

  /// A DHCPv6 ladder: client, each relay from the client's side, each server.
  private func ladder(_ t: DHCPv6TransactionRecord, files: InputFiles) -> String {
    let relays = t.relayAgents.count
    var names = ["client"] + (0..<relays).map { relays == 1 ? "relay" : "relay \($0 + 1)" }
    var titles = [t.clientMAC?.description ?? ""] + t.relayAgents.map(\.description)
    let servers = t.servers.isEmpty ? [nil] : t.servers.map(Optional.some)
    for s in servers {
      names.append("server")
      titles.append(s?.addresses.first?.description ?? "")
    }
    let (laneWidth, left, top, row) = (190, 130, 44, 30)
    let width = left + laneWidth * (names.count - 1) + 120
    let height = top + row * t.sequence.count + 16
    func x(_ lane: Int) -> Int { left + lane * laneWidth }
    var svg =
      "<svg class=\"ladder\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
    svg += "<title>\(t.kind.rawValue) \(PacketReport.xid(t.xid))</title>"
    for (i, name) in names.enumerated() {
      let silent = i > relays && servers[i - relays - 1].map { $0.forwarded > 0 && $0.replies == 0 } == true
      svg +=
        "<line class=\"lane\(silent ? " silent" : "")\" x1=\"\(x(i))\" y1=\"\(top - 8)\" x2=\"\(x(i))\" y2=\"\(height - 4)\"/>"
      svg +=
        "<text class=\"lane-name\(silent ? " silent" : "")\" x=\"\(x(i))\" y=\"14\">\(name)\(silent ? " (silent)" : "")</text>"
      svg += "<text class=\"lane-title\" x=\"\(x(i))\" y=\"28\">\(Self.escape(titles[i]))</text>"
    }
    for (i, e) in t.sequence.enumerated() {
      let y = top + row * i + row / 2
      var (from, to) = DHCPv6Ladder.lanesOf(e, relays: relays)
      // The server lane of the server this hop reached or came from.
      let server = servers.firstIndex { $0?.addresses.contains(from > to ? e.source : e.destination) == true } ?? 0
      if from == relays + 1 { from += server }
      if to == relays + 1 { to += server }
      let style = e.isDuplicate ? "dim" : "ok"
      let direction = x(to) > x(from) ? 1 : -1
      svg +=
        "<text class=\"time\" x=\"4\" y=\"\(y + 4)\">\(formatDecimal(e.timestamp.milliseconds(since: t.firstSeen), places: 3)) ms</text>"
      svg += "<line class=\"arrow \(style)\" x1=\"\(x(from))\" y1=\"\(y)\" x2=\"\(x(to) - direction * 2)\" y2=\"\(y)\""
      svg += " marker-end=\"url(#head-\(style))\"/>"
      var label = "\(DHCPv6MessageType.name(e.messageType)) #\(e.frame)"
      if e.isDuplicate { label += " (same packet)" }
      let place = files.point(e.fileIndex).map { "at \($0), " } ?? ""
      let tooltip = "\(place)frame \(e.frame) of \(files.path(e.fileIndex)), \(Self.calendar(e.timestamp))"
      svg += "<text class=\"label \(style)\" x=\"\((x(from) + x(to)) / 2)\" y=\"\(y - 5)\">\(Self.escape(label))"
      svg += "<title>\(Self.escape(tooltip))</title></text>"
    }
    return svg + "</svg>\n"
  }

  func footer(_ s: Summary, files: InputFiles) -> String {
    var page = ""
    if leftOutProblems + leftOutHealthy > 0 {
      page +=
        "<p class=\"left-out\">Ladders drawn: \(drawnProblems) with a problem, \(drawnHealthy) healthy. Left out to keep the page small: \(leftOutProblems) with a problem (beyond \(Self.maximumProblemLadders)) and \(leftOutHealthy) healthy (beyond the first \(Self.maximumHealthyLadders)). The summary and the charts count every transaction; `analyze --format jsonl` lists them all.</p>\n"
    }
    page += "</section>\n"
    page += dashboard(s, files: files)
    page += "</main>\n<script>\(Self.script)</script>\n</body></html>\n"
    return page
  }

  // MARK: A transaction

  private struct Lanes {
    var names: [String] = []
    var titles: [String] = []
    var silent: [Bool] = []
    var relayIndex: [IPv4Address: Int] = [:]
    var serverIndex: [IPv4Address: Int] = [:]
  }

  private func lanes(_ t: TransactionRecord) -> Lanes {
    var lanes = Lanes()
    lanes.names.append("client")
    lanes.titles.append(t.clientMAC.description)
    lanes.silent.append(false)
    for r in t.relayAgents {
      lanes.relayIndex[r] = lanes.names.count
      lanes.names.append("relay")
      lanes.titles.append(r.description)
      lanes.silent.append(false)
    }
    let servers = t.serverAddresses
    for a in servers {
      lanes.serverIndex[a] = lanes.names.count
      lanes.names.append("server")
      lanes.titles.append(a.description)
      lanes.silent.append(t.servers.contains { $0.address == a && !$0.answered && $0.forwarded > 0 })
    }
    if t.relayAgents.isEmpty && t.sequence.contains(where: { [.clientRelay, .relayClient].contains($0.leg) }) {
      lanes.relayIndex[.zero] = lanes.names.count
      lanes.names.append("relay")
      lanes.titles.append("relay")
      lanes.silent.append(false)
    }
    if servers.isEmpty {
      lanes.names.append("server")
      lanes.titles.append("server")
      lanes.silent.append(false)
    }
    return lanes
  }

  private func section(_ t: TransactionRecord, files: InputFiles) -> String {
    let id = "xid-" + Ladder.formatXID(t.xid)
    let lanes = lanes(t)
    let clientWords = ([t.clientMAC.description, t.client.hostName].compactMap { $0 }).joined(separator: " ")
    var html = "<section class=\"tx\(t.hasProblem ? " problem" : "")\" id=\"\(id)\""
    html += " data-flags=\"\(Self.escape(t.flags.map(\.rawValue).joined(separator: " ")))\""
    html += " data-client=\"\(Self.escape(clientWords.lowercased()))\""
    html += " data-servers=\"\(Self.escape(t.servers.map(\.address.description).joined(separator: " ")))\">\n"
    html += "<h3><a href=\"#\(id)\">\(t.kind.rawValue) \(Ladder.formatXID(t.xid))</a>"
    html += " <span class=\"outcome \(t.hasProblem ? "bad" : "good")\">\(t.outcome.rawValue)"
    if let a = t.assignedAddress { html += " \(a)" }
    html += "</span> <span class=\"when\">\(Self.calendar(t.firstSeen))</span></h3>\n"
    var facts = ["client \(t.clientMAC)"]
    facts += Ladder.identityParts(t)
    if !t.relayAgents.isEmpty { facts.append("relay " + t.relayAgents.map(\.description).joined(separator: ", ")) }
    for s in t.servers {
      facts.append("server \(s.address) (\(s.forwarded) sent, \(s.replies == 1 ? "1 reply" : "\(s.replies) replies"))")
    }
    html += "<p class=\"facts\">" + facts.map(Self.escape).joined(separator: " · ") + "</p>\n"
    html += ladder(t, lanes: lanes, files: files)
    if !t.findings.isEmpty {
      html += "<ul class=\"findings\">"
      for f in t.findings {
        html += "<li class=\"\(f.severity.rawValue)\" data-code=\"\(f.code)\">\(Self.escape(f.sentence(files)))</li>"
      }
      html += "</ul>\n"
    } else {
      html += "<p class=\"ok\">no problems seen</p>\n"
    }
    return html + "</section>\n"
  }

  /// The ladder: a lane per client, relay and server; an arrow per packet, labelled with its
  /// type, frame and time. Retransmissions are dashed, duplicates dotted and grey, late
  /// replies amber; a silent server's lane is red and its unanswered requests end in a cross.
  private func ladder(_ t: TransactionRecord, lanes: Lanes, files: InputFiles) -> String {
    let laneWidth = 190
    let left = 130
    let top = 44
    let row = 30
    let width = left + laneWidth * (lanes.names.count - 1) + 120
    let height = top + row * t.sequence.count + 16
    func x(_ lane: Int) -> Int { left + lane * laneWidth }
    var svg =
      "<svg class=\"ladder\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
    svg += "<title>\(t.kind.rawValue) \(Ladder.formatXID(t.xid))</title>"
    for (i, name) in lanes.names.enumerated() {
      let silent = lanes.silent[i]
      svg +=
        "<line class=\"lane\(silent ? " silent" : "")\" x1=\"\(x(i))\" y1=\"\(top - 8)\" x2=\"\(x(i))\" y2=\"\(height - 4)\"/>"
      svg +=
        "<text class=\"lane-name\(silent ? " silent" : "")\" x=\"\(x(i))\" y=\"14\">\(name)\(silent ? " (silent)" : "")</text>"
      svg += "<text class=\"lane-title\" x=\"\(x(i))\" y=\"28\">\(Self.escape(lanes.titles[i]))</text>"
    }
    let start = t.sequence.first?.timestamp ?? t.firstSeen
    let late = Set(
      t.findings.compactMap { f -> UInt8? in
        if case .lateFinalReply(_, let type, _) = f { return type }
        if case .lateOffer = f { return MessageType.offer }
        return nil
      })
    var seen: [String: Int] = [:]
    for (i, e) in t.sequence.enumerated() {
      let y = top + row * i + row / 2
      let relayLane = lanes.relayIndex[e.giaddr] ?? lanes.relayIndex.values.min() ?? 1
      let serverLane = e.serverAddress.flatMap { lanes.serverIndex[$0] } ?? (lanes.names.count - 1)
      func lane(_ party: Leg.Party) -> Int {
        switch party {
        case .client: return 0
        case .relay: return relayLane
        case .server: return serverLane
        }
      }
      let (from, to) = (lane(e.leg.ends.from), lane(e.leg.ends.to))
      let key = "\(e.leg.rawValue) \(e.typeName) \(e.serverAddress?.description ?? "")"
      let isRetransmission = e.isRequest && seen[key, default: 0] > 0 && !e.isDuplicate
      seen[key, default: 0] += 1
      let isLate = !e.isRequest && e.messageType.map { late.contains($0) } == true
      let unanswered = e.isRequest && to >= 0 && lanes.silent[to]
      var style = "ok"
      if e.isDuplicate {
        style = "dim"
      } else if isLate {
        style = "warn"
      }
      let x1 = x(from)
      let x2 = x(to)
      let direction = x2 > x1 ? 1 : -1
      svg +=
        "<text class=\"time\" x=\"4\" y=\"\(y + 4)\">\(formatDecimal(e.timestamp.milliseconds(since: start), places: 3)) ms</text>"
      svg += "<line class=\"arrow \(style)\(isRetransmission ? " retransmission" : "")\" x1=\"\(x1)\" y1=\"\(y)\""
      svg += " x2=\"\(x2 - direction * 2)\" y2=\"\(y)\" marker-end=\"url(#head-\(style))\"/>"
      var label = "\(e.typeName) #\(e.frame)"
      if isRetransmission { label += " again" }
      if e.isDuplicate { label += " (same packet)" }
      if isLate { label += " late" }
      // Where and when, on hover: the file and the packet's own time.
      let place = files.point(e.fileIndex).map { "at \($0), " } ?? ""
      let tooltip = "\(place)frame \(e.frame) of \(files.path(e.fileIndex)), \(Self.calendar(e.timestamp))"
      svg += "<text class=\"label \(style)\" x=\"\((x1 + x2) / 2)\" y=\"\(y - 5)\">\(Self.escape(label))"
      svg += "<title>\(Self.escape(tooltip))</title></text>"
      if unanswered {
        svg += "<text class=\"unanswered\" x=\"\(x2 + 8)\" y=\"\(y + 4)\">✕ no reply</text>"
      }
    }
    return svg + "</svg>\n"
  }

  // MARK: The dashboard

  private func dashboard(_ s: Summary, files: InputFiles) -> String {
    var html = "<section class=\"dashboard\" id=\"summary\">\n<h1>dhcpscope report</h1>\n"
    html += "<p class=\"files\">" + files.paths.map { "<code>\(Self.escape($0))</code>" }.joined(separator: " ")
    if let first = s.firstPacket, let last = s.lastPacket {
      html += " · \(Self.calendar(first)) to \(Self.calendar(last)) (\(formatDecimal(s.spanSeconds, places: 3)) s)"
    }
    html +=
      "</p>\n<p class=\"counts\">\(s.frames) frames, \(s.dhcpPackets) DHCP packets (\(s.duplicatePackets) seen twice),"
    html += " \(s.otherPackets) other, \(s.malformedPackets) malformed"
    if s.icmpErrors > 0 { html += ", \(s.icmpErrors) ICMP errors" }
    if s.dhcpv6Packets > 0 { html += ", \(s.dhcpv6Packets) DHCPv6 messages" }
    html += " · \(plural(s.transactions, "transaction")) from \(plural(s.distinctClients, "client"))</p>\n"

    if s.captures.count > 1 {
      html += "<div class=\"card wide\"><h2>Capture points</h2><table><tr><th>point</th><th>file</th><th>packets</th>"
      html += "<th>clock offset ms</th><th>± ms</th><th>matched</th></tr>"
      for c in s.captures {
        html += "<tr><td>\(Self.escape(c.point ?? "-"))</td><td><code>\(Self.escape(c.file))</code></td>"
        html += "<td class=\"num\">\(c.packets)</td>"
        html += "<td class=\"num\">\(c.clockOffsetMilliseconds.map { formatDecimal($0, places: 3) } ?? "no match")</td>"
        html += "<td class=\"num\">\(c.offsetUncertaintyMilliseconds.map { formatDecimal($0, places: 3) } ?? "-")</td>"
        html += "<td class=\"num\">\(c.matchedMessages)</td></tr>"
      }
      html += "</table></div>\n"
    }
    html += "<div class=\"cards\">"
    html += "<div class=\"card\"><h2>Outcomes</h2><table><tr><th>kind</th>"
    for o in Outcome.allCases { html += "<th>\(o.rawValue)</th>" }
    html += "</tr>"
    for k in TransactionKind.allCases {
      guard let by = s.outcomesByKind[k] else { continue }
      html += "<tr><td>\(k.rawValue)</td>"
      for o in Outcome.allCases {
        let n = by[o] ?? 0
        let bad = n > 0 && (o == .nak || o == .timeout || o == .declined)
        html += "<td class=\"num\(bad ? " bad" : "")\">\(n == 0 ? "" : String(n))</td>"
      }
      html += "</tr>"
    }
    html += "</table></div>"
    html += "<div class=\"card\"><h2>Flags</h2>"
    let flags = s.flags
    if flags.isEmpty { html += "<p class=\"ok\">none</p>" }
    html += "<ul class=\"flags\">"
    for f in TransactionFlag.allCases { if let n = flags[f] { html += "<li><code>\(f.rawValue)</code> \(n)</li>" } }
    html += "</ul></div></div>\n"
    html += strip(s)
    html += endpoints("Servers", s.servers)
    html += endpoints("Relay agents", s.relayAgents)
    html += filters(s)
    return html + "</section>\n"
  }

  /// Transactions over time: a column per slice of the capture, its height the transactions
  /// that began then, red for those with a problem.
  private func strip(_ s: Summary) -> String {
    guard let first = perSecond.keys.min(), let last = perSecond.keys.max() else { return "" }
    let span = Int(last - first) + 1
    let columns = min(Self.stripColumns, span)
    var all = [Int](repeating: 0, count: columns)
    var problems = [Int](repeating: 0, count: columns)
    for (second, bin) in perSecond {
      let c = min(columns - 1, Int(second - first) * columns / span)
      all[c] += bin.all
      problems[c] += bin.problems
    }
    let peak = max(1, all.max() ?? 1)
    let barWidth = 6
    let height = 80
    var svg = "<div class=\"card wide\"><h2>Transactions over time</h2>"
    svg +=
      "<svg class=\"strip\" viewBox=\"0 0 \(columns * barWidth) \(height + 16)\" width=\"\(columns * barWidth)\" height=\"\(height + 16)\">"
    for c in 0..<columns where all[c] > 0 {
      let h = max(1, all[c] * height / peak)
      let p = problems[c] * height / peak
      svg +=
        "<rect class=\"good\" x=\"\(c * barWidth)\" y=\"\(height - h)\" width=\"\(barWidth - 1)\" height=\"\(h - p)\"><title>\(all[c]) transactions, \(problems[c]) with a problem</title></rect>"
      if problems[c] > 0 {
        svg +=
          "<rect class=\"bad\" x=\"\(c * barWidth)\" y=\"\(height - p)\" width=\"\(barWidth - 1)\" height=\"\(max(1, p))\"/>"
      }
    }
    svg += "<text x=\"0\" y=\"\(height + 13)\">+0 s</text>"
    svg += "<text x=\"\(columns * barWidth)\" y=\"\(height + 13)\" text-anchor=\"end\">+\(span) s</text>"
    return svg
      + "</svg><p class=\"legend\"><span class=\"swatch good\"></span> healthy <span class=\"swatch bad\"></span> with a problem</p></div>\n"
  }

  /// A table of servers or relay agents, with a box plot of response times (min, median,
  /// p95, max) on a logarithmic scale from 0.1 ms to 10 s.
  private func endpoints(_ title: String, _ rows: [EndpointStatistics]) -> String {
    guard !rows.isEmpty else { return "" }
    var html = "<div class=\"card wide\"><h2>\(title)</h2><table><tr><th>address</th><th>txns</th><th>requests</th>"
    html += "<th>replies</th><th>answered</th><th>response time (ms): min, median, p95, max</th></tr>"
    for r in rows {
      let st = r.responseTimes
      let rate = r.answerRate.map { formatDecimal($0 * 100, places: 1) + "%" } ?? "-"
      let bad = (r.answerRate ?? 1) < 1
      html += "<tr><td><code>\(Self.escape(r.displayName))</code></td><td class=\"num\">\(r.transactions)</td>"
      html += "<td class=\"num\">\(r.requests)</td><td class=\"num\">\(r.replies)</td>"
      html += "<td class=\"num\(bad ? " bad" : "")\">\(rate)</td><td>"
      if st.count > 0, let median = st.quantile(0.5), let p95 = st.quantile(0.95) {
        html += boxPlot(minimum: st.minimum, median: median, p95: p95, maximum: st.maximum)
        html +=
          " <span class=\"stats\">\([st.minimum, median, p95, st.maximum].map { formatDecimal($0, places: 3) }.joined(separator: ", "))</span>"
      } else {
        html += "<span class=\"stats\">no replies</span>"
      }
      html += "</td></tr>"
    }
    return html + "</table></div>\n"
  }

  private func boxPlot(minimum: Double, median: Double, p95: Double, maximum: Double) -> String {
    let width = 240.0
    func x(_ ms: Double) -> Int {
      let clamped = min(max(ms, 0.1), 10_000)
      return Int((log10(clamped) + 1) / 5 * width)
    }
    var svg = "<svg class=\"box\" viewBox=\"0 0 \(Int(width)) 18\" width=\"\(Int(width))\" height=\"18\">"
    for tick in [0.1, 1, 10, 100, 1000, 10000] {
      svg += "<line class=\"tick\" x1=\"\(x(tick))\" y1=\"0\" x2=\"\(x(tick))\" y2=\"18\"/>"
    }
    svg += "<line class=\"whisker\" x1=\"\(x(minimum))\" y1=\"9\" x2=\"\(x(maximum))\" y2=\"9\"/>"
    svg += "<rect class=\"iqr\" x=\"\(x(median))\" y=\"3\" width=\"\(max(2, x(p95) - x(median)))\" height=\"12\"/>"
    svg += "<line class=\"median\" x1=\"\(x(median))\" y1=\"1\" x2=\"\(x(median))\" y2=\"17\"/>"
    return svg + "<title>log scale, 0.1 ms to 10 s</title></svg>"
  }

  private func filters(_ s: Summary) -> String {
    var html = "<div class=\"card wide filters\" id=\"filters\" hidden><h2>Show</h2>"
    html += "<label><input type=\"checkbox\" id=\"only-problems\"> only problems</label> "
    html += "<label>flag <select id=\"flag\"><option value=\"\">any</option>"
    for f in TransactionFlag.allCases where s.flags[f] != nil { html += "<option>\(f.rawValue)</option>" }
    html += "</select></label> "
    html += "<label>client <input id=\"client\" placeholder=\"MAC or host name\"></label> "
    html += "<label>server <input id=\"server\" placeholder=\"address\"></label> "
    html += "<span id=\"shown\"></span></div>\n"
    return html
  }

  // MARK: Text

  /// A time as people read it, in UTC (a shared page has no one local zone).
  static func calendar(_ t: Timestamp) -> String {
    var w = ReportWriter(capacity: 64)
    w.plainCalendarTime(t, utc: true, fractionDigits: 3)
    return w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }

  static func escape(_ text: String) -> String {
    guard text.contains(where: { "<>&\"'".contains($0) }) else { return text }
    var out = ""
    for c in text {
      switch c {
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(c)
      }
    }
    return out
  }

  static let style = """
    body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f3f4f6}
    .page{display:flex;flex-direction:column;gap:16px;max-width:1200px;margin:0 auto;padding:16px}
    .dashboard{order:-1}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:15px;margin:0 0 8px}h3{font-size:15px;margin:0 0 4px}
    code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
    .files,.counts{margin:2px 0;color:#4b5563}
    .cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
    .card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px;margin-bottom:12px}
    .cards .card{margin-bottom:0}.card.wide{overflow-x:auto}
    table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #f3f4f6}
    th{font-weight:600;color:#4b5563}td.num{text-align:right;font-variant-numeric:tabular-nums}
    .bad{color:#b91c1c;font-weight:600}.good{color:#15803d}.ok{color:#15803d;margin:4px 0}
    ul.flags{margin:0;padding-left:18px}
    .strip rect.good{fill:#86efac}.strip rect.bad{fill:#ef4444}.strip text{font-size:10px;fill:#6b7280}
    .legend{font-size:12px;color:#4b5563}.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}
    .swatch.good{background:#86efac}.swatch.bad{background:#ef4444}
    .box .tick{stroke:#e5e7eb}.box .whisker{stroke:#6b7280}.box .iqr{fill:#bfdbfe;stroke:#2563eb}.box .median{stroke:#1d4ed8;stroke-width:2}
    .stats{font-size:12px;color:#4b5563}
    .tx{background:#fff;border:1px solid #e5e7eb;border-left:4px solid #22c55e;border-radius:8px;padding:10px 12px;margin-bottom:12px;overflow-x:auto}
    .tx.problem{border-left-color:#ef4444}
    .tx h3 a{color:inherit;text-decoration:none}.when{color:#6b7280;font-weight:400;font-size:12px}
    .outcome{font-size:13px;padding:1px 6px;border-radius:4px}.outcome.good{background:#dcfce7}.outcome.bad{background:#fee2e2}
    .facts{margin:0 0 6px;color:#4b5563;font-size:13px}
    .ladder text{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
    .ladder .lane{stroke:#9ca3af;stroke-width:1.5}.ladder .lane.silent{stroke:#ef4444;stroke-dasharray:4 3}
    .ladder .lane-name{text-anchor:middle;font-weight:700;fill:#374151}.ladder .lane-name.silent{fill:#b91c1c}
    .ladder .lane-title{text-anchor:middle;fill:#6b7280}
    .ladder .time{fill:#6b7280}.ladder .label{text-anchor:middle;fill:#111827}
    .ladder .arrow{stroke-width:1.6}.ladder .arrow.ok{stroke:#1f2937}.ladder .arrow.warn{stroke:#b45309}.ladder .label.warn{fill:#b45309}
    .ladder .arrow.dim{stroke:#9ca3af;stroke-dasharray:2 3}.ladder .label.dim{fill:#9ca3af}
    .ladder .arrow.retransmission{stroke-dasharray:6 4}.ladder .unanswered{fill:#b91c1c;font-weight:700}
    ul.findings{margin:6px 0 0;padding-left:20px}.findings li.problem{color:#b91c1c}.findings li.note{color:#6b7280}
    .left-out{background:#fff7ed;border:1px solid #fed7aa;border-radius:8px;padding:8px 12px}
    .filters label{margin-right:14px}
    @media print{.filters{display:none}body{background:#fff}}
    """

  /// Filtering without a server: sections carry their flags, client words and servers as
  /// data attributes; without script the whole page reads top to bottom.
  static let script = """
    (function(){var f=document.getElementById('filters');f.hidden=false;
    var only=document.getElementById('only-problems'),flag=document.getElementById('flag'),
    client=document.getElementById('client'),server=document.getElementById('server'),
    shown=document.getElementById('shown'),txs=document.querySelectorAll('section.tx');
    function apply(){var n=0;for(var i=0;i<txs.length;i++){var t=txs[i],ok=true;
    if(only.checked&&!t.classList.contains('problem'))ok=false;
    if(flag.value&&(' '+t.dataset.flags+' ').indexOf(' '+flag.value+' ')<0)ok=false;
    if(client.value&&t.dataset.client.indexOf(client.value.toLowerCase())<0)ok=false;
    if(server.value&&t.dataset.servers.indexOf(server.value)<0)ok=false;
    t.style.display=ok?'':'none';if(ok)n++;}shown.textContent=n+' of '+txs.length+' drawn transactions shown';}
    [only,flag,client,server].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
    apply();})();
    """
}
