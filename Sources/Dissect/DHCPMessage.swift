/// Where in the BOOTP message an option was found (option overload can move options into the
/// `file` and `sname` fields, RFC 2131 §4.1 and RFC 2132 §9.3).
public enum OptionArea: UInt8, Sendable {
  case options, file, sname
}

/// One option after RFC 3396 concatenation: its value bytes are `message.storage[range]`.
public struct DHCPOptionRef: Sendable, Equatable {
  public var code: UInt8
  public var start: Int32
  public var length: Int32
  /// How many instances of the code were concatenated into this one (RFC 3396).
  public var pieces: UInt16
  public var area: OptionArea
  public var range: Range<Int> { Int(start)..<Int(start + length) }
}

public enum MessageType {
  public static let names: [String] = [
    "BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
    "FORCERENEW", "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE",
    "BULKLEASEQUERY", "LEASEQUERYDONE", "ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "TLS",
  ]
  public static func name(_ type: UInt8?) -> String {
    guard let type else { return "BOOTP" }
    return Int(type) < names.count && type != 0 ? names[Int(type)] : "UNKNOWN(\(type))"
  }
  public static let discover: UInt8 = 1, offer: UInt8 = 2, request: UInt8 = 3, decline: UInt8 = 4
  public static let ack: UInt8 = 5, nak: UInt8 = 6, release: UInt8 = 7, inform: UInt8 = 8
  public static let forceRenew: UInt8 = 9, leaseQuery: UInt8 = 10
}

/// A decoded BOOTP/DHCP message. It owns one byte buffer (the UDP payload, followed by any
/// option values RFC 3396 had to concatenate) and refers to fields and options by offset, so a
/// message costs two allocations however many options it carries, and none when one message
/// is decoded into again and again (`decode(payload:)`). Equal messages hold the same bytes,
/// options, warnings and overload: how a reused message is checked against a fresh one.
public struct DHCPMessage: Sendable, Equatable {
  public static let fixedHeaderLength = 236
  public static let magicCookie: UInt32 = 0x6382_5363

  public private(set) var storage: [UInt8] = []
  public private(set) var options: [DHCPOptionRef] = []
  public var warnings: [String] = []
  /// Length of the BOOTP payload at the start of `storage`.
  public private(set) var payloadLength = 0

  public init(payload: UnsafeRawBufferPointer) {
    decode(payload: payload)
  }

  /// An all-zero fixed header with no options: a message to decode others into.
  public init() {
    storage = Array(repeating: 0, count: Self.fixedHeaderLength)
    payloadLength = Self.fixedHeaderLength
  }

  /// Makes this the message in `payload`, reusing this one's buffers.
  public mutating func decode(payload: UnsafeRawBufferPointer) {
    payloadLength = payload.count
    storage.removeAll(keepingCapacity: true)
    storage.append(contentsOf: payload.assumingMemoryBound(to: UInt8.self))
    options.removeAll(keepingCapacity: true)
    if !warnings.isEmpty { warnings = [] }
    overload = 0
    if payload.count < Self.fixedHeaderLength {
      // A short message is zero-filled to the fixed header so every field reads as something.
      storage.append(contentsOf: repeatElement(0, count: Self.fixedHeaderLength - payload.count))
      warnings.append(
        "BOOTP message is \(payload.count) bytes, shorter than the \(Self.fixedHeaderLength)-byte fixed header")
    }
    parseOptions()
  }

  // MARK: Fixed header (RFC 2131 §2)
  public var op: UInt8 { storage[0] }
  public var htype: UInt8 { storage[1] }
  public var hlen: UInt8 { storage[2] }
  public var hops: UInt8 { storage[3] }
  public var xid: UInt32 { u32(4) }
  public var secs: UInt16 { UInt16(storage[8]) << 8 | UInt16(storage[9]) }
  public var flags: UInt16 { UInt16(storage[10]) << 8 | UInt16(storage[11]) }
  public var broadcast: Bool { flags & 0x8000 != 0 }
  public var ciaddr: IPv4Address { IPv4Address(u32(12)) }
  public var yiaddr: IPv4Address { IPv4Address(u32(16)) }
  public var siaddr: IPv4Address { IPv4Address(u32(20)) }
  public var giaddr: IPv4Address { IPv4Address(u32(24)) }
  public var isRequest: Bool { op == 1 }
  public var isReply: Bool { op == 2 }

