/// Where and how a DHCP message travelled: the frame, its time, and the link, IP and UDP
/// headers around it.
public struct PacketOrigin: Sendable {
  /// 1-based frame number in its file, as tshark counts.
  public var frame: Int
  /// Index of the input file in the run (0 for the first).
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var interface: CaptureInterface?
  public var vlanIDs: [UInt16]
  public var sourceMAC: UInt64?
  public var source: IPv4Address
  public var destination: IPv4Address
  public var sourcePort: UInt16
  public var destinationPort: UInt16
  public var ipIdentification: UInt16
  public var ttl: UInt8
}

/// The fields of a DHCP packet that correlation needs, as one plain value with no references.
/// `analyze` reads a million of these: the common message is summarised straight from the
/// frame's bytes without building a `DHCPMessage`, and anything unusual (option overload, a
/// repeated option that RFC 3396 would concatenate, a short or cookie-less message) goes
/// through the full decoder, so both paths agree.
public struct PacketSummary: Sendable, Equatable {
  public var frame: Int
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var interface: CaptureInterface?
  public var source: IPv4Address
  public var destination: IPv4Address
  public var sourcePort: UInt16
  public var destinationPort: UInt16
  public var ipIdentification: UInt16
  public var op: UInt8
  public var hops: UInt8
  public var secs: UInt16
  public var xid: UInt32
  public var ciaddr: IPv4Address
  public var yiaddr: IPv4Address
  public var giaddr: IPv4Address
  public var clientHardwareAddress: HardwareAddress
  /// chaddr as a number, for keying transactions (see `DHCPMessage.clientKey`).
  public var clientKey: UInt64
  public var messageType: UInt8?
  /// Option 54: the server a request names, or the server a reply comes from.
  public var serverIdentifier: IPv4Address?
  /// Option 51.
  public var leaseSeconds: UInt32?
  public var hasOption82: Bool
  /// Option 50: the address a client asks for.
  public var requestedAddress: IPv4Address?
  /// The options that say who the client is and what the server said (`IdentityOptions.codes`),
  /// in wire order.
  public var identityOptions: IdentityOptions
  /// Set when this is not a DHCP packet but an ICMP error quoting one: the fields above are
  /// the quoted message's, and the frame, time and interface the ICMP message's.
  public var icmpError: ICMPError?

  public var isRequest: Bool { op == 1 }
  public var isReply: Bool { op == 2 }

  /// From a fully decoded packet (the slow path, and tests).
  public init(_ p: DHCPPacket) {
    let m = p.message
    frame = p.frame
    fileIndex = p.fileIndex
    timestamp = p.timestamp
    interface = p.interface
    source = p.source
    destination = p.destination
    sourcePort = p.sourcePort
    destinationPort = p.destinationPort
    ipIdentification = p.ipIdentification
    op = m.op
    hops = m.hops
    secs = m.secs
    xid = m.xid
    ciaddr = m.ciaddr
    yiaddr = m.yiaddr
    giaddr = m.giaddr
    clientHardwareAddress = m.clientHardwareAddress
    clientKey = m.clientKey
    messageType = m.messageType
    serverIdentifier = m.addressOption(54)
    leaseSeconds = m.uint32Option(51)
    hasOption82 = m.option(82) != nil
    requestedAddress = m.addressOption(50)
    identityOptions = IdentityOptions()
    for o in m.options where IdentityOptions.index(of: o.code) != nil {
      m.optionBytes(o).withUnsafeBytes { identityOptions.append(code: o.code, value: $0) }
    }
  }

  /// An empty summary, for `PacketDissector.summarize(_:into:)`
  /// to fill in place.
  public init() {
    frame = 0
    fileIndex = 0
    timestamp = Timestamp(seconds: 0, nanoseconds: 0)
    source = .zero
    destination = .zero
    sourcePort = 0
    destinationPort = 0
    ipIdentification = 0
    op = 0
    hops = 0
    secs = 0
    xid = 0
    ciaddr = .zero
    yiaddr = .zero
    giaddr = .zero
    clientHardwareAddress = HardwareAddress([])
    clientKey = 0
    hasOption82 = false
    identityOptions = IdentityOptions()
  }

