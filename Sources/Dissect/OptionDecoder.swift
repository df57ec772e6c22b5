/// Turns option bytes into typed values, handed to an `OptionSink` as they are found. Pure
/// functions over the bytes; malformed content becomes a warning and a hex value, never a
/// lost option.
public enum OptionDecoder {
  /// Decodes every option of a message, in wire order after RFC 3396 concatenation.
  public static func decodeAll<Sink: OptionSink & ~Copyable>(_ message: DHCPMessage, into sink: inout Sink) {
    let vendor = message.option(60).map { VendorEncoding(vendorClass: message.optionBytes($0)) } ?? .generic
    for ref in message.options {
      decode(code: ref.code, bytes: message.optionBytes(ref), pieces: Int(ref.pieces), vendor: vendor, into: &sink)
    }
  }

  /// Every option of a message as a tree.
  public static func decodeAll(_ message: DHCPMessage) -> [DecodedOption] {
    var builder = OptionTreeBuilder()
    decodeAll(message, into: &builder)
    return builder.options
  }

  /// One option as a tree; `vendorClass` is option 60 of its message, which decides how
  /// option 43 reads.
  public static func decode(code: UInt8, bytes: ArraySlice<UInt8>, vendorClass: String? = nil) -> DecodedOption {
    var builder = OptionTreeBuilder()
    let vendor = vendorClass.map { VendorEncoding(vendorClass: Array($0.utf8)[...]) } ?? .generic
    decode(code: code, bytes: bytes, pieces: 1, vendor: vendor, into: &builder)
    return builder.options[0]
  }

  /// How option 43 reads, decided by the message's vendor class (option 60), as Wireshark
  /// decides it.
  enum VendorEncoding {
    /// "PXEClient:Arch:…": PXE sub-options.
    case pxe
    /// "ArubaAP": the controller's address as text.
    case aruba
    /// "Cisco AP …": sub-option 241 lists the wireless LAN controllers' addresses.
    case ciscoAP
    /// Sub-options where the bytes parse as such, else hex.
    case generic

    init(vendorClass v: ArraySlice<UInt8>) {
      if v.starts(with: "PXEClient".utf8) {
        self = .pxe
      } else if v.starts(with: "ArubaAP".utf8) {
        self = .aruba
      } else if v.starts(with: "Cisco AP".utf8) {
        self = .ciscoAP
      } else {
        self = .generic
      }
    }
  }

  static func decode<Sink: OptionSink & ~Copyable>(
    code: UInt8, bytes: ArraySlice<UInt8>, pieces: Int, vendor: VendorEncoding, into sink: inout Sink
  ) {
    let format = OptionCatalog.formats[Int(code)]
    sink.beginOption(code: code)
    if pieces > 1 { sink.warning("option \(code) split into \(pieces) parts (RFC 3396), concatenated") }
    switch format {
    case .relayAgentInformation:
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      suboptions(bytes, table: .relayAgent, label: "option 82", into: &sink)
    case .vendorSpecific where vendor == .pxe:
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      suboptions(bytes, table: .pxe, label: "PXE option 43", padAndEnd: true, into: &sink)
    case .vendorSpecific where vendor == .aruba && isPrintable(bytes):
      sink.beginRecord()
      sink.field("controller")
      sink.text(bytes)
      sink.endRecord()
      sink.endValue(raw: bytes, pieces: pieces)
    case .vendorSpecific where vendor == .ciscoAP && suboptionsAreWellFormed(bytes):
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      suboptions(bytes, table: .ciscoAP, label: "Cisco option 43", into: &sink)
    case .vendorSpecific where !bytes.isEmpty && suboptionsAreWellFormed(bytes):
      // Vendors' own encapsulation: show sub-options where the bytes parse as such.
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      suboptions(bytes, table: .unknown, label: "option 43", padAndEnd: true, into: &sink)
    case .vendorSpecificEnterprise:
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      enterpriseBlocks(bytes, nested: true, into: &sink)
    case .vendorClass:
      sink.none()
      sink.endValue(raw: bytes, pieces: pieces)
      enterpriseBlocks(bytes, nested: false, into: &sink)
    default:
      value(format, bytes, code: code, label: nil, into: &sink)
      sink.endValue(raw: bytes, pieces: pieces)
    }
    sink.endOption()
  }