  /// The meaningful part of chaddr: `hlen` bytes, at most 16.
  public var clientHardwareAddress: HardwareAddress {
    storage.withUnsafeBytes { HardwareAddress($0, start: 28, count: Int(hlen)) }
  }

  /// chaddr as a 48-bit number when it is an Ethernet address, else a hash of what is there.
  public var clientKey: UInt64 {
    storage.withUnsafeBytes { Self.clientKey($0, hlen: Int(hlen)) }
  }

  static func clientKey(_ payload: UnsafeRawBufferPointer, hlen: Int) -> UInt64 {
    var key: UInt64 = 0
    for i in 28..<28 + min(hlen, 16) { key = key &* 31 &+ UInt64(payload[i]) }
    return key ^ UInt64(truncatingIfNeeded: hlen) << 56
  }

  public var opName: String { op == 1 ? "BOOTREQUEST" : op == 2 ? "BOOTREPLY" : "OP(\(op))" }

  /// `sname` and `file` as text, up to the first NUL; empty when overloaded with options.
  public var serverName: String { overloadArea(.sname) ? "" : cString(44..<108) }
  public var bootFileName: String { overloadArea(.file) ? "" : cString(108..<236) }

  // MARK: Options
  public var messageType: UInt8? {
    guard let o = option(53), o.length >= 1 else { return nil }
    return storage[Int(o.start)]
  }
  public var messageTypeName: String { MessageType.name(messageType) }

  public func option(_ code: UInt8) -> DHCPOptionRef? { options.first { $0.code == code } }

  public func optionBytes(_ ref: DHCPOptionRef) -> ArraySlice<UInt8> { storage[ref.range] }

  public func addressOption(_ code: UInt8) -> IPv4Address? {
    guard let o = option(code), o.length >= 4 else { return nil }
    return IPv4Address(u32(Int(o.start)))
  }

  public func uint32Option(_ code: UInt8) -> UInt32? {
    guard let o = option(code), o.length >= 4 else { return nil }
    return u32(Int(o.start))
  }

  /// Option 82's value, if present.
  public var relayAgentInformation: ArraySlice<UInt8>? { option(82).map { storage[$0.range] } }

  // MARK: Parsing

  private var overload: UInt8 = 0
  private func overloadArea(_ area: OptionArea) -> Bool {
    switch area {
    case .file: return overload & 1 != 0
    case .sname: return overload & 2 != 0
    case .options: return false
    }
  }

  private func u32(_ at: Int) -> UInt32 {
    UInt32(storage[at]) << 24 | UInt32(storage[at + 1]) << 16 | UInt32(storage[at + 2]) << 8
      | UInt32(storage[at + 3])
  }

  private func cString(_ range: Range<Int>) -> String {
    let field = storage[range]
    let end = field.firstIndex(of: 0) ?? range.upperBound
    return String(decoding: storage[range.lowerBound..<end], as: UTF8.self)
  }

  private mutating func parseOptions() {
    if payloadLength >= 1, let problem = Malformed.badOp(op) { warnings.append(problem.detail) }
    if hlen > 16 { warnings.append("hlen \(hlen) exceeds the 16-byte chaddr field") }
    guard payloadLength >= Self.fixedHeaderLength + 4 else {
      if payloadLength > Self.fixedHeaderLength {
        warnings.append(
          "vendor area of \(payloadLength - Self.fixedHeaderLength) bytes is too short for the magic cookie")
      }
      return
    }
    let cookie = u32(Self.fixedHeaderLength)
    guard cookie == Self.magicCookie else {
      // RFC 951 BOOTP may leave the vendor area zeroed: nothing to decode, nothing wrong.
      if storage[Self.fixedHeaderLength..<payloadLength].allSatisfy({ $0 == 0 }) { return }
      warnings.append("bad magic cookie 0x\(String(cookie, radix: 16)) (expected 0x63825363); vendor area not decoded")
      return
    }
    // Scanned into the buffer `options` already has (it is empty here), then moved back.
    var raw: [DHCPOptionRef] = []
    swap(&raw, &options)
    raw.reserveCapacity(16)
    let sawEnd = scan(area: .options, range: Self.fixedHeaderLength + 4..<payloadLength, into: &raw)
    if !sawEnd { warnings.append("options field has no end option (255)") }
    // Option overload: the first option 52 decides; RFC 2131 reads file, then sname.
    if let o = raw.first(where: { $0.code == 52 }) {
      if raw.filter({ $0.code == 52 }).count > 1 { warnings.append("option 52 (overload) appears more than once") }
      if o.length == 1, (1...3).contains(storage[Int(o.start)]) {
        overload = storage[Int(o.start)]
        if overload & 1 != 0 { scanOverloaded(.file, 108..<236, into: &raw) }
        if overload & 2 != 0 { scanOverloaded(.sname, 44..<108, into: &raw) }
      } else {
        warnings.append("option 52 (overload) has an invalid value")
      }
    }
    options = concatenate(raw)
    checkClientRules()
  }

