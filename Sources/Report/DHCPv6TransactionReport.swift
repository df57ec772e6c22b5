import Correlate
import Dissect

/// analyze's and sniff's report of a DHCPv6 transaction: the contract's fields in JSON, the
/// scalar ones in CSV, and a ladder with a column per relay of the chain in text, HTML and
/// Mermaid.
extension TransactionReport {
  public mutating func render(_ t: DHCPv6TransactionRecord, into w: inout ReportWriter) {
    if summaryOnly || (selection.isActive && !selection.selects(t)) { return }
    switch format {
    case .json:
      if written > 0 { w.raw(",\n") }
      writeJSON(t, into: &w)
    case .jsonl:
      writeJSON(t, into: &w)
      w.newline()
    case .csv: writeCSV(t, into: &w)
    case .text: DHCPv6Ladder.write(t, files: files, layout: layout, into: &w)
    case .html: page.add(t, files: files, into: &w)
    case .mermaid: MermaidDiagram.write(t, into: &w)
    }
    written += 1
  }

  public func writeJSON(_ t: DHCPv6TransactionRecord, into w: inout ReportWriter) {
    w.beginObject()
    w.key("family")
    w.string("dhcpv6")
    w.key("xid")
    w.string(PacketReport.xid(t.xid))
    w.key("client_mac")
    if let mac = t.clientMAC { w.hardwareAddress(mac) } else { w.null() }
    w.key("client_duid")
    w.optionalString(t.clientDUID.map { Hex.colonSeparated($0) })
    w.key("kind")
    w.string(t.kind.rawValue)
    w.key("outcome")
    w.string(t.outcome.rawValue)
    w.key("assigned_addresses")
    writeLeases(t.assignedAddresses, into: &w)
    w.key("delegated_prefixes")
    writeLeases(t.delegatedPrefixes, into: &w)
    w.key("status")
    if let s = t.status {
      w.beginObject()
      w.key("code")
      w.int(s.code)
      w.key("name")
      w.string(s.name)
      w.key("message")
      w.string(s.message)
      w.endObject()
    } else {
      w.null()
    }
    w.key("relay_agents")
    w.stringArray(t.relayAgents.map(\.description))
    w.key("servers")
    w.beginArray()
    for s in t.servers {
      w.beginObject()
      w.key("duid")
      w.optionalString(s.duid.map { Hex.colonSeparated($0) })
      w.key("address")
      w.optionalString(s.addresses.first?.description)
      w.key("addresses")
      w.stringArray(s.addresses.map(\.description))
      w.key("forwarded")
      w.int(s.forwarded)
      w.key("replies")
      w.int(s.replies)
      w.key("answered")
      w.bool(s.replies > 0)
      w.key("response_ms")
      w.optionalDecimal(s.responseMilliseconds)
      w.endObject()
    }
    w.endArray()
    w.key("sequence")
    w.beginArray()
    for e in t.sequence {
      writeSightingStart(frame: e.frame, fileIndex: e.fileIndex, timestamp: e.timestamp, into: &w)
      w.key("type")
      w.string(DHCPv6MessageType.name(e.messageType))
      w.key("xid")
      w.string(PacketReport.xid(e.xid))
      w.key("leg")
      names.write(e.leg, into: &w)
      w.key("src")
      w.string(e.source.description)
      w.key("dst")
      w.string(e.destination.description)
      w.key("relay_layers")
      w.int(e.relayLayers)
      if let hop = e.hopMilliseconds {
        w.key("hop_ms")
        w.decimal(hop)
      }
      if e.isDuplicate {
        w.key("duplicate")
        w.bool(true)
      }
      w.endObject()
    }
    w.endArray()
    writeFlags(t.flags, into: &w)
    writeTimings(t.timings, into: &w)
    w.key("anomalies")
    w.stringArray(t.findings.map(\.sentence))
    w.key("findings")
    w.beginArray()
    for f in t.findings {
      Self.writeFinding(code: f.code, severity: f.severity, parameters: f.parameters, files: files, into: &w)
    }
    w.endArray()
    w.endObject()
  }

  private func writeLeases(_ leases: [DHCPv6Lease], into w: inout ReportWriter) {
    w.beginArray()
    for l in leases {
      w.beginObject()
      if let length = l.prefixLength {
        w.key("prefix")
        w.string("\(l.address)/\(length)")
      } else {
        w.key("address")
        w.string(l.address.description)
      }
      w.key("preferred_lifetime")
      w.int(l.preferredLifetime)
      w.key("valid_lifetime")
      w.int(l.validLifetime)
      w.endObject()
    }
    w.endArray()
  }