  // MARK: Scalar and list formats

  /// Decodes one value. `label` prefixes warnings of sub-options ("option 82: …").
  static func value<Sink: OptionSink & ~Copyable>(
    _ format: OptionFormat, _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    switch format {
    case .empty, .address, .addresses, .addressPairs, .uint8, .uint16, .uint32, .int32, .uint16List, .flag, .domainList,
      .sipServers:
      addressOrNumber(format, b, code: code, label: label, into: &sink)
    case .text, .bytes, .geoConf, .relayAgentInformation, .vendorSpecific, .vendorSpecificEnterprise, .vendorClass,
      .messageType, .overload, .parameterList, .forcerenewNonce, .netbiosNodeType, .dhcpState, .userClass,
      .classlessRoutes, .clientArchitecture:
      textOrName(format, b, code: code, label: label, into: &sink)
    case .clientIdentifier, .clientFQDN, .clientNDI, .uuid, .authentication, .statusCode, .slpAgent, .slpScope:
      record(format, b, code: code, label: label, into: &sink)
    }
  }

  /// A value whose length does not fit its format: a warning, and the bytes as hex.
  private static func invalid<Sink: OptionSink & ~Copyable>(
    _ what: String, _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    warning("option \(code) length \(b.count) is invalid for \(what)", label: label, into: &sink)
    sink.hex(b)
  }

  /// IPv4 addresses, four bytes each, as a list.
  private static func addressList<Sink: OptionSink & ~Copyable>(_ a: ArraySlice<UInt8>, into sink: inout Sink) {
    sink.beginList()
    for i in stride(from: a.startIndex, to: a.endIndex, by: 4) { sink.address(ipv4(a, i)) }
    sink.endList()
  }

  /// Addresses, numbers, flags, lists of them, and domain names.
  private static func addressOrNumber<Sink: OptionSink & ~Copyable>(
    _ format: OptionFormat, _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    func warn(_ text: String) { warning(text, label: label, into: &sink) }
    func bad(_ what: String) { invalid(what, b, code: code, label: label, into: &sink) }
    func addresses(_ a: ArraySlice<UInt8>) { addressList(a, into: &sink) }
    func names(_ a: ArraySlice<UInt8>) {
      var w: [String] = []
      let names = DomainNames.decodeList(a, warnings: &w)
      for text in w { warn("option \(code): \(text)") }
      sink.beginList()
      for name in names { sink.string(name) }
      sink.endList()
    }
    let s = b.startIndex
    switch format {
    case .empty:
      if b.isEmpty { sink.none() } else { bad("an option without data") }
    case .address:
      if b.count == 4 { sink.address(ipv4(b, s)) } else { bad("an IPv4 address") }
    case .addresses:
      guard !b.isEmpty, b.count % 4 == 0 else { return bad("a list of IPv4 addresses") }
      addresses(b)
    case .addressPairs:
      guard !b.isEmpty, b.count % 8 == 0 else { return bad("a list of address pairs") }
      sink.beginList()
      for i in stride(from: s, to: b.endIndex, by: 8) { addresses(b[i..<(i + 8)]) }
      sink.endList()
    case .uint8:
      if b.count == 1 { sink.number(Int64(b[s])) } else { bad("an 8-bit number") }
    case .uint16:
      if b.count == 2 { sink.number(Int64(u16(b, s))) } else { bad("a 16-bit number") }
    case .uint32:
      if b.count == 4 { sink.number(Int64(u32(b, s))) } else { bad("a 32-bit number") }
    case .int32:
      if b.count == 4 { sink.number(Int64(Int32(bitPattern: u32(b, s)))) } else { bad("a 32-bit number") }
    case .uint16List:
      guard !b.isEmpty, b.count % 2 == 0 else { return bad("a list of 16-bit numbers") }
      sink.beginList()
      for i in stride(from: s, to: b.endIndex, by: 2) { sink.number(Int64(u16(b, i))) }
      sink.endList()
    case .flag:
      if b.count == 1 { sink.flag(b[s] != 0) } else { bad("a boolean") }
    case .domainList:
      names(b)
    case .sipServers:
      guard !b.isEmpty else { return bad("SIP servers") }
      guard b[s] == 1 else { return names(b.dropFirst()) }
      let rest = b.dropFirst()
      guard rest.count % 4 == 0, !rest.isEmpty else { return bad("SIP server addresses") }
      addresses(rest)
    default: preconditionFailure("\(format) is not decoded here")
    }
  }

