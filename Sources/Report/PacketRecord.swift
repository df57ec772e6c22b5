import Dissect

/// `decode`'s output: one record per DHCP/BOOTP packet in the chosen format.
public struct PacketReport: Sendable {
  public let format: OutputFormat
  public let files: InputFiles
  /// Records rendered so far (the JSON array puts a comma before all but the first); set
  /// when another thread rendered some of them.
  public var rendered = 0
  /// Each input's path as a JSON string, quoted once rather than once per packet.
  let names: QuotedNames

  public let style: TextStyle

  public init(format: OutputFormat, files: InputFiles, style: TextStyle = TextStyle()) {
    self.format = format
    self.style = style
    self.files = files
    names = QuotedNames(files)
  }

  /// Message type names by type, BOOTP (no option 53) last.
  private static let messageTypeNames: [[UInt8]] =
    (0...255).map { Array(MessageType.name(UInt8($0)).utf8) } + [Array(MessageType.name(nil).utf8)]

  /// Text to print before the first record.
  public func header() -> String {
    switch format {
    case .csv:
      return
        "frame,file,ts,src,sport,dst,dport,op,message_type,xid,secs,flags,hops,ciaddr,yiaddr,siaddr,giaddr,chaddr,option_codes,warnings\n"
    case .json: return "[\n"
    default: return ""
    }
  }

  public func footer() -> String { format == .json ? "\n]\n" : "" }

  /// Appends one packet's record to `w.out`.
  public mutating func render(_ packet: DHCPPacket, into w: inout ReportWriter) {
    defer { rendered += 1 }
    switch format {
    case .jsonl:
      writeJSON(packet, into: &w)
      w.newline()
    case .json:
      if rendered > 0 { w.raw(",\n") }
      writeJSON(packet, into: &w)
    case .csv: writeCSV(packet, into: &w)
    case .text, .html, .mermaid: writeText(packet, into: &w)  // decode refuses html and mermaid
    }
  }

  // MARK: JSON

  public func writeJSON(_ p: DHCPPacket, into w: inout ReportWriter) {
    let m = p.message
    let o = p.origin
    w.beginObject()
    writeFrameFields(
      frame: o.frame, fileIndex: o.fileIndex, timestamp: o.timestamp, interface: o.interface, vlanIDs: o.vlanIDs,
      into: &w)
    w.key("family")
    w.rawValue("\"dhcpv4\"")
    w.key("src")
    w.address(o.source)
    w.key("dst")
    w.address(o.destination)
    w.key("sport")
    w.int(o.sourcePort)
    w.key("dport")
    w.int(o.destinationPort)
    w.key("op")
    switch m.op {
    case 1: w.rawValue("\"BOOTREQUEST\"")
    case 2: w.rawValue("\"BOOTREPLY\"")
    default: w.string(m.opName)
    }
    w.key("htype")
    w.int(m.htype)
    w.key("hlen")
    w.int(m.hlen)
    w.key("hops")
    w.int(m.hops)
    w.key("xid")
    w.xid(m.xid)
    w.key("secs")
    w.int(m.secs)
    w.key("flags")
    w.int(m.flags)
    w.key("broadcast")
    w.bool(m.broadcast)
    w.key("ciaddr")
    w.address(m.ciaddr)
    w.key("yiaddr")
    w.address(m.yiaddr)
    w.key("siaddr")
    w.address(m.siaddr)
    w.key("giaddr")
    w.address(m.giaddr)
    w.key("chaddr")
    w.hardwareAddress(m.clientHardwareAddress)
    w.key("sname")
    w.string(m.serverName)
    w.key("file_field")
    w.string(m.bootFileName)
    w.key("message_type")
    names.writeMessageType(m.messageType, into: &w)
    w.key("options")
    w.beginArray()
    // The writer moves into the option writer and back: one buffer, one owner at a time.
    var options = JSONOptionWriter(w)
    OptionDecoder.decodeAll(m, into: &options)
    w = options.w
    w.endArray()
    w.key("warnings")
    w.beginArray()
    for warning in m.warnings { w.string(warning) }
    for warning in options.warnings { w.string(warning) }
    w.endArray()
    // Only on a payload that is not a BOOTP message: `analyze` counts it as malformed.
    if let problem = m.malformation {
      w.key("malformed")
      w.string(problem.reason.rawValue)
    }
    w.endObject()
  }

  // MARK: CSV

  func writeCSV(_ p: DHCPPacket, into w: inout ReportWriter) {
    let m = p.message
    w.plainInt(p.frame)
    w.raw(",")
    w.csvField(files.path(p.fileIndex))
    w.raw(",")
    w.plainTimestamp(p.timestamp, nanosecondPrecision: files.isNano(p.fileIndex))
    w.raw(",")
    w.plainAddress(p.source)
    w.raw(",")
    w.plainInt(p.sourcePort)
    w.raw(",")
    w.plainAddress(p.destination)
    w.raw(",")
    w.plainInt(p.destinationPort)
    w.raw(",")
    w.csvField(m.opName)
    w.raw(",")
    w.csvField(m.messageTypeName)
    w.raw(",")
    w.plainXID(m.xid)
    for v in [Int(m.secs), Int(m.flags), Int(m.hops)] {
      w.raw(",")
      w.plainInt(v)
    }
    for a in [m.ciaddr, m.yiaddr, m.siaddr, m.giaddr] {
      w.raw(",")
      w.plainAddress(a)
    }
    w.raw(",")
    w.plainHardwareAddress(m.clientHardwareAddress)
    w.raw(",")
    for (i, o) in m.options.enumerated() {
      if i > 0 { w.raw(";") }
      w.plainInt(o.code)
    }
    w.raw(",")
    w.plainInt(m.warnings.count)
    w.newline()
  }

