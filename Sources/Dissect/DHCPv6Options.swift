/// DHCPv6 option codes dhcpscope reads (RFC 8415 §21 and the IANA registry).
public enum DHCPv6Option {
  public static let clientID: UInt16 = 1, serverID: UInt16 = 2, iaNA: UInt16 = 3, iaTA: UInt16 = 4
  public static let iaAddress: UInt16 = 5, optionRequest: UInt16 = 6, preference: UInt16 = 7
  public static let elapsedTime: UInt16 = 8, relayMessage: UInt16 = 9, statusCode: UInt16 = 13
  public static let rapidCommit: UInt16 = 14, interfaceID: UInt16 = 18, iaPD: UInt16 = 25
  public static let iaPrefix: UInt16 = 26, remoteID: UInt16 = 37, clientLinkLayerAddress: UInt16 = 79

  public static func name(_ code: UInt16) -> String { names[code] ?? "Unknown" }

  static let names: [UInt16: String] = [
    1: "Client Identifier", 2: "Server Identifier", 3: "Identity Association for Non-temporary Addresses",
    4: "Identity Association for Temporary Addresses", 5: "IA Address", 6: "Option Request", 7: "Preference",
    8: "Elapsed Time", 9: "Relay Message", 11: "Authentication", 12: "Server Unicast", 13: "Status Code",
    14: "Rapid Commit", 15: "User Class", 16: "Vendor Class", 17: "Vendor-specific Information",
    18: "Interface-Id", 19: "Reconfigure Message", 20: "Reconfigure Accept", 21: "SIP Server Domain Name List",
    22: "SIP Server IPv6 Address List", 23: "DNS Recursive Name Server", 24: "Domain Search List",
    25: "Identity Association for Prefix Delegation", 26: "IA Prefix", 27: "NIS Servers", 28: "NIS+ Servers",
    29: "NIS Domain Name", 30: "NIS+ Domain Name", 31: "SNTP Servers", 32: "Information Refresh Time",
    37: "Relay Agent Remote-ID", 38: "Relay Agent Subscriber-ID", 39: "Client FQDN", 56: "NTP Server",
    59: "Boot File URL", 60: "Boot File Parameters", 61: "Client System Architecture Type",
    62: "Client Network Interface Identifier", 64: "AFTR-Name", 79: "Client Link-Layer Address",
    82: "SOL_MAX_RT", 83: "INF_MAX_RT", 89: "S46 Rule", 90: "S46 BR", 91: "S46 DMR", 92: "S46 IPv4/IPv6 Binding",
    93: "S46 Port Parameters", 94: "S46 MAP-E Container", 95: "S46 MAP-T Container",
    96: "S46 Lightweight 4over6 Container",
  ]

  /// Status codes (RFC 8415 §21.13 and later registrations).
  public static func statusName(_ code: UInt16) -> String {
    Int(code) < statusNames.count ? statusNames[Int(code)] : "Unknown(\(code))"
  }

  static let statusNames = [
    "Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink", "UseMulticast", "NoPrefixAvail",
    "UnknownQueryType", "MalformedQuery", "NotConfigured", "NotAllowed", "QueryTerminated", "DataMissing",
    "CatchUpComplete", "NotSupported", "TLSConnectionRefused", "AddressInUse", "ConfigurationConflict",
    "MissingBindingInformation", "OutdatedBindingInformation", "ServerShuttingDown", "DNSUpdateNotSupported",
    "ExcessiveTimeSkew",
  ]
}

/// Turns DHCPv6 option bytes into typed values for an `OptionSink`, as `OptionDecoder` does for
/// DHCPv4: nested options (IA_NA, IA Address, …) become sub-options, malformed content a
/// warning and a hex value. Every option arrives through `beginSuboption`, named here.
public enum DHCPv6OptionDecoder {
  /// Every option of `options` (one layer's), in wire order. Option 9's content is the next
  /// layer, shown as that layer, not here: its value is its length.
  public static func decodeAll<Sink: OptionSink & ~Copyable>(
    _ options: [DHCPv6OptionRef], of message: DHCPv6Message, into sink: inout Sink
  ) {
    for option in options { decode(code: option.code, message.value(option), depth: 0, into: &sink) }
  }

  /// The options of one layer as trees (tests, correlation).
  public static func decodeAll(_ options: [DHCPv6OptionRef], of message: DHCPv6Message) -> [DecodedOption] {
    var builder = OptionTreeBuilder()
    decodeAll(options, of: message, into: &builder)
    return builder.options
  }

  /// Nesting deeper than this is an attack: the rest is shown as hex.
  static let maximumDepth = 8

  /// Whose codes an option's code is: DHCPv6's own, a vendor's (option 17), or the NTP
  /// server option's sub-options (RFC 5908).
  enum Space {
    case dhcpv6, vendor, ntp

