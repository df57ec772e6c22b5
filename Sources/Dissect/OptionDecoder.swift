/// Turns option bytes into typed values. Pure functions over the bytes; malformed content
/// becomes a warning and a hex value, never a lost option.
public enum OptionDecoder {
  /// Decodes every option of a message, in wire order after RFC 3396 concatenation.
  public static func decodeAll(_ message: DHCPMessage) -> [DecodedOption] {
    let vendorClass = message.option(60).map { String(decoding: message.optionBytes($0), as: UTF8.self) }
    return message.options.map { ref in
      var decoded = decode(code: ref.code, bytes: message.optionBytes(ref), vendorClass: vendorClass)
      decoded.pieces = Int(ref.pieces)
      if ref.pieces > 1 {
        decoded.warnings.insert("option \(ref.code) split into \(ref.pieces) parts (RFC 3396), concatenated", at: 0)
      }
      return decoded
    }
  }

  public static func decode(code: UInt8, bytes: ArraySlice<UInt8>, vendorClass: String? = nil) -> DecodedOption {
    let (name, format) = OptionCatalog.entry(code)
    var option = DecodedOption(code: UInt32(code), name: name, value: .none, raw: bytes)
    switch format {
    case .relayAgentInformation:
      option.suboptions = suboptions(
        bytes, table: OptionCatalog.relayAgentSuboptions, warnings: &option.warnings, label: "option 82")
    case .vendorSpecific:
      if vendorClass?.hasPrefix("PXEClient") == true {
        option.suboptions = suboptions(
          bytes, table: OptionCatalog.pxeSuboptions, warnings: &option.warnings, label: "PXE option 43", padAndEnd: true
        )
      } else {
        var trial: [String] = []
        let subs = suboptions(bytes, table: [:], warnings: &trial, label: "option 43", padAndEnd: true)
        if trial.isEmpty, !bytes.isEmpty { option.suboptions = subs } else { option.value = .hex(Array(bytes)) }
      }
    case .vendorSpecificEnterprise:
      option.suboptions = enterpriseBlocks(bytes, warnings: &option.warnings, nested: true)
    case .vendorClass:
      option.suboptions = enterpriseBlocks(bytes, warnings: &option.warnings, nested: false)
    default:
      option.value = value(format, bytes, warnings: &option.warnings, code: code)
    }
    return option
  }

  // MARK: Scalar and list formats