  /// DHCPv4's columns: the first address and its valid lifetime, the client's DUID as its
  /// client id, a refusal's status message as the server's message.
  func writeCSV(_ t: DHCPv6TransactionRecord, into w: inout ReportWriter) {
    var fields: [String] = [
      PacketReport.xid(t.xid), t.clientMAC?.description ?? "", t.kind.rawValue, t.outcome.rawValue,
      t.assignedAddresses.first?.address.description ?? "",
      t.assignedAddresses.first.map { String($0.validLifetime) } ?? "",
      t.relayAgents.map(\.description).joined(separator: " "),
      t.servers.map { "\($0.addresses.first?.description ?? "?")(\($0.forwarded)/\($0.replies))" }.joined(
        separator: " "),
      t.flags.map(\.rawValue).joined(separator: " "),
    ]
    let tm = t.timings
    for v in [tm.discoverToOffer, tm.requestToAck, tm.total, tm.relayForward, tm.serverResponse, tm.relayReturn] {
      fields.append(v.map { formatDecimal($0, places: 3) } ?? "")
    }
    fields += [
      formatDecimal(Double(t.firstSeen.totalNanoseconds) / 1e9, places: 6), String(t.sequence.count), "",
      t.clientDUID.map { Hex.string($0) } ?? "", "", "", "", t.status?.message ?? "", "",
      t.findings.map(\.code).joined(separator: " "),
    ]
    for (i, f) in fields.enumerated() {
      if i > 0 { w.raw(",") }
      w.csvField(f)
    }
    w.newline()
  }
}

extension DHCPv6Finding {
  /// The finding in words, for people: the `anomalies` of JSON and the text ladder.
  public var sentence: String {
    func type(_ t: UInt8) -> String { DHCPv6MessageType.name(t) }
    switch self {
    case .retransmission(let t, let count): return "the client sent \(type(t)) \(count) times"
    case .serverNoReply(let s, let requests):
      return "server \(s) was sent \(plural(requests, "request")) and never replied"
    case .failover(let from, let to, let after):
      return "server \(from) never answered; the relay failed over to \(to) after \(duration(after))"
    case .multipleAdvertises(let servers):
      return "advertisements came from \(servers.count) servers: \(servers.joined(separator: ", "))"
    case .duplicateReply(let s, let t, let count): return "server \(s) sent \(type(t)) \(count) times"
    case .timeout(let t, let waited, let timeout):
      return "\(type(t)) went unanswered for \(duration(waited)) (--timeout \(formatDecimal(timeout, places: 3)) s)"
    case .captureEnded(let t, let waited):
      return "the capture ended \(duration(waited)) after the client's \(type(t)), before --timeout: no verdict"
    case .clientStopped(let after): return "the client sent nothing after the \(type(after))"
    case .status(let t, _, let name, let message, let inIA):
      let words = message.isEmpty ? "" : " (\"\(message)\")"
      return "the server's \(type(t)) refused with \(name)\(words)\(inIA ? " in its IA" : "")"
    case .interfaceIDNotEchoed(let relay):
      return "the Relay-Reply to relay \(relay) did not echo its Interface-Id (RFC 8415 §20.1)"
    case .relayReplyMismatch(let hop, let link, let peer):
      return "a Relay-Reply layer (hop-count \(hop), link \(link), peer \(peer)) matches no Relay-Forward"
    case .hopCountLimit(let relay, let hop):
      return "relay \(relay) forwarded with hop-count \(hop), at or over HOP_COUNT_LIMIT 8"
    case .relayReplyWithoutLink(let peer):
      return "a Relay-Reply for peer \(peer) has link-address :: and no Interface-Id: the relay cannot tell the link"
    case .replyToOtherAddress(let expected, let actual):
      return "the server sent its Relay-Reply to \(actual), not to \(expected), where the Relay-Forward came from"
    case .lateAdvertise(let s, let after):
      return "ADVERTISE from \(s) reached the client \(duration(after)) after it had sent REQUEST"
    case .evicted(let limit): return "closed early: more than \(limit) transactions were open at once (--max-tracked)"
    }
  }
}