  /// Text, raw bytes, and numbers shown by their names.
  private static func textOrName<Sink: OptionSink & ~Copyable>(
    _ format: OptionFormat, _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    func bad(_ what: String) { invalid(what, b, code: code, label: label, into: &sink) }
    let s = b.startIndex
    switch format {
    case .text:
      sink.text(text(b))
    case .bytes, .geoConf, .relayAgentInformation, .vendorSpecific, .vendorSpecificEnterprise, .vendorClass:
      sink.hex(b)
    case .messageType:
      if b.count == 1 { sink.string(MessageType.name(b[s])) } else { bad("a message type") }
    case .overload:
      guard b.count == 1 else { return bad("option overload") }
      let names = [1: "file", 2: "sname", 3: "file and sname"]
      sink.string(names[Int(b[s])] ?? "invalid (\(b[s]))")
    case .parameterList, .forcerenewNonce:
      sink.beginList()
      for code in b { sink.number(Int64(code)) }
      sink.endList()
    case .netbiosNodeType:
      guard b.count == 1 else { return bad("a NetBIOS node type") }
      let names = [1: "B-node", 2: "P-node", 4: "M-node", 8: "H-node"]
      sink.string(names[Int(b[s])] ?? "unknown (\(b[s]))")
    case .dhcpState:
      guard b.count == 1 else { return bad("a DHCP state") }
      sink.string(OptionCatalog.dhcpStates[Int(b[s])] ?? "unknown (\(b[s]))")
    case .userClass:
      // RFC 3004: length-prefixed opaque strings. Many clients send a bare string instead.
      guard let items = lengthPrefixedItems(b) else { return sink.text(text(b)) }
      sink.beginList()
      for item in items { sink.text(text(item)) }
      sink.endList()
    case .classlessRoutes:
      classlessRoutes(b, code: code, label: label, into: &sink)
    case .clientArchitecture:
      guard !b.isEmpty, b.count % 2 == 0 else { return bad("client architectures") }
      sink.beginList()
      for i in stride(from: s, to: b.endIndex, by: 2) {
        let t = Int(u16(b, i))
        sink.string(OptionCatalog.clientArchitectures[t] ?? "type \(t)")
      }
      sink.endList()
    default: preconditionFailure("\(format) is not decoded here")
    }
  }

