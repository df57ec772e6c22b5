import Dissect

/// `decode`'s record of a DHCPv6 message, in the same formats and frame fields as DHCPv4's.
extension PacketReport {
  public mutating func render(_ packet: DHCPv6Packet, into w: inout ReportWriter) {
    defer { rendered += 1 }
    switch format {
    case .jsonl:
      writeJSON(packet, into: &w)
      w.newline()
    case .json:
      if rendered > 0 { w.raw(",\n") }
      writeJSON(packet, into: &w)
    case .csv: writeCSV(packet, into: &w)
    case .text, .html, .mermaid: writeText(packet, into: &w)
    }
  }

  // MARK: JSON

  /// The innermost message's type, xid and options; each relay layer, outermost first, with
  /// its own options, under "relays".
  public func writeJSON(_ p: DHCPv6Packet, into w: inout ReportWriter) {
    let m = p.message
    w.beginObject()
    writeFrameFields(
      frame: p.frame, fileIndex: p.fileIndex, timestamp: p.timestamp, interface: p.interface, vlanIDs: p.vlanIDs,
      into: &w)
    w.key("family")
    w.string("dhcpv6")
    w.key("src")
    w.string(p.source.description)
    w.key("dst")
    w.string(p.destination.description)
    w.key("sport")
    w.int(p.sourcePort)
    w.key("dport")
    w.int(p.destinationPort)
    w.key("hop_limit")
    w.int(p.hopLimit)
    w.key("message_type")
    w.string(m.messageTypeName)
    w.key("xid")
    w.string(Self.xid(m.transactionID))
    var warnings = m.warnings
    w.key("options")
    writeOptions(m.options, of: m, warnings: &warnings, into: &w)
    w.key("relays")
    w.beginArray()
    for layer in m.relays {
      w.beginObject()
      w.key("message_type")
      w.string(DHCPv6MessageType.name(layer.messageType))
      w.key("hop_count")
      w.int(layer.hopCount)
      w.key("link_address")
      w.string(layer.linkAddress.description)
      w.key("peer_address")
      w.string(layer.peerAddress.description)
      w.key("options")
      writeOptions(layer.options, of: m, warnings: &warnings, into: &w)
      w.endObject()
    }
    w.endArray()
    w.key("warnings")
    w.beginArray()
    for warning in warnings { w.string(warning) }
    w.endArray()
    if let problem = m.malformation {
      w.key("malformed")
      w.string(problem.reason.rawValue)
    }
    w.endObject()
  }

  private func writeOptions(
    _ options: [DHCPv6OptionRef], of m: DHCPv6Message, warnings: inout [String], into w: inout ReportWriter
  ) {
    w.beginArray()
    // The writer moves into the option writer and back: one buffer, one owner at a time.
    var writer = JSONOptionWriter(w)
    DHCPv6OptionDecoder.decodeAll(options, of: m, into: &writer)
    w = writer.w
    warnings += writer.warnings
    w.endArray()
  }

  /// "0x" and six hex digits: a DHCPv6 transaction id is 24 bits.
  static func xid(_ id: UInt32) -> String {
    let digits = String(id, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
  }

  // MARK: CSV

  /// DHCPv4's columns: the BOOTP ones empty, the option codes those of the innermost message.
  func writeCSV(_ p: DHCPv6Packet, into w: inout ReportWriter) {
    let m = p.message
    w.plainInt(p.frame)
    w.raw(",")
    w.csvField(files.path(p.fileIndex))
    w.raw(",")
    w.plainTimestamp(p.timestamp, nanosecondPrecision: files.isNano(p.fileIndex))
    w.raw(",")
    w.raw(text: p.source.description)
    w.raw(",")
    w.plainInt(p.sourcePort)
    w.raw(",")
    w.raw(text: p.destination.description)
    w.raw(",")
    w.plainInt(p.destinationPort)
    w.raw(",")  // op
    w.raw(",")
    w.csvField(m.relays.map { DHCPv6MessageType.name($0.messageType) + ">" }.joined() + m.messageTypeName)
    w.raw(",")
    w.raw(text: Self.xid(m.transactionID))
    w.raw(",,,,,,,,,")  // secs, flags, hops, ciaddr, yiaddr, siaddr, giaddr, chaddr
    for (i, o) in m.options.enumerated() {
      if i > 0 { w.raw(";") }
      w.plainInt(o.code)
    }
    w.raw(",")
    w.plainInt(m.warnings.count)
    w.newline()
  }

  // MARK: Text

  /// A header line, a line per relay layer (outermost first) with its options, then the
  /// message and its options, as Wireshark nests them.
  func writeText(_ p: DHCPv6Packet, into w: inout ReportWriter) {
    let m = p.message
    writeFrameLine(
      frame: p.frame, fileIndex: p.fileIndex, timestamp: p.timestamp, interface: p.interface, vlanIDs: p.vlanIDs,
      into: &w)
    w.raw(text: "  [\(p.source)]:\(p.sourcePort) > [\(p.destination)]:\(p.destinationPort)")
    var warnings = m.warnings
    for layer in m.relays {
      w.raw(
        text:
          "\n  \(DHCPv6MessageType.name(layer.messageType))  hop-count \(layer.hopCount)  link \(layer.linkAddress)  peer \(layer.peerAddress)"
      )
      textOptions(layer.options, of: m, warnings: &warnings, into: &w)
    }
    if let problem = m.malformation {
      w.raw(text: "\n  malformed (\(problem.reason.rawValue)): \(problem.detail)")
    } else {
      w.raw(text: "\n  \(m.messageTypeName)  xid \(Self.xid(m.transactionID))")
      textOptions(m.options, of: m, warnings: &warnings, into: &w)
    }
    for warning in warnings {
      w.raw("\n  warning: ")
      w.raw(text: warning)
    }
    w.raw("\n\n")
  }

  private func textOptions(
    _ options: [DHCPv6OptionRef], of m: DHCPv6Message, warnings: inout [String], into w: inout ReportWriter
  ) {
    var writer = TextOptionWriter(w)
    DHCPv6OptionDecoder.decodeAll(options, of: m, into: &writer)
    w = writer.w
    warnings += writer.warnings
  }
}