  /// What RFC 2131 §4.4.4–4.4.6 requires of a client's DECLINE, RELEASE and INFORM.
  private mutating func checkClientRules() {
    guard op == 1, let type = messageType else { return }
    switch type {
    case MessageType.decline:
      if option(50) == nil { warnings.append("DECLINE without the declined address (option 50; RFC 2131 §4.4.4)") }
      if option(54) == nil { warnings.append("DECLINE without a server identifier (option 54; RFC 2131 §4.4.4)") }
    case MessageType.release:
      if ciaddr.isZero {
        warnings.append("RELEASE with ciaddr 0.0.0.0 (RFC 2131 §4.4.6 requires the released address)")
      }
    case MessageType.inform:
      for code: UInt8 in [50, 51] where option(code) != nil {
        warnings.append("INFORM carries option \(code), which RFC 2131 §4.4.3 forbids")
      }
    default: break
    }
  }

  private mutating func scanOverloaded(_ area: OptionArea, _ range: Range<Int>, into raw: inout [DHCPOptionRef]) {
    var found: [DHCPOptionRef] = []
    let sawEnd = scan(area: area, range: range, into: &found)
    if !sawEnd { warnings.append("overloaded \(area) field has no end option (255)") }
    for o in found {
      if o.code == 52 {
        warnings.append("option 52 (overload) inside the overloaded \(area) field is ignored")
      } else {
        raw.append(o)
      }
    }
  }

  /// Walks the options in `range`; returns whether an end option was found.
  private mutating func scan(area: OptionArea, range: Range<Int>, into raw: inout [DHCPOptionRef]) -> Bool {
    var walk = OptionWalk(storage, range: range, padAndEnd: true)
    while let option = walk.next() {
      if case .overrun(let code, let length, let available) = walk.stop {
        warnings.append(
          "option \(code) length \(length) runs past the end of the \(area) field (\(available) bytes left)")
      }
      raw.append(
        DHCPOptionRef(
          code: option.code, start: Int32(option.value.lowerBound), length: Int32(option.value.count), pieces: 1,
          area: area))
    }
    if case .missingLength(let code, let offset) = walk.stop {
      warnings.append("option \(code) at offset \(offset) has no length byte")
    }
    return walk.stop == .endOption
  }

  /// RFC 3396: every instance of one code, in order, forms a single option whose value is the
  /// concatenation; it stands where the first instance stood.
  private mutating func concatenate(_ raw: [DHCPOptionRef]) -> [DHCPOptionRef] {
    var seen: UInt256Set = UInt256Set()
    var repeated = false
    for o in raw {
      if seen.contains(o.code) {
        repeated = true
        break
      }
      seen.insert(o.code)
    }
    guard repeated else { return raw }
    var result: [DHCPOptionRef] = []
    var done = UInt256Set()
    for (index, o) in raw.enumerated() where !done.contains(o.code) {
      done.insert(o.code)
      let parts = raw[index...].filter { $0.code == o.code }
      if parts.count == 1 {
        result.append(o)
        continue
      }
      let start = storage.count
      for p in parts { storage.append(contentsOf: storage[p.range]) }
      result.append(
        DHCPOptionRef(
          code: o.code, start: Int32(start), length: Int32(storage.count - start),
          pieces: UInt16(min(parts.count, Int(UInt16.max))), area: o.area))
    }
    return result
  }
}

/// A set of option codes as a 256-bit mask, so checking for repeats allocates nothing.
struct UInt256Set {
  private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  func contains(_ code: UInt8) -> Bool {
    let bit = UInt64(1) << UInt64(code & 63)
    switch code >> 6 {
    case 0: return words.0 & bit != 0
    case 1: return words.1 & bit != 0
    case 2: return words.2 & bit != 0
    default: return words.3 & bit != 0
    }
  }
  mutating func insert(_ code: UInt8) {
    let bit = UInt64(1) << UInt64(code & 63)
    switch code >> 6 {
    case 0: words.0 |= bit
    case 1: words.1 |= bit
    case 2: words.2 |= bit
    default: words.3 |= bit
    }
  }
}
