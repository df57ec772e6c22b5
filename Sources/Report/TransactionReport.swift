import Correlate
import Dissect

/// `analyze` and `sniff` output: transactions as they end, then the summary.
public struct TransactionReport {
  public let format: OutputFormat
  public let files: InputFiles
  /// Which transactions are written; the summary counts them all.
  public var selection: TransactionSelection
  /// Writes the summary alone (`-q`/`--summary`).
  public var summaryOnly: Bool
  public let style: TextStyle
  let layout: LadderLayout
  var written = 0
  var page = HTMLPage()
  let names: QuotedNames
  /// Whether any input names a capture point: without one, a sequence entry need not look
  /// its file's point up (a copy of an optional string, per packet of the report).
  let namesPoints: Bool
  let renderedFindings = RenderedFindings()

  public init(
    format: OutputFormat, files: InputFiles, selection: TransactionSelection = TransactionSelection(),
    summaryOnly: Bool = false, style: TextStyle = TextStyle()
  ) {
    self.format = format
    self.style = style
    layout = LadderLayout(style, drawsArrows: format == .text)
    self.files = files
    self.selection = selection
    self.summaryOnly = summaryOnly
    names = QuotedNames(files)
    namesPoints = files.points.contains { $0 != nil }
  }

  public static let csvColumns = [
    "xid", "client_mac", "kind", "outcome", "assigned_address", "lease_seconds", "relay_agents",
    "servers", "flags", "discover_to_offer", "request_to_ack", "total", "relay_forward",
    "server_response", "relay_return", "first_ts", "packets", "host_name", "client_id",
    "requested_address", "circuit_id", "remote_id", "server_message", "request_to_nak", "findings",
  ]

  public func header() -> String {
    switch format {
    case .json: return "{\"transactions\": [\n"
    case .csv: return Self.csvColumns.joined(separator: ",") + "\n"
    case .html: return page.header(files: files)
    case .text, .jsonl, .mermaid: return ""
    }
  }

  /// Appends one transaction to `w.out` (nothing when the selection leaves it out).
  public mutating func render(_ t: TransactionRecord, into w: inout ReportWriter) {
    if summaryOnly || (selection.isActive && !selection.selects(t)) { return }
    defer { written += 1 }
    switch format {
    case .json:
      if written > 0 { w.raw(",\n") }
      writeJSON(t, into: &w)
    case .jsonl:
      writeJSON(t, into: &w)
      w.newline()
    case .csv: writeCSV(t, into: &w)
    case .text: Ladder.write(t, files: files, layout: layout, findings: renderedFindings, into: &w)
    case .html: page.add(t, files: files, into: &w)
    case .mermaid: MermaidDiagram.write(t, into: &w)
    }
  }

  public func footer(_ s: Summary, into w: inout ReportWriter) {
    switch format {
    case .json:
      w.raw("\n], \"summary\": ")
      writeSummary(s, into: &w)
      w.raw("}\n")
    case .jsonl:
      w.beginObject()
      w.key("summary")
      writeSummary(s, into: &w)
      w.endObject()
      w.newline()
    case .csv, .mermaid: break
    case .text: w.raw(text: SummaryTable.render(s, layout: layout))
    case .html: w.raw(text: page.footer(s, files: files))
    }
  }

  // MARK: JSON

  public func writeJSON(_ t: TransactionRecord, into w: inout ReportWriter) {
    w.beginObject()
    w.key("family")
    w.rawValue("\"dhcpv4\"")
    w.key("xid")
    w.xid(t.xid)
    w.key("client_mac")
    w.hardwareAddress(t.clientMAC)
    w.key("kind")
    w.string(t.kind.rawValue)
    w.key("outcome")
    w.string(t.outcome.rawValue)
    w.key("assigned_address")
    w.optionalAddress(t.assignedAddress)
    w.key("lease_seconds")
    if let l = t.leaseSeconds { w.int(l) } else { w.null() }
    writeIdentity(t, into: &w)
    w.key("relay_agents")
    w.beginArray()
    for r in t.relayAgents { w.address(r) }
    w.endArray()
    w.key("servers")
    w.beginArray()
    for s in t.servers {
      w.beginObject()
      w.key("address")
      w.address(s.address)
      w.key("forwarded")
      w.int(s.forwarded)
      w.key("replies")
      w.int(s.replies)
      w.key("answered")
      w.bool(s.answered)
      w.key("response_ms")
      w.optionalDecimal(s.responseMilliseconds)
      w.endObject()
    }
    w.endArray()
    w.key("sequence")
    w.beginArray()
    for e in t.sequence {
      let point = namesPoints ? files.point(e.fileIndex) : nil
      let nanosecondPrecision = files.isNano(e.fileIndex)
      names.withNames(file: e.fileIndex, type: e.messageType, leg: e.leg) { file, type, leg in
        w.openSequenceEntry(
          frame: e.frame, file: file, point: point, timestamp: e.timestamp, nanosecondPrecision: nanosecondPrecision,
          type: type, leg: leg, source: e.source, destination: e.destination, duplicate: e.isDuplicate,
          interface: e.interface)
      }
      w.endObject()
    }
    w.endArray()
    writeFlags(t.flags, into: &w)
    writeTimings(t.timings, into: &w)
    w.key("anomalies")
    w.beginArray()
    for f in t.findings { renderedFindings.quoted(f, files: files).withUnsafeBytes { w.rawValue($0) } }
    w.endArray()
    w.key("findings")
    w.beginArray()
    for f in t.findings { renderedFindings.object(f, files: files).withUnsafeBytes { w.rawValue($0) } }
    w.endArray()
    w.endObject()
  }