  /// Values with several fields, written as records.
  private static func record<Sink: OptionSink & ~Copyable>(
    _ format: OptionFormat, _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    func warn(_ text: String) { warning(text, label: label, into: &sink) }
    func bad(_ what: String) { invalid(what, b, code: code, label: label, into: &sink) }
    func addresses(_ a: ArraySlice<UInt8>) { addressList(a, into: &sink) }
    let s = b.startIndex
    switch format {
    case .clientIdentifier:
      guard !b.isEmpty else { return bad("a client identifier") }
      let type = b[s]
      let rest = b.dropFirst()
      sink.beginRecord()
      sink.field("type")
      sink.number(Int64(type))
      if type == 1, rest.count == 6 {
        sink.field("hardware_address")
        sink.string(Hex.colonSeparated(rest))
      } else if type == 255, rest.count >= 4 {
        sink.field("iaid")
        sink.number(Int64(u32(rest, rest.startIndex)))
        sink.field("duid")
        sink.hex(rest.dropFirst(4))
      } else if type == 0, !rest.isEmpty, isPrintable(rest) {
        // Type 0 is a name, not a hardware address (RFC 2132 §9.14): Cisco's "cisco-….-Fa0/0".
        sink.field("identifier")
        sink.text(rest)
      } else {
        sink.field("identifier")
        sink.hex(rest)
      }
      sink.endRecord()
    case .clientFQDN:
      guard b.count >= 3 else { return bad("a client FQDN") }
      let flags = b[s]
      let nameBytes = b.dropFirst(3)
      sink.beginRecord()
      sink.field("flags")
      sink.number(Int64(flags))
      sink.field("server_updates")  // S
      sink.flag(flags & 0x01 != 0)
      sink.field("server_overrides")  // O
      sink.flag(flags & 0x02 != 0)
      sink.field("encoded")  // E
      sink.flag(flags & 0x04 != 0)
      sink.field("no_updates")  // N
      sink.flag(flags & 0x08 != 0)
      sink.field("rcode1")
      sink.number(Int64(b[s + 1]))
      sink.field("rcode2")
      sink.number(Int64(b[s + 2]))
      sink.field("name")
      if flags & 0x04 != 0 {
        var w: [String] = []
        sink.string(DomainNames.decodeList(nameBytes, warnings: &w).first ?? "")
        for text in w { warn("option 81: \(text)") }
      } else {
        sink.text(text(nameBytes))
      }
      sink.endRecord()
    case .clientNDI:
      guard b.count == 3 else { return bad("a client network interface identifier") }
      sink.beginRecord()
      sink.field("type")
      sink.number(Int64(b[s]))
      sink.field("version")
      sink.string("\(b[s + 1]).\(b[s + 2])")
      sink.endRecord()
    case .uuid:
      guard b.count == 17 else { return bad("a UUID client identifier") }
      let hex = Array(Hex.string(b.dropFirst()).utf8)
      let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(decoding: hex[$0], as: UTF8.self) }
      sink.beginRecord()
      sink.field("type")
      sink.number(Int64(b[s]))
      sink.field("uuid")
      sink.string(parts.joined(separator: "-"))
      sink.endRecord()
    case .authentication:
      guard b.count >= 11 else { return bad("authentication") }
      sink.beginRecord()
      sink.field("protocol")
      sink.number(Int64(b[s]))
      sink.field("algorithm")
      sink.number(Int64(b[s + 1]))
      sink.field("rdm")
      sink.number(Int64(b[s + 2]))
      sink.field("replay_detection")
      sink.hex(b[(s + 3)..<(s + 11)])
      sink.field("information")
      sink.hex(b.dropFirst(11))
      sink.endRecord()
    case .statusCode:
      guard !b.isEmpty else { return bad("a status code") }
      sink.beginRecord()
      sink.field("code")
      sink.number(Int64(b[s]))
      sink.field("status")
      sink.string(OptionCatalog.statusCodes[Int(b[s])] ?? "unknown")
      sink.field("message")
      sink.text(text(b.dropFirst()))
      sink.endRecord()
    case .slpAgent:
      guard !b.isEmpty, (b.count - 1) % 4 == 0 else { return bad("SLP directory agents") }
      sink.beginRecord()
      sink.field("mandatory")
      sink.flag(b[s] != 0)
      sink.field("agents")
      addresses(b.dropFirst())
      sink.endRecord()
    case .slpScope:
      guard !b.isEmpty else { return bad("an SLP scope") }
      sink.beginRecord()
      sink.field("mandatory")
      sink.flag(b[s] != 0)
      sink.field("scope")
      sink.text(text(b.dropFirst()))
      sink.endRecord()
    default: preconditionFailure("\(format) is not decoded here")
    }
  }

  /// RFC 3004 user classes: each a length byte and that many bytes; nil unless the bytes are
  /// exactly such a sequence.
  static func lengthPrefixedItems(_ b: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
    var items: [ArraySlice<UInt8>] = []
    var i = b.startIndex
    while i < b.endIndex {
      let n = Int(b[i])
      guard n > 0, i + 1 + n <= b.endIndex else { return nil }
      items.append(b[(i + 1)..<(i + 1 + n)])
      i += 1 + n
    }
    return items
  }

  /// RFC 3442: prefix width, the significant octets of the destination, then the router.
  /// The whole option is checked first: a bad route makes the option hex.
  static func classlessRoutes<Sink: OptionSink & ~Copyable>(
    _ b: ArraySlice<UInt8>, code: UInt8, label: String?, into sink: inout Sink
  ) {
    func warn(_ text: String) { warning(text, label: label, into: &sink) }
    var i = b.startIndex
    while i < b.endIndex {
      let width = Int(b[i])
      guard width <= 32 else {
        warn("option \(code): prefix width \(width) exceeds 32")
        return sink.hex(b)
      }
      let significant = (width + 7) / 8
      guard i + 1 + significant + 4 <= b.endIndex else {
        warn("option \(code): route at byte \(i - b.startIndex) runs past the end")
        return sink.hex(b)
      }
      i += 1 + significant + 4
    }
    sink.beginList()
    i = b.startIndex
    while i < b.endIndex {
      let width = Int(b[i])
      let significant = (width + 7) / 8
      var destination: UInt32 = 0
      for k in 0..<4 { destination = destination << 8 | UInt32(k < significant ? b[i + 1 + k] : 0) }
      sink.beginRecord()
      sink.field("destination")
      sink.string("\(IPv4Address(destination))/\(width)")
      sink.field("router")
      sink.address(ipv4(b, i + 1 + significant))
      sink.endRecord()
      i += 1 + significant + 4
    }
    sink.endList()
  }

  // MARK: Sub-options

  /// Which names and formats sub-options are read with.
  enum SuboptionTable {
    case relayAgent, pxe, ciscoAP, unknown

    func entry(_ code: UInt8) -> (name: String, format: OptionFormat)? {
      switch self {
      case .relayAgent: OptionCatalog.relayAgentByCode[Int(code)]
      case .pxe: OptionCatalog.pxeByCode[Int(code)]
      case .ciscoAP: code == 241 ? ("Controller addresses", .addresses) : nil
      case .unknown: nil
      }
    }
  }

  static func suboptions<Sink: OptionSink & ~Copyable>(
    _ b: ArraySlice<UInt8>, table: SuboptionTable, label: String, padAndEnd: Bool = false, into sink: inout Sink
  ) {
    sink.beginSuboptions()
    var walk = OptionWalk(b, padAndEnd: padAndEnd)
    while let option = walk.next() {
      let code = option.code
      if case .overrun(_, let length, _) = walk.stop {
        sink.warning("\(label): sub-option \(code) length \(length) runs past the end of the option")
      }
      let data = b[option.value]
      if let (name, format) = table.entry(code), format != .bytes {
        sink.beginSuboption(code: UInt32(code), name: name)
        value(format, data, code: code, label: label, into: &sink)
      } else {
        sink.beginSuboption(code: UInt32(code), name: table.entry(code)?.name ?? "Sub-option \(code)")
        // Circuit and remote IDs are usually interface names: show text when it is text,
        // else hex marked as such ("0x13"), which never reads as a decimal number.
        if isPrintable(data) { sink.text(data) } else { sink.string("0x" + Hex.string(data)) }
      }
      sink.endValue(raw: data, pieces: 1)
      sink.endOption()
    }
    if case .missingLength(let code, _) = walk.stop {
      sink.warning("\(label): sub-option \(code) has no length byte")
    }
    sink.endSuboptions()
  }

  /// Whether `suboptions(_:padAndEnd: true)` would read `b` without a warning.
  static func suboptionsAreWellFormed(_ b: ArraySlice<UInt8>) -> Bool {
    var walk = OptionWalk(b, padAndEnd: true)
    while walk.next() != nil {}
    return walk.stop == .exhausted || walk.stop == .endOption
  }

  /// Options 124 and 125: blocks of enterprise number, length and data (RFC 3925).
  static func enterpriseBlocks<Sink: OptionSink & ~Copyable>(
    _ b: ArraySlice<UInt8>, nested: Bool, into sink: inout Sink
  ) {
    sink.beginSuboptions()
    var i = b.startIndex
    while i < b.endIndex {
      guard i + 5 <= b.endIndex else {
        sink.warning("enterprise block at byte \(i - b.startIndex) is shorter than 5 bytes")
        break
      }
      let enterprise = u32(b, i)
      let length = Int(b[i + 4])
      var end = i + 5 + length
      if end > b.endIndex {
        sink.warning("enterprise \(enterprise) data length \(length) runs past the end of the option")
        end = b.endIndex
      }
      let data = b[(i + 5)..<end]
      sink.beginSuboption(code: enterprise, name: "Enterprise \(enterprise)")
      if nested {
        sink.none()
        sink.endValue(raw: data, pieces: 1)
        suboptions(data, table: .unknown, label: "enterprise \(enterprise)", into: &sink)
      } else {
        sink.beginList()
        var k = data.startIndex
        while k < data.endIndex {
          let n = Int(data[k])
          guard k + 1 + n <= data.endIndex else {
            sink.warning("enterprise \(enterprise) vendor class data runs past its block")
            break
          }
          let item = data[(k + 1)..<(k + 1 + n)]
          if isPrintable(item) { sink.text(item) } else { sink.hex(item) }
          k += 1 + n
        }
        sink.endList()
        sink.endValue(raw: data, pieces: 1)
      }
      sink.endOption()
      i = end
    }
    sink.endSuboptions()
  }

  // MARK: Helpers

  /// A warning, prefixed with the sub-option's label when there is one ("option 82: …").
  static func warning<Sink: OptionSink & ~Copyable>(_ text: String, label: String?, into sink: inout Sink) {
    sink.warning(label.map { "\($0): \(text)" } ?? text)
  }

  static func ipv4(_ b: ArraySlice<UInt8>, _ i: Int) -> IPv4Address { IPv4Address(u32(b, i)) }
  static func u16(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
  static func u32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  /// Text up to a trailing NUL (some clients terminate strings).
  static func text(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var end = b.endIndex
    while end > b.startIndex, b[end - 1] == 0 { end -= 1 }
    return b[b.startIndex..<end]
  }

  public static func isPrintable(_ b: ArraySlice<UInt8>) -> Bool {
    !b.isEmpty && b.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
  }
}