    func name(_ code: UInt16) -> String {
      switch self {
      case .dhcpv6: return DHCPv6Option.name(code)
      case .vendor: return "Vendor option"
      case .ntp:
        return ["", "NTP server address", "NTP multicast address", "NTP server FQDN"][safe: Int(code)] ?? "Unknown"
      }
    }
  }

  static func decode<Sink: OptionSink & ~Copyable>(
    code: UInt16, _ v: ArraySlice<UInt8>, depth: Int, space: Space = .dhcpv6, into sink: inout Sink
  ) {
    sink.beginSuboption(code: UInt32(code), name: space.name(code))
    var nested: (start: Int, label: String)?
    let valid: Bool
    switch space {
    case .dhcpv6: valid = value(code: code, v, nested: &nested, into: &sink)
    case .vendor:
      sink.hex(v)
      valid = true
    case .ntp:
      valid = ntpValue(code: code, v, into: &sink)
    }
    if !valid {
      sink.warning("DHCPv6 option \(code) (\(space.name(code))) has an invalid length \(v.count)")
      sink.hex(v)
    }
    sink.endValue(raw: code == DHCPv6Option.relayMessage ? [] : v, pieces: 1)
    if valid, let nested {
      if depth < maximumDepth {
        let inner: Space = code == 17 ? .vendor : code == 56 ? .ntp : .dhcpv6
        suboptions(v[nested.start...], depth: depth + 1, label: nested.label, space: inner, into: &sink)
      } else {
        sink.warning("DHCPv6 options nested deeper than \(maximumDepth): the rest is left as hex")
      }
    }
    sink.endOption()
  }

  /// The options inside an option (an IA's addresses, an address's status), as sub-options.
  static func suboptions<Sink: OptionSink & ~Copyable>(
    _ bytes: ArraySlice<UInt8>, depth: Int, label: String, space: Space, into sink: inout Sink
  ) {
    guard !bytes.isEmpty else { return }
    sink.beginSuboptions()
    var i = bytes.startIndex
    while i < bytes.endIndex {
      guard bytes.endIndex - i >= 4 else {
        sink.warning("\(label): option header cut short")
        break
      }
      let code = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
      let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
      let end = min(i + 4 + length, bytes.endIndex)
      if i + 4 + length > bytes.endIndex {
        sink.warning("\(label): option \(code) claims \(length) bytes, \(bytes.endIndex - i - 4) remain")
      }
      decode(code: code, bytes[(i + 4)..<end], depth: depth, space: space, into: &sink)
      i = end
    }
    sink.endSuboptions()
  }