  /// Fills this summary straight from the BOOTP payload, in place (a summary is large enough
  /// that copying it is a measurable part of reading); false when the message needs the full
  /// decoder, which then replaces the whole summary.
  mutating func fill(origin o: PacketOrigin, payload p: UnsafeRawBufferPointer) -> Bool {
    let optionsStart = DHCPMessage.fixedHeaderLength + 4
    guard p.count >= optionsStart, p.bigEndianUInt32(at: DHCPMessage.fixedHeaderLength) == DHCPMessage.magicCookie
    else { return false }
    var messageType: UInt8? = nil
    var serverIdentifier: IPv4Address? = nil
    var leaseSeconds: UInt32? = nil
    var requestedAddress: IPv4Address? = nil
    identityOptions.removeAll()
    // One bit each for 53, 54, 51, 82, 50 and the identity options: a repeat needs RFC 3396.
    var seen: UInt16 = 0
    var walk = OptionWalk(p, range: optionsStart..<p.count, padAndEnd: true)
    while let option = walk.next() {
      let code = option.code
      let start = option.value.lowerBound
      let available = option.value.count
      let bit: UInt16
      switch code {
      case 52: return false
      case 50:
        bit = 16
        if available >= 4 { requestedAddress = IPv4Address(p.bigEndianUInt32(at: start)) }
      case 12, 56, 60, 61, 81:
        bit = 32 << UInt16(IdentityOptions.index(of: code)!)
        identityOptions.append(code: code, value: UnsafeRawBufferPointer(rebasing: p[option.value]))
      case 53:
        bit = 1
        if available >= 1 { messageType = p[start] }
      case 54:
        bit = 2
        if available >= 4 { serverIdentifier = IPv4Address(p.bigEndianUInt32(at: start)) }
      case 51:
        bit = 4
        if available >= 4 { leaseSeconds = p.bigEndianUInt32(at: start) }
      case 82:
        bit = 8
        identityOptions.append(code: code, value: UnsafeRawBufferPointer(rebasing: p[option.value]))
      default: bit = 0
      }
      if seen & bit != 0 { return false }
      seen |= bit
    }
    let hlen = Int(p[2])
    frame = o.frame
    fileIndex = o.fileIndex
    timestamp = o.timestamp
    interface = o.interface
    source = o.source
    destination = o.destination
    sourcePort = o.sourcePort
    destinationPort = o.destinationPort
    ipIdentification = o.ipIdentification
    op = p[0]
    hops = p[3]
    xid = p.bigEndianUInt32(at: 4)
    secs = p.bigEndianUInt16(at: 8)
    ciaddr = IPv4Address(p.bigEndianUInt32(at: 12))
    yiaddr = IPv4Address(p.bigEndianUInt32(at: 16))
    giaddr = IPv4Address(p.bigEndianUInt32(at: 24))
    clientHardwareAddress = HardwareAddress(p, start: 28, count: hlen)
    clientKey = DHCPMessage.clientKey(p, hlen: hlen)
    self.messageType = messageType
    self.serverIdentifier = serverIdentifier
    self.leaseSeconds = leaseSeconds
    hasOption82 = seen & 8 != 0
    self.requestedAddress = requestedAddress
    return true
  }
}

/// The options of one message that identify the client or carry the server's words: host name
/// (12), server message (56), vendor class (60), client identifier (61), client FQDN (81) and
/// relay agent information (82), in wire order, as code, length and value one after another.
///
/// The bytes live inline, so a `PacketSummary` stays a plain value that is copied without
/// reference counting or allocation. An option that does not fit in what is left of
/// `capacity` is left out and named in `omittedCodes`; the correlator then takes it from
/// another message of the transaction.
public struct IdentityOptions: Sendable, Equatable {
  public static let codes: [UInt8] = [12, 56, 60, 61, 81, 82]

  /// The position of `code` in `codes` (a switch: reading the static array retains it).
  @inlinable public static func index(of code: UInt8) -> Int? {
    switch code {
    case 12: return 0
    case 56: return 1
    case 60: return 2
    case 61: return 3
    case 81: return 4
    case 82: return 5
    default: return nil
    }
  }
  /// Bytes kept per message: room for a host name, client id, vendor class, FQDN and option 82
  /// of ordinary length, with their two-byte headers. Every summary carries this much, and
  /// the reorder window copies each summary in and out.
  public static let capacity = 128

  private var storage:
    (
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  @usableFromInline var used: UInt8 = 0
  /// One bit per entry of `codes` whose option is kept.
  public private(set) var kept: UInt8 = 0
  /// One bit per entry of `codes` whose option was left out for want of room.
  public private(set) var omitted: UInt8 = 0

  public init() {}

  @inlinable public var isEmpty: Bool { used == 0 }

  mutating func removeAll() {
    used = 0
    kept = 0
    omitted = 0
  }

  /// The codes of the options left out, in `codes` order.
  public var omittedCodes: [UInt8] {
    Self.codes.indices.filter { omitted & (1 << $0) != 0 }.map { Self.codes[$0] }
  }

  mutating func append(code: UInt8, value: UnsafeRawBufferPointer) {
    let start = Int(used)
    guard value.count <= Self.capacity - 2 - start else {
      if let index = Self.index(of: code) { omitted |= 1 << index }
      return
    }
    withUnsafeMutableBytes(of: &storage) { bytes in
      bytes[start] = code
      bytes[start + 1] = UInt8(value.count)
      if let base = value.baseAddress, !value.isEmpty {
        (bytes.baseAddress! + start + 2).copyMemory(from: base, byteCount: value.count)
      }
    }
    used = UInt8(start + 2 + value.count)
    if let index = Self.index(of: code) { kept |= 1 << index }
  }

  /// The option after position `index` (0 for the first), and the position of the next; nil
  /// after the last. A loop rather than a closure: a closure would copy the inline bytes.
  public func option(at index: inout Int) -> (code: UInt8, value: Range<Int>)? {
    guard index + 2 <= Int(used) else { return nil }
    let code = byte(at: index)
    let end = index + 2 + Int(byte(at: index + 1))
    defer { index = end }
    return (code, (index + 2)..<end)
  }

  public func byte(at index: Int) -> UInt8 {
    precondition(index < Int(used))
    return Swift.withUnsafeBytes(of: storage) { $0[index] }
  }

  /// The bytes in use, read in one go: `byte(at:)` reads the inline storage once per byte.
  public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    let count = Int(used)
    return Swift.withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
  }

  /// Bytes in use: the kept options with their two-byte headers.
  @inlinable public var byteCount: Int { Int(used) }

  /// `withUnsafeBytes` of the options at `options`, read where they lie: a value passed on
  /// from a pointer is copied first, 131 bytes.
  public static func withUnsafeBytes<Result>(
    at options: UnsafePointer<IdentityOptions>, _ body: (UnsafeRawBufferPointer) -> Result
  ) -> Result {
    body(UnsafeRawBufferPointer(start: options.pointer(to: \.storage)!, count: Int(options.pointee.used)))
  }

  public static func == (a: IdentityOptions, b: IdentityOptions) -> Bool {
    a.used == b.used && a.kept == b.kept && a.omitted == b.omitted
      && (0..<Int(a.used)).allSatisfy { a.byte(at: $0) == b.byte(at: $0) }
  }
}