/// RFC 1035 domain names as used by options 81, 119 (RFC 3397), 120 and 137: labels, with
/// compression pointers that must point backwards, so a pointer loop cannot run forever.
enum DomainNames {
  static func decodeList(_ b: ArraySlice<UInt8>, warnings: inout [String]) -> [String] {
    var names: [String] = []
    var i = b.startIndex
    while i < b.endIndex {
      guard let (name, next) = decodeName(b, at: i, warnings: &warnings) else { break }
      names.append(name)
      i = next
    }
    return names
  }

  /// Returns the name at `start` and where the next name begins.
  static func decodeName(_ b: ArraySlice<UInt8>, at start: Int, warnings: inout [String]) -> (String, Int)? {
    var labels: [String] = []
    var i = start
    var next: Int? = nil
    var lowestJumpTarget = start  // each pointer must go strictly before the last place jumped from
    var totalLength = 0
    while true {
      guard i < b.endIndex else {
        if i == b.endIndex, !labels.isEmpty {
          warnings.append("domain name at byte \(start - b.startIndex) is not terminated by a zero label")
          return (labels.joined(separator: "."), b.endIndex)
        }
        warnings.append("domain name at byte \(start - b.startIndex) runs past the end")
        return nil
      }
      let length = Int(b[i])
      if length == 0 {
        return (labels.joined(separator: "."), next ?? i + 1)
      }
      if length & 0xC0 == 0xC0 {
        guard i + 1 < b.endIndex else {
          warnings.append("compression pointer at byte \(i - b.startIndex) is cut short")
          return nil
        }
        let target = b.startIndex + ((length & 0x3F) << 8 | Int(b[i + 1]))
        guard target < lowestJumpTarget else {
          warnings.append("compression pointer at byte \(i - b.startIndex) does not point backwards (loop)")
          return nil
        }
        if next == nil { next = i + 2 }
        lowestJumpTarget = target
        i = target
        continue
      }
      guard length & 0xC0 == 0 else {
        warnings.append("unsupported label type 0x\(String(length, radix: 16)) at byte \(i - b.startIndex)")
        return nil
      }
      guard i + 1 + length <= b.endIndex else {
        warnings.append("label at byte \(i - b.startIndex) runs past the end")
        return nil
      }
      totalLength += length + 1
      guard totalLength <= 255 else {
        warnings.append("domain name at byte \(start - b.startIndex) exceeds 255 bytes")
        return nil
      }
      labels.append(String(decoding: OptionDecoder.text(b[(i + 1)..<(i + 1 + length)]), as: UTF8.self))
      i += 1 + length
    }
  }
}