  /// Emits the value of one option; false when its length does not fit its format (the
  /// caller then shows hex). `nested` is set when options follow inside, from that offset.
  static func value<Sink: OptionSink & ~Copyable>(
    code: UInt16, _ v: ArraySlice<UInt8>, nested: inout (start: Int, label: String)?, into sink: inout Sink
  ) -> Bool {
    let s = v.startIndex
    func u16(_ at: Int) -> Int64 { Int64(v[s + at]) << 8 | Int64(v[s + at + 1]) }
    func u32(_ at: Int) -> Int64 { u16(at) << 16 | u16(at + 2) }
    func address(_ at: Int) -> String { IPv6Address(v, at: s + at)!.description }
    switch code {
    case 1, 2:
      guard v.count >= 2 else { return false }
      duid(v, into: &sink)
    case 3, 25:  // IA_NA, IA_PD: IAID, T1, T2, options
      guard v.count >= 12 else { return false }
      sink.beginRecord()
      sink.field("iaid")
      sink.number(u32(0))
      sink.field("t1")
      sink.number(u32(4))
      sink.field("t2")
      sink.number(u32(8))
      sink.endRecord()
      nested = (s + 12, code == 3 ? "IA_NA" : "IA_PD")
    case 4:  // IA_TA: IAID, options
      guard v.count >= 4 else { return false }
      sink.beginRecord()
      sink.field("iaid")
      sink.number(u32(0))
      sink.endRecord()
      nested = (s + 4, "IA_TA")
    case 5:  // IA Address: address, preferred and valid lifetimes, options
      guard v.count >= 24 else { return false }
      sink.beginRecord()
      sink.field("address")
      sink.string(address(0))
      sink.field("preferred_lifetime")
      sink.number(u32(16))
      sink.field("valid_lifetime")
      sink.number(u32(20))
      sink.endRecord()
      nested = (s + 24, "IA Address")
    case 26:  // IA Prefix: preferred, valid, length, prefix, options
      guard v.count >= 25 else { return false }
      sink.beginRecord()
      sink.field("preferred_lifetime")
      sink.number(u32(0))
      sink.field("valid_lifetime")
      sink.number(u32(4))
      sink.field("prefix_length")
      sink.number(Int64(v[s + 8]))
      sink.field("prefix")
      sink.string(address(9))
      sink.endRecord()
      nested = (s + 25, "IA Prefix")
    case 6:  // Option Request: codes
      guard v.count % 2 == 0 else { return false }
      sink.beginList()
      for i in stride(from: 0, to: v.count, by: 2) { sink.number(u16(i)) }
      sink.endList()
    case 7:
      guard v.count == 1 else { return false }
      sink.number(Int64(v[s]))
    case 8:  // hundredths of a second
      guard v.count == 2 else { return false }
      sink.number(u16(0))
    case 9:
      sink.beginRecord()
      sink.field("length")
      sink.number(Int64(v.count))
      sink.endRecord()
    case 11:  // Authentication
      guard v.count >= 11 else { return false }
      sink.beginRecord()
      sink.field("protocol")
      sink.number(Int64(v[s]))
      sink.field("algorithm")
      sink.number(Int64(v[s + 1]))
      sink.field("rdm")
      sink.number(Int64(v[s + 2]))
      sink.field("replay_detection")
      sink.hex(v[(s + 3)..<(s + 11)])
      sink.field("information")
      sink.hex(v[(s + 11)...])
      sink.endRecord()
    case 12:
      guard v.count == 16 else { return false }
      sink.string(address(0))
    case 13:  // Status Code: code, UTF-8 message
      guard v.count >= 2 else { return false }
      sink.beginRecord()
      sink.field("code")
      sink.number(u16(0))
      sink.field("name")
      sink.string(DHCPv6Option.statusName(UInt16(u16(0))))
      sink.field("message")
      sink.text(v[(s + 2)...])
      sink.endRecord()
    case 14, 20:
      guard v.isEmpty else { return false }
      sink.none()
    case 15:  // User Class: length-prefixed opaque items
      guard let items = lengthPrefixed(v[...]) else { return false }
      sink.beginList()
      for item in items { textOrHex(item, into: &sink) }
      sink.endList()
    case 16:  // Vendor Class: enterprise, items
      guard v.count >= 4, let items = lengthPrefixed(v[(s + 4)...]) else { return false }
      sink.beginRecord()
      sink.field("enterprise")
      sink.number(u32(0))
      sink.field("data")
      sink.beginList()
      for item in items { textOrHex(item, into: &sink) }
      sink.endList()
      sink.endRecord()
    case 17:  // Vendor-specific Information: enterprise, options
      guard v.count >= 4 else { return false }
      sink.beginRecord()
      sink.field("enterprise")
      sink.number(u32(0))
      sink.endRecord()
      nested = (s + 4, "Vendor-specific Information")
    case 18, 38:  // Interface-Id, Subscriber-ID: opaque, often text
      textOrHex(v, into: &sink)
    case 19:
      guard v.count == 1 else { return false }
      sink.string(DHCPv6MessageType.name(v[s]))
    case 21, 24, 29, 30, 64:  // domain names, uncompressed (RFC 1035 §3.1)
      guard let names = domainNames(v) else { return false }
      if code == 29 || code == 30 || code == 64, names.count == 1 {
        sink.string(names[0])
      } else {
        sink.beginList()
        for name in names { sink.string(name) }
        sink.endList()
      }
    case 22, 23, 27, 28, 31:  // IPv6 address lists
      guard v.count % 16 == 0 else { return false }
      sink.beginList()
      for i in stride(from: 0, to: v.count, by: 16) { sink.string(address(i)) }
      sink.endList()
    case 32, 82, 83:  // seconds
      guard v.count == 4 else { return false }
      sink.number(u32(0))
    case 37:  // Remote-ID: enterprise, opaque id
      guard v.count >= 4 else { return false }
      sink.beginRecord()
      sink.field("enterprise")
      sink.number(u32(0))
      sink.field("remote_id")
      textOrHex(v[(s + 4)...], into: &sink)
      sink.endRecord()
    case 39:  // Client FQDN: flags, name (RFC 4704)
      guard v.count >= 1 else { return false }
      sink.beginRecord()
      sink.field("flags")
      sink.number(Int64(v[s]))
      sink.field("name")
      sink.string(domainNames(v[(s + 1)...], partialAllowed: true)?.joined(separator: ", ") ?? "")
      sink.endRecord()
    case 56:  // NTP Server: sub-options of 16-bit code and length
      sink.none()
      nested = (s, "NTP Server")
    case 59:
      sink.text(v)
    case 61:
      guard v.count % 2 == 0 else { return false }
      sink.beginList()
      for i in stride(from: 0, to: v.count, by: 2) { sink.number(u16(i)) }
      sink.endList()
    case 79:  // Client Link-Layer Address: hardware type, address
      guard v.count >= 2 else { return false }
      sink.beginRecord()
      sink.field("link_layer_type")
      sink.number(u16(0))
      sink.field("address")
      sink.string(Hex.colonSeparated(v[(s + 2)...]))
      sink.endRecord()
    case 94, 95, 96:  // S46 containers: options inside
      sink.none()
      nested = (s, DHCPv6Option.name(code))
    default:
      sink.hex(v)
    }
    return true
  }