  // MARK: Text

  /// tcpdump -v style: a header line, the fixed fields, then one line per option.
  func writeText(_ p: DHCPPacket, into w: inout ReportWriter) {
    let m = p.message
    let o = p.origin
    writeFrameLine(
      frame: o.frame, fileIndex: o.fileIndex, timestamp: o.timestamp, interface: o.interface, vlanIDs: o.vlanIDs,
      into: &w)
    w.raw("  ")
    w.plainAddress(o.source)
    w.raw(":")
    w.plainInt(o.sourcePort)
    w.raw(" > ")
    w.plainAddress(o.destination)
    w.raw(":")
    w.plainInt(o.destinationPort)
    w.raw("\n  ")
    switch m.op {
    case 1: w.raw("BOOTREQUEST ")
    case 2: w.raw("BOOTREPLY ")
    default:
      w.raw(text: m.opName)
      w.raw(" ")
    }
    PacketReport.messageTypeNames[m.messageType.map(Int.init) ?? 256].withUnsafeBytes { w.out.append($0) }
    w.raw("  xid ")
    w.plainXID(m.xid)
    w.raw("  secs ")
    w.plainInt(m.secs)
    w.raw("  flags 0x")
    w.plainHex16(m.flags)
    if m.broadcast { w.raw(" (broadcast)") }
    w.raw("  hops ")
    w.plainInt(m.hops)
    w.raw("\n  chaddr ")
    w.plainHardwareAddress(m.clientHardwareAddress)
    w.raw(" (htype ")
    w.plainInt(m.htype)
    w.raw(", hlen ")
    w.plainInt(m.hlen)
    w.raw(")\n  ciaddr ")
    w.plainAddress(m.ciaddr)
    w.raw("  yiaddr ")
    w.plainAddress(m.yiaddr)
    w.raw("  siaddr ")
    w.plainAddress(m.siaddr)
    w.raw("  giaddr ")
    w.plainAddress(m.giaddr)
    if !m.serverName.isEmpty || !m.bootFileName.isEmpty {
      w.raw(text: "\n  sname \"\(m.serverName)\"  file \"\(m.bootFileName)\"")
    }
    // The writer moves into the option writer and back: one buffer, one owner at a time.
    var options = TextOptionWriter(w)
    OptionDecoder.decodeAll(m, into: &options)
    w = options.w
    for warning in m.warnings + options.warnings {
      w.raw("\n  warning: ")
      w.raw(text: warning)
    }
    w.raw("\n\n")
  }
}

extension PacketReport {
  /// The frame's own JSON fields, the same for DHCPv4 and DHCPv6: number, file, time, and the
  /// capture interface and VLAN tags where known.
  func writeFrameFields(
    frame: Int, fileIndex: Int, timestamp: Timestamp, interface: CaptureInterface?, vlanIDs: [UInt16],
    into w: inout ReportWriter
  ) {
    w.key("frame")
    w.int(frame)
    w.key("file")
    names.writePath(ofFile: fileIndex, into: &w)
    w.key("ts")
    w.timestamp(timestamp, nanosecondPrecision: files.isNano(fileIndex))
    if let interface {
      w.key("interface")
      w.interface(interface)
    }
    if !vlanIDs.isEmpty {
      w.key("vlan")
      w.beginArray()
      for v in vlanIDs { w.int(v) }
      w.endArray()
    }
  }

  /// The start of a text record: "Frame N  time  [file]  interface  vlan".
  func writeFrameLine(
    frame: Int, fileIndex: Int, timestamp: Timestamp, interface: CaptureInterface?, vlanIDs: [UInt16],
    into w: inout ReportWriter
  ) {
    w.raw("Frame ")
    w.plainInt(frame)
    w.raw("  ")
    w.plainCalendarTime(timestamp, nanosecondPrecision: files.isNano(fileIndex), utc: style.utc)
    if files.paths.count > 1 { w.raw(text: "  [\(files.path(fileIndex))]") }
    if let i = interface {
      w.raw("  ")
      if let index = i.index { w.raw(text: "if\(index) ") }
      w.raw(text: i.direction)
    }
    if !vlanIDs.isEmpty { w.raw(text: "  vlan " + vlanIDs.map(String.init).joined(separator: ",")) }
  }
}

extension ReportWriter {
  /// "1d 2h 3m 4s" style, as dhcpdump shows lease times; UInt32.max is "infinite".
  mutating func plainDuration(_ seconds: Int) {
    if seconds == Int(UInt32.max) { return raw("infinite") }
    var s = seconds
    var first = true
    for (unit, size) in [(UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3600), (UInt8(ascii: "m"), 60)]
    where s >= size {
      if !first { out.append(UInt8(ascii: " ")) }
      first = false
      plainInt(s / size)
      out.append(unit)
      s %= size
    }
    if s > 0 || first {
      if !first { out.append(UInt8(ascii: " ")) }
      plainInt(s)
      out.append(UInt8(ascii: "s"))
    }
  }
}