/// The text view of a DHCPv6 transaction: a column for the client, one per relay of the
/// chain (client side first), one for the servers; a row per hop of each packet.
enum DHCPv6Ladder {
  static func write(_ t: DHCPv6TransactionRecord, files: InputFiles, layout: LadderLayout, into w: inout ReportWriter) {
    let g = layout.glyphs
    var lines: [String] = []
    var head =
      "\(g.transactionRule) \(calendar(t.firstSeen, utc: layout.style.utc))  \(t.kind.rawValue)  xid \(PacketReport.xid(t.xid))"
    if let mac = t.clientMAC { head += "  client \(mac)" }
    lines.append(head)
    var outcome = "   \(g.outcome) \(t.outcome.rawValue)"
    let leases =
      t.assignedAddresses.map { "\($0.address) (valid \(durationText($0.validLifetime)))" }
      + t.delegatedPrefixes.map {
        "prefix \($0.address)/\($0.prefixLength ?? 0) (valid \(durationText($0.validLifetime)))"
      }
    if !leases.isEmpty { outcome += " " + leases.joined(separator: ", ") }
    if let s = t.status { outcome += " \(s.name)" + (s.message.isEmpty ? "" : " \"\(s.message)\"") }
    lines.append(outcome)
    if let duid = t.clientDUID { lines.append("   duid \(Hex.colonSeparated(duid))") }
    var who: [String] = []
    if !t.relayAgents.isEmpty { who.append("relay " + t.relayAgents.map(\.description).joined(separator: " > ")) }
    for s in t.servers {
      who.append(
        "server \(s.addresses.first?.description ?? "?") (\(s.forwarded) sent, \(s.replies == 1 ? "1 reply" : "\(s.replies) replies"))"
      )
    }
    if !who.isEmpty {
      lines.append(Ladder.wrap("   " + who.joined(separator: "   "), width: layout.style.columns, indent: 5))
    }
    // Lanes: client, each relay, server.
    let lanes = 2 + t.relayAgents.count
    let gap = max(10, min(layout.gap, (layout.style.columns - Ladder.timeColumns - 12) / max(1, lanes - 1)))
    var header = "   " + Ladder.pad("time ms", 10, right: true) + "  " + Ladder.pad("client", gap)
    for i in t.relayAgents.indices { header += Ladder.pad(t.relayAgents.count == 1 ? "relay" : "relay \(i + 1)", gap) }
    lines.append(header + "server")
    for (n, e) in t.sequence.enumerated() {
      let (from, to) = lanesOf(e, relays: t.relayAgents.count)
      var time = ReportWriter(capacity: 32)
      Ladder.writeFixed3(e.timestamp.milliseconds(since: t.firstSeen), width: 10, into: &time)
      var row = "   " + time.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } + "  "
      row += arrow(DHCPv6MessageType.name(e.messageType), from: from, to: to, lanes: lanes, gap: gap, glyphs: g)
      row += "  #\(n + 1)"
      if e.isDuplicate { row += "  duplicate" }
      if let hop = e.hopMilliseconds { row += "  +\(formatDecimal(hop, places: 3)) ms" }
      lines.append(row)
    }
    if !t.flags.isEmpty { lines.append("   flags: " + t.flags.map(\.rawValue).joined(separator: ", ")) }
    for f in t.findings { lines.append(layout.findingLine(f.severity, f.sentence)) }
    w.raw(text: lines.joined(separator: "\n") + "\n\n")
  }

  /// The lane a hop leaves and the lane it reaches. A relay→relay hop with k layers joins
  /// relay k and relay k + 1 (from the client side).
  static func lanesOf(_ e: DHCPv6SequenceEntry, relays: Int) -> (Int, Int) {
    let server = relays + 1
    switch e.leg {
    case .clientRelay: return (0, 1)
    case .relayClient: return (1, 0)
    case .clientServer: return (0, server)
    case .serverClient: return (server, 0)
    case .relayServer: return (relays, server)
    case .serverRelay: return (server, relays)
    case .relayRelay:
      return e.isReply ? (e.relayLayers + 1, e.relayLayers) : (e.relayLayers, e.relayLayers + 1)
    }
  }

  static func arrow(_ label: String, from: Int, to: Int, lanes: Int, gap: Int, glyphs g: LadderLayout.Glyphs) -> String
  {
    var cells = Array(repeating: Character(" "), count: (lanes - 1) * gap + 1)
    for lane in 0..<lanes { cells[lane * gap] = g.lifeline }
    let (a, b) = (min(from, to) * gap, max(from, to) * gap)
    for i in (a + 1)..<b { cells[i] = g.shaft }
    cells[from * gap] = g.sender
    if to > from { cells[b - 1] = g.right } else { cells[a + 1] = g.left }
    let short = label == "INFORMATION-REQUEST" && label.count + 2 >= b - a - 3 ? "INFO-REQUEST" : label
    let text = Array(" \(short) ")
    if text.count < b - a - 3 {
      let start = a + (b - a - text.count) / 2 + 1
      for (i, c) in text.enumerated() { cells[start + i] = c }
    }
    return String(cells)
  }

  static func calendar(_ t: Timestamp, utc: Bool) -> String {
    var w = ReportWriter(capacity: 64)
    w.plainCalendarTime(t, utc: utc, fractionDigits: 3)
    return w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }

  static func durationText(_ seconds: UInt32) -> String {
    var w = ReportWriter(capacity: 32)
    w.plainDuration(Int(seconds))
    return w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }
}