  /// Opens a `sequence` entry with what every sighting has, in either family: its frame,
  /// file, capture point and time.
  func writeSightingStart(frame: Int, fileIndex: Int, timestamp: Timestamp, into w: inout ReportWriter) {
    w.beginObject()
    w.key("frame")
    w.int(frame)
    w.key("file")
    names.writePath(ofFile: fileIndex, into: &w)
    if let point = files.point(fileIndex) {
      w.key("point")
      w.string(point)
    }
    w.key("ts")
    w.timestamp(timestamp, nanosecondPrecision: files.isNano(fileIndex))
  }

  /// A transaction's `flags`, in either family.
  func writeFlags(_ flags: [TransactionFlag], into w: inout ReportWriter) {
    w.key("flags")
    w.beginArray()
    for f in flags { w.string(f.rawValue) }
    w.endArray()
  }

  func writeTimings(_ t: Timings, into w: inout ReportWriter) {
    w.key("timings")
    w.beginObject()
    w.key("discover_to_offer")
    w.optionalDecimal(t.discoverToOffer)
    w.key("request_to_ack")
    w.optionalDecimal(t.requestToAck)
    w.key("request_to_nak")
    w.optionalDecimal(t.requestToNak)
    w.key("total")
    w.optionalDecimal(t.total)
    w.key("relay_forward")
    w.optionalDecimal(t.relayForward)
    w.key("server_response")
    w.optionalDecimal(t.serverResponse)
    w.key("relay_return")
    w.optionalDecimal(t.relayReturn)
    w.endObject()
  }

  /// The client's identity, option 82 as relayed, and the server's message.
  func writeIdentity(_ t: TransactionRecord, into w: inout ReportWriter) {
    let c = t.client
    w.key("client")
    w.beginObject()
    w.key("host_name")
    w.optionalString(c.hostName)
    w.key("client_id")
    w.optionalString(c.clientID.map(IdentityText.clientIdentifier))
    w.key("vendor_class")
    w.optionalString(c.vendorClass)
    w.key("requested_address")
    w.optionalAddress(c.requestedAddress)
    w.key("requested_server")
    w.optionalAddress(c.requestedServer)
    w.key("fqdn")
    w.optionalString(c.fqdn)
    w.endObject()
    if let r = t.relayAgentInformation {
      w.key("relay_agent_information")
      w.beginObject()
      w.key("circuit_id")
      w.optionalString(r.circuitID.map(IdentityText.agentIdentifier))
      w.key("remote_id")
      w.optionalString(r.remoteID.map(IdentityText.agentIdentifier))
      w.key("subscriber_id")
      w.optionalString(r.subscriberID)
      w.key("link_selection")
      w.optionalAddress(r.linkSelection)
      w.endObject()
    }
    w.key("server_message")
    w.optionalString(t.serverMessage)
  }

  /// {"code": ..., "severity": ..., parameters...}
  static func writeFinding(_ f: Finding, files: InputFiles, into w: inout ReportWriter) {
    writeFinding(code: f.code, severity: f.severity, parameters: f.parameters, files: files, into: &w)
  }

  static func writeFinding(
    code: String, severity: Finding.Severity, parameters: [(key: String, value: FindingValue)],
    files: InputFiles, into w: inout ReportWriter
  ) {
    w.beginObject()
    w.key("code")
    w.string(code)
    w.key("severity")
    w.string(severity.rawValue)
    for (key, value) in parameters {
      w.dynamicKey(key)
      switch value {
      case .int(let v): w.int(v)
      case .ints(let vs):
        w.beginArray()
        for v in vs { w.int(v) }
        w.endArray()
      case .address(let a): w.address(a)
      case .optionalAddress(let a): w.optionalAddress(a)
      case .addresses(let list):
        w.beginArray()
        for a in list { w.address(a) }
        w.endArray()
      case .messageType(let t): w.string(MessageType.name(t))
      case .milliseconds(let v), .seconds(let v): w.decimal(v)
      case .text(let s): w.optionalString(s)
      case .texts(let list): w.stringArray(list)
      case .capture(let i): w.string(files.point(i) ?? files.path(i))
      }
    }
    w.endObject()
  }