  /// The NTP server option's sub-options: an address, a multicast address, or a name.
  static func ntpValue<Sink: OptionSink & ~Copyable>(code: UInt16, _ v: ArraySlice<UInt8>, into sink: inout Sink)
    -> Bool
  {
    switch code {
    case 1, 2:
      guard let address = IPv6Address(v, at: v.startIndex), v.count == 16 else { return false }
      sink.string(address.description)
    case 3:
      guard let names = domainNames(v), names.count == 1 else { return false }
      sink.string(names[0])
    default:
      sink.hex(v)
    }
    return true
  }

  /// A DUID (RFC 8415 §11) with the fields of its type.
  static func duid<Sink: OptionSink & ~Copyable>(_ v: ArraySlice<UInt8>, into sink: inout Sink) {
    let s = v.startIndex
    let type = Int(v[s]) << 8 | Int(v[s + 1])
    func u16(_ at: Int) -> Int64 { Int64(v[s + at]) << 8 | Int64(v[s + at + 1]) }
    sink.beginRecord()
    sink.field("duid")
    sink.string(Hex.colonSeparated(v))
    sink.field("type")
    sink.number(Int64(type))
    switch type {
    case 1 where v.count >= 8:
      sink.field("type_name")
      sink.string("DUID-LLT")
      sink.field("hardware_type")
      sink.number(u16(2))
      sink.field("time")
      sink.number(u16(4) << 16 | u16(6))
      sink.field("link_layer_address")
      sink.string(Hex.colonSeparated(v[(s + 8)...]))
    case 2 where v.count >= 6:
      sink.field("type_name")
      sink.string("DUID-EN")
      sink.field("enterprise")
      sink.number(u16(2) << 16 | u16(4))
      sink.field("identifier")
      sink.hex(v[(s + 6)...])
    case 3 where v.count >= 4:
      sink.field("type_name")
      sink.string("DUID-LL")
      sink.field("hardware_type")
      sink.number(u16(2))
      sink.field("link_layer_address")
      sink.string(Hex.colonSeparated(v[(s + 4)...]))
    case 4 where v.count == 18:
      sink.field("type_name")
      sink.string("DUID-UUID")
      sink.field("uuid")
      sink.string(uuid(v[(s + 2)...]))
    default:
      sink.warning("DUID of type \(type) and \(v.count) bytes has no known layout")
    }
    sink.endRecord()
  }

  static func textOrHex<Sink: OptionSink & ~Copyable>(_ v: ArraySlice<UInt8>, into sink: inout Sink) {
    if !v.isEmpty && v.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { sink.text(v) } else { sink.hex(v) }
  }

  /// Items each prefixed by a 16-bit length (User Class, Vendor Class); nil when they do not
  /// fill the bytes exactly.
  static func lengthPrefixed(_ v: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
    var items: [ArraySlice<UInt8>] = []
    var i = v.startIndex
    while i < v.endIndex {
      guard v.endIndex - i >= 2 else { return nil }
      let n = Int(v[i]) << 8 | Int(v[i + 1])
      guard i + 2 + n <= v.endIndex else { return nil }
      items.append(v[(i + 2)..<(i + 2 + n)])
      i += 2 + n
    }
    return items
  }

  /// Names in DNS wire format, one after another, without compression (RFC 8415 §10). With
  /// `partialAllowed`, a last name may lack its root label (RFC 4704's partial names).
  static func domainNames(_ v: ArraySlice<UInt8>, partialAllowed: Bool = false) -> [String]? {
    var names: [String] = []
    var labels: [String] = []
    var i = v.startIndex
    while i < v.endIndex {
      let n = Int(v[i])
      if n == 0 {
        names.append(labels.joined(separator: "."))
        labels = []
        i += 1
        continue
      }
      guard n < 64, i + 1 + n <= v.endIndex else { return nil }
      labels.append(String(decoding: v[(i + 1)..<(i + 1 + n)], as: UTF8.self))
      i += 1 + n
    }
    if !labels.isEmpty {
      guard partialAllowed else { return nil }
      names.append(labels.joined(separator: "."))
    }
    return names
  }

  static func uuid(_ v: ArraySlice<UInt8>) -> String {
    let s = v.startIndex
    return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { Hex.string(v[(s + $0.lowerBound)..<(s + $0.upperBound)]) }
      .joined(separator: "-")
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