  static func value(_ format: OptionFormat, _ b: ArraySlice<UInt8>, warnings: inout [String], code: UInt8)
    -> OptionValue
  {
    func bad(_ what: String) -> OptionValue {
      warnings.append("option \(code) length \(b.count) is invalid for \(what)")
      return .hex(Array(b))
    }
    let s = b.startIndex
    switch format {
    case .empty:
      return b.isEmpty ? .none : bad("an option without data")
    case .address:
      return b.count == 4 ? .address(ipv4(b, s)) : bad("an IPv4 address")
    case .addresses:
      guard !b.isEmpty, b.count % 4 == 0 else { return bad("a list of IPv4 addresses") }
      return .list(stride(from: s, to: b.endIndex, by: 4).map { .address(ipv4(b, $0)) })
    case .addressPairs:
      guard !b.isEmpty, b.count % 8 == 0 else { return bad("a list of address pairs") }
      return .list(
        stride(from: s, to: b.endIndex, by: 8).map {
          .list([.address(ipv4(b, $0)), .address(ipv4(b, $0 + 4))])
        })
    case .uint8:
      return b.count == 1 ? .number(Int64(b[s])) : bad("an 8-bit number")
    case .uint16:
      return b.count == 2 ? .number(Int64(u16(b, s))) : bad("a 16-bit number")
    case .uint32:
      return b.count == 4 ? .number(Int64(u32(b, s))) : bad("a 32-bit number")
    case .int32:
      return b.count == 4 ? .number(Int64(Int32(bitPattern: u32(b, s)))) : bad("a 32-bit number")
    case .uint16List:
      guard !b.isEmpty, b.count % 2 == 0 else { return bad("a list of 16-bit numbers") }
      return .list(stride(from: s, to: b.endIndex, by: 2).map { .number(Int64(u16(b, $0))) })
    case .flag:
      return b.count == 1 ? .flag(b[s] != 0) : bad("a boolean")
    case .text:
      return .text(text(b))
    case .bytes:
      return .hex(Array(b))
    case .messageType:
      return b.count == 1 ? .text(MessageType.name(b[s])) : bad("a message type")
    case .overload:
      guard b.count == 1 else { return bad("option overload") }
      let names = [1: "file", 2: "sname", 3: "file and sname"]
      return .text(names[Int(b[s])] ?? "invalid (\(b[s]))")
    case .parameterList:
      return .list(b.map { .number(Int64($0)) })
    case .netbiosNodeType:
      guard b.count == 1 else { return bad("a NetBIOS node type") }
      let names = [1: "B-node", 2: "P-node", 4: "M-node", 8: "H-node"]
      return .text(names[Int(b[s])] ?? "unknown (\(b[s]))")
    case .dhcpState:
      guard b.count == 1 else { return bad("a DHCP state") }
      return .text(OptionCatalog.dhcpStates[Int(b[s])] ?? "unknown (\(b[s]))")
    case .clientIdentifier:
      guard !b.isEmpty else { return bad("a client identifier") }
      let type = b[s]
      let rest = b.dropFirst()
      if type == 1, rest.count == 6 {
        return .record([.init("type", .number(1)), .init("hardware_address", .text(Hex.colonSeparated(rest)))])
      }
      if type == 255, rest.count >= 4 {
        return .record([
          .init("type", .number(255)), .init("iaid", .number(Int64(u32(rest, rest.startIndex)))),
          .init("duid", .hex(Array(rest.dropFirst(4)))),
        ])
      }
      return .record([.init("type", .number(Int64(type))), .init("identifier", .hex(Array(rest)))])
    case .clientFQDN:
      guard b.count >= 3 else { return bad("a client FQDN") }
      let flags = b[s]
      let nameBytes = b.dropFirst(3)
      let name: String
      if flags & 0x04 != 0 {
        var w: [String] = []
        name = DomainNames.decodeList(nameBytes, warnings: &w).first ?? ""
        warnings.append(contentsOf: w.map { "option 81: \($0)" })
      } else {
        name = text(nameBytes)
      }
      return .record([
        .init("flags", .number(Int64(flags))),
        .init("server_updates", .flag(flags & 0x01 != 0)),  // S
        .init("server_overrides", .flag(flags & 0x02 != 0)),  // O
        .init("encoded", .flag(flags & 0x04 != 0)),  // E
        .init("no_updates", .flag(flags & 0x08 != 0)),  // N
        .init("rcode1", .number(Int64(b[s + 1]))), .init("rcode2", .number(Int64(b[s + 2]))),
        .init("name", .text(name)),
      ])
    case .userClass:
      // RFC 3004: length-prefixed opaque strings. Many clients send a bare string instead.
      var items: [OptionValue] = []
      var i = s
      while i < b.endIndex {
        let n = Int(b[i])
        guard n > 0, i + 1 + n <= b.endIndex else { return .text(text(b)) }
        items.append(.text(text(b[(i + 1)..<(i + 1 + n)])))
        i += 1 + n
      }
      return .list(items)
    case .classlessRoutes:
      return classlessRoutes(b, warnings: &warnings, code: code)
    case .domainList:
      var w: [String] = []
      let names = DomainNames.decodeList(b, warnings: &w)
      warnings.append(contentsOf: w.map { "option \(code): \($0)" })
      return .list(names.map { .text($0) })
    case .sipServers:
      guard !b.isEmpty else { return bad("SIP servers") }
      if b[s] == 1 {
        let rest = b.dropFirst()
        guard rest.count % 4 == 0, !rest.isEmpty else { return bad("SIP server addresses") }
        return .list(stride(from: rest.startIndex, to: rest.endIndex, by: 4).map { .address(ipv4(rest, $0)) })
      }
      var w: [String] = []
      let names = DomainNames.decodeList(b.dropFirst(), warnings: &w)
      warnings.append(contentsOf: w.map { "option \(code): \($0)" })
      return .list(names.map { .text($0) })
    case .clientArchitecture:
      guard !b.isEmpty, b.count % 2 == 0 else { return bad("client architectures") }
      return .list(
        stride(from: s, to: b.endIndex, by: 2).map {
          let t = Int(u16(b, $0))
          return .text(OptionCatalog.clientArchitectures[t] ?? "type \(t)")
        })
    case .clientNDI:
      guard b.count == 3 else { return bad("a client network interface identifier") }
      return .record([
        .init("type", .number(Int64(b[s]))), .init("version", .text("\(b[s + 1]).\(b[s + 2])")),
      ])
    case .uuid:
      guard b.count == 17 else { return bad("a UUID client identifier") }
      let u = Array(b.dropFirst())
      let hex = Hex.string(u)
      let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r in
        String(
          hex[hex.index(hex.startIndex, offsetBy: r.lowerBound)..<hex.index(hex.startIndex, offsetBy: r.upperBound)])
      }
      return .record([.init("type", .number(Int64(b[s]))), .init("uuid", .text(parts.joined(separator: "-")))])
    case .authentication:
      guard b.count >= 11 else { return bad("authentication") }
      return .record([
        .init("protocol", .number(Int64(b[s]))), .init("algorithm", .number(Int64(b[s + 1]))),
        .init("rdm", .number(Int64(b[s + 2]))),
        .init("replay_detection", .hex(Array(b[(s + 3)..<(s + 11)]))),
        .init("information", .hex(Array(b.dropFirst(11)))),
      ])
    case .statusCode:
      guard !b.isEmpty else { return bad("a status code") }
      return .record([
        .init("code", .number(Int64(b[s]))),
        .init("status", .text(OptionCatalog.statusCodes[Int(b[s])] ?? "unknown")),
        .init("message", .text(text(b.dropFirst()))),
      ])
    case .slpAgent:
      guard !b.isEmpty, (b.count - 1) % 4 == 0 else { return bad("SLP directory agents") }
      let rest = b.dropFirst()
      return .record([
        .init("mandatory", .flag(b[s] != 0)),
        .init(
          "agents", .list(stride(from: rest.startIndex, to: rest.endIndex, by: 4).map { .address(ipv4(rest, $0)) })),
      ])
    case .slpScope:
      guard !b.isEmpty else { return bad("an SLP scope") }
      return .record([.init("mandatory", .flag(b[s] != 0)), .init("scope", .text(text(b.dropFirst())))])
    case .forcerenewNonce:
      return .list(b.map { .number(Int64($0)) })
    case .geoConf:
      return .hex(Array(b))
    case .relayAgentInformation, .vendorSpecific, .vendorSpecificEnterprise, .vendorClass:
      return .hex(Array(b))
    }
  }

  /// RFC 3442: prefix width, the significant octets of the destination, then the router.
  static func classlessRoutes(_ b: ArraySlice<UInt8>, warnings: inout [String], code: UInt8) -> OptionValue {
    var routes: [OptionValue] = []
    var i = b.startIndex
    while i < b.endIndex {
      let width = Int(b[i])
      guard width <= 32 else {
        warnings.append("option \(code): prefix width \(width) exceeds 32")
        return .hex(Array(b))
      }
      let significant = (width + 7) / 8
      guard i + 1 + significant + 4 <= b.endIndex else {
        warnings.append("option \(code): route at byte \(i - b.startIndex) runs past the end")
        return .hex(Array(b))
      }
      var destination: UInt32 = 0
      for k in 0..<4 { destination = destination << 8 | UInt32(k < significant ? b[i + 1 + k] : 0) }
      let router = ipv4(b, i + 1 + significant)
      routes.append(
        .record([
          .init("destination", .text("\(IPv4Address(destination))/\(width)")), .init("router", .address(router)),
        ]))
      i += 1 + significant + 4
    }
    return .list(routes)
  }

  // MARK: Sub-options

  static func suboptions(
    _ b: ArraySlice<UInt8>, table: [Int: (String, OptionFormat)], warnings: inout [String], label: String,
    padAndEnd: Bool = false
  ) -> [DecodedOption] {
    var result: [DecodedOption] = []
    var i = b.startIndex
    while i < b.endIndex {
      let code = b[i]
      if padAndEnd && code == 0 {
        i += 1
        continue
      }
      if padAndEnd && code == 255 { break }
      guard i + 1 < b.endIndex else {
        warnings.append("\(label): sub-option \(code) has no length byte")
        break
      }
      let length = Int(b[i + 1])
      var end = i + 2 + length
      if end > b.endIndex {
        warnings.append("\(label): sub-option \(code) length \(length) runs past the end of the option")
        end = b.endIndex
      }
      let data = b[(i + 2)..<end]
      let (name, format) = table[Int(code)] ?? ("Sub-option \(code)", .bytes)
      var sub = DecodedOption(code: UInt32(code), name: name, value: .none, raw: data)
      if format == .bytes {
        // Circuit and remote IDs are usually interface names: show text when it is text.
        sub.value = isPrintable(data) ? .text(text(data)) : .hex(Array(data))
      } else {
        sub.value = value(format, data, warnings: &sub.warnings, code: code)
        warnings.append(contentsOf: sub.warnings.map { "\(label): \($0)" })
      }
      result.append(sub)
      i = end
    }
    return result
  }

  /// Options 124 and 125: blocks of enterprise number, length and data (RFC 3925).
  static func enterpriseBlocks(_ b: ArraySlice<UInt8>, warnings: inout [String], nested: Bool) -> [DecodedOption] {
    var result: [DecodedOption] = []
    var i = b.startIndex
    while i < b.endIndex {
      guard i + 5 <= b.endIndex else {
        warnings.append("enterprise block at byte \(i - b.startIndex) is shorter than 5 bytes")
        break
      }
      let enterprise = u32(b, i)
      let length = Int(b[i + 4])
      var end = i + 5 + length
      if end > b.endIndex {
        warnings.append("enterprise \(enterprise) data length \(length) runs past the end of the option")
        end = b.endIndex
      }
      let data = b[(i + 5)..<end]
      var block = DecodedOption(code: enterprise, name: "Enterprise \(enterprise)", value: .none, raw: data)
      if nested {
        block.suboptions = suboptions(data, table: [:], warnings: &warnings, label: "enterprise \(enterprise)")
      } else {
        var items: [OptionValue] = []
        var k = data.startIndex
        while k < data.endIndex {
          let n = Int(data[k])
          guard k + 1 + n <= data.endIndex else {
            warnings.append("enterprise \(enterprise) vendor class data runs past its block")
            break
          }
          let item = data[(k + 1)..<(k + 1 + n)]
          items.append(isPrintable(item) ? .text(text(item)) : .hex(Array(item)))
          k += 1 + n
        }
        block.value = .list(items)
      }
      result.append(block)
      i = end
    }
    return result
  }

  // MARK: Helpers

  static func ipv4(_ b: ArraySlice<UInt8>, _ i: Int) -> IPv4Address { IPv4Address(u32(b, i)) }
  static func u16(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
  static func u32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  /// Text up to a trailing NUL (some clients terminate strings); invalid UTF-8 is repaired.
  static func text(_ b: ArraySlice<UInt8>) -> String {
    var end = b.endIndex
    while end > b.startIndex, b[end - 1] == 0 { end -= 1 }
    return String(decoding: b[b.startIndex..<end], as: UTF8.self)
  }

  static func isPrintable(_ b: ArraySlice<UInt8>) -> Bool {
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
      labels.append(OptionDecoder.text(b[(i + 1)..<(i + 1 + length)]))
      i += 1 + length
    }
  }
}