  public func writeSummary(_ s: Summary, into w: inout ReportWriter) {
    w.beginObject()
    w.key("packets")
    w.beginObject()
    w.key("frames")
    w.int(s.frames)
    w.key("dhcp")
    w.int(s.dhcpPackets)
    w.key("duplicates")
    w.int(s.duplicatePackets)
    w.key("other")
    w.int(s.otherPackets)
    w.key("malformed")
    w.int(s.malformedPackets)
    w.key("malformed_reasons")
    w.beginObject()
    for reason in Malformed.Reason.allCases {
      guard let n = s.malformedByReason[reason] else { continue }
      w.dynamicKey(reason.rawValue)
      w.int(n)
    }
    w.endObject()
    w.key("icmp_errors")
    w.int(s.icmpErrors)
    w.key("dhcpv6")
    w.int(s.dhcpv6Packets)
    w.endObject()
    w.key("transactions")
    w.int(s.transactions)
    w.key("clients")
    w.int(s.distinctClients)
    w.key("clients_estimated")
    w.bool(s.clientCountIsEstimate)
    w.key("outcomes")
    w.beginObject()
    for o in Outcome.allCases {
      w.dynamicKey(o.rawValue)
      w.int(s.outcomes[o] ?? 0)
    }
    w.endObject()
    w.key("outcomes_by_kind")
    w.beginObject()
    for k in TransactionKind.allCases {
      guard let byOutcome = s.outcomesByKind[k] else { continue }
      w.dynamicKey(k.rawValue)
      w.beginObject()
      for o in Outcome.allCases where byOutcome[o] != nil {
        w.dynamicKey(o.rawValue)
        w.int(byOutcome[o]!)
      }
      w.endObject()
    }
    w.endObject()
    w.key("flags")
    w.beginObject()
    for f in TransactionFlag.allCases where s.flags[f] != nil {
      w.dynamicKey(f.rawValue)
      w.int(s.flags[f]!)
    }
    w.endObject()
    w.key("servers")
    writeEndpoints(s.servers, into: &w)
    w.key("relay_agents")
    writeEndpoints(s.relayAgents, into: &w)
    w.key("time_span")
    w.beginObject()
    w.key("first")
    if let f = s.firstPacket { w.timestamp(f, nanosecondPrecision: false) } else { w.null() }
    w.key("last")
    if let l = s.lastPacket { w.timestamp(l, nanosecondPrecision: false) } else { w.null() }
    w.key("seconds")
    w.decimal(s.spanSeconds)
    w.endObject()
    w.key("evicted")
    w.int(s.evicted)
    if let c = s.capture {
      w.key("capture")
      w.beginObject()
      w.key("received")
      w.int(c.received)
      w.key("dropped")
      w.int(c.dropped)
      w.key("interface_dropped")
      w.int(c.interfaceDropped)
      w.endObject()
    }
    w.key("starvation_suspected")
    w.bool(s.looksLikeStarvation)
    if let n = s.oneSidedByFilter {
      w.key("one_sided_by_filter")
      w.int(n)
    }
    w.key("captures")
    w.beginArray()
    for c in s.captures {
      w.beginObject()
      w.key("file")
      w.string(c.file)
      w.key("point")
      w.optionalString(c.point)
      w.key("packets")
      w.int(c.packets)
      w.key("first_ts")
      if let f = c.first { w.timestamp(f, nanosecondPrecision: false) } else { w.null() }
      w.key("last_ts")
      if let l = c.last { w.timestamp(l, nanosecondPrecision: false) } else { w.null() }
      w.key("clock_offset_ms")
      w.optionalDecimal(c.clockOffsetMilliseconds)
      w.key("offset_uncertainty_ms")
      w.optionalDecimal(c.offsetUncertaintyMilliseconds)
      w.key("matched_messages")
      w.int(c.matchedMessages)
      w.key("aligned")
      w.bool(c.aligned)
      w.endObject()
    }
    w.endArray()
    w.endObject()
  }

  func writeEndpoints(_ list: [EndpointStatistics], into w: inout ReportWriter) {
    w.beginArray()
    for e in list {
      w.beginObject()
      w.key("address")
      if let name = e.name {
        w.string(name)
        w.key("family")
        w.string("dhcpv6")
      } else {
        w.address(e.address)
      }
      if let duid = e.duid {
        w.key("duid")
        w.string(Hex.colonSeparated(duid))
      }
      w.key("transactions")
      w.int(e.transactions)
      w.key("requests")
      w.int(e.requests)
      w.key("replies")
      w.int(e.replies)
      w.key("asked")
      w.int(e.asked)
      w.key("answered")
      w.int(e.answered)
      w.key("answer_rate")
      w.optionalDecimal(e.answerRate)
      w.key("response_ms")
      writeLatency(e.responseTimes, into: &w)
      if !e.phaseTimes.isEmpty {
        w.key("response_ms_by_reply")
        w.beginObject()
        for (phase, stats) in e.phaseTimes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
          w.dynamicKey(phase.replyName)
          writeLatency(stats, into: &w)
        }
        w.endObject()
      }
      w.endObject()
    }
    w.endArray()
  }

  /// Order statistics: exact while the sample is small, else histogram estimates rounded to
  /// the precision the histogram has (`LatencyStatistics`).
  func writeLatency(_ r: LatencyStatistics, into w: inout ReportWriter) {
    w.beginObject()
    w.key("count")
    w.int(r.count)
    w.key("exact")
    w.bool(r.isExact)
    w.key("min")
    w.optionalDecimal(r.count > 0 ? r.minimum : nil)
    w.key("median")
    w.optionalDecimal(r.quantile(0.5))
    w.key("p95")
    w.optionalDecimal(r.quantile(0.95))
    w.key("max")
    w.optionalDecimal(r.count > 0 ? r.maximum : nil)
    w.endObject()
  }

  // MARK: CSV

  func writeCSV(_ t: TransactionRecord, into w: inout ReportWriter) {
    w.plainXID(t.xid)
    w.raw(",")
    w.plainHardwareAddress(t.clientMAC)
    w.raw(",")
    w.csvField(t.kind.rawValue)
    w.raw(",")
    w.csvField(t.outcome.rawValue)
    w.raw(",")
    if let a = t.assignedAddress { w.plainAddress(a) }
    w.raw(",")
    if let l = t.leaseSeconds { w.plainInt(l) }
    w.raw(",")
    for (i, r) in t.relayAgents.enumerated() {
      if i > 0 { w.raw(" ") }
      w.plainAddress(r)
    }
    w.raw(",")
    for (i, s) in t.servers.enumerated() {
      if i > 0 { w.raw(" ") }
      w.plainAddress(s.address)
      w.raw("(")
      w.plainInt(s.forwarded)
      w.raw("/")
      w.plainInt(s.replies)
      w.raw(")")
    }
    w.raw(",")
    for (i, f) in t.flags.enumerated() {
      if i > 0 { w.raw(" ") }
      w.raw(text: f.rawValue)
    }
    let tm = t.timings
    for v in [tm.discoverToOffer, tm.requestToAck, tm.total, tm.relayForward, tm.serverResponse, tm.relayReturn] {
      w.raw(",")
      if let v { w.plainDecimal(v) }
    }
    w.raw(",")
    w.plainTimestamp(t.firstSeen, nanosecondPrecision: false)
    w.raw(",")
    w.plainInt(t.sequence.count)
    w.raw(",")
    if let v = t.client.hostName { w.csvField(v) }
    w.raw(",")
    if let v = t.client.clientID { w.csvField(IdentityText.clientIdentifier(v)) }
    w.raw(",")
    if let a = t.client.requestedAddress { w.plainAddress(a) }
    w.raw(",")
    if let v = t.relayAgentInformation?.circuitID { w.csvField(IdentityText.agentIdentifier(v)) }
    w.raw(",")
    if let v = t.relayAgentInformation?.remoteID { w.csvField(IdentityText.agentIdentifier(v)) }
    w.raw(",")
    if let v = t.serverMessage { w.csvField(v) }
    w.raw(",")
    if let v = t.timings.requestToNak { w.plainDecimal(v) }
    w.raw(",")
    for (i, f) in t.findings.enumerated() {
      if i > 0 { w.raw(" ") }
      w.raw(text: f.code)
    }
    w.newline()
  }
}

/// Identifiers as people read them: text when printable, else hex.
public enum IdentityText {
  /// Option 61: type 0 is text (RFC 2132 §9.14), type 1 an Ethernet address after its type
  /// byte ("01:aa:bb:cc:dd:ee:ff", as ISC writes it), anything else hex bytes.
  public static func clientIdentifier(_ bytes: [UInt8]) -> String {
    if bytes.first == 0, OptionDecoder.isPrintable(bytes.dropFirst()) {
      return String(decoding: bytes.dropFirst(), as: UTF8.self)
    }
    return Hex.colonSeparated(bytes)
  }

  /// A relay agent's circuit or remote id: text when printable, else "0x" and hex.
  public static func agentIdentifier(_ bytes: [UInt8]) -> String {
    OptionDecoder.isPrintable(bytes[...]) ? String(decoding: bytes, as: UTF8.self) : "0x" + Hex.string(bytes)
  }
}
