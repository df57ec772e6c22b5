import Dissect

/// Builds DHCP packets byte by byte, for tests, crafted fixtures and the load generator.
/// Everything is spelled out so a test shows exactly what is on the wire.
public struct BOOTPBuilder {
  public var op: UInt8 = 1
  public var htype: UInt8 = 1
  public var hlen: UInt8 = 6
  public var hops: UInt8 = 0
  public var xid: UInt32 = 0x1234_5678
  public var secs: UInt16 = 0
  public var flags: UInt16 = 0
  public var ciaddr = IPv4Address.zero
  public var yiaddr = IPv4Address.zero
  public var siaddr = IPv4Address.zero
  public var giaddr = IPv4Address.zero
  public var chaddr: [UInt8] = [0x02, 0, 0, 0, 0xC0, 0x01]
  /// Raw bytes for the sname (64) and file (128) fields, zero-padded.
  public var sname: [UInt8] = []
  public var file: [UInt8] = []
  public var cookie: UInt32? = DHCPMessage.magicCookie
  /// Encoded options area (after the cookie), written as is: use `option`/`end` helpers.
  public var options: [UInt8] = []
  /// Pad the message to at least this size (BOOTP's 300 bytes, as dhclient does).
  public var minimumSize = 300

  public init() {}

  public init(type: UInt8?, xid: UInt32 = 0x1234_5678, op: UInt8? = nil) {
    self.xid = xid
    if let type {
      self.op = op ?? ([2, 5, 6, 11, 12, 13].contains(type) ? 2 : 1)
      options = BOOTPBuilder.option(53, [type])
    } else {
      self.op = op ?? 1
    }
  }

  public static func option(_ code: UInt8, _ value: [UInt8]) -> [UInt8] { [code, UInt8(value.count)] + value }
  public static func option(_ code: UInt8, address: IPv4Address) -> [UInt8] { option(code, bytes(address)) }
  public static func option(_ code: UInt8, uint32: UInt32) -> [UInt8] { option(code, bytes(uint32)) }
  public static func option(_ code: UInt8, text: String) -> [UInt8] { option(code, Array(text.utf8)) }

  public mutating func add(_ code: UInt8, _ value: [UInt8]) { options += Self.option(code, value) }
  public mutating func add(_ code: UInt8, address: IPv4Address) { options += Self.option(code, address: address) }
  public mutating func add(_ code: UInt8, uint32: UInt32) { options += Self.option(code, uint32: uint32) }
  public mutating func add(_ code: UInt8, text: String) { options += Self.option(code, text: text) }

  public static func bytes(_ a: IPv4Address) -> [UInt8] { bytes(a.value) }
  public static func bytes(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
  }
  public static func bytes(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

  /// The BOOTP payload; `end` appends the end option.
  public func build(end: Bool = true) -> [UInt8] {
    var b: [UInt8] = [op, htype, hlen, hops]
    b += Self.bytes(xid) + Self.bytes(secs) + Self.bytes(flags)
    b += Self.bytes(ciaddr) + Self.bytes(yiaddr) + Self.bytes(siaddr) + Self.bytes(giaddr)
    b += padded(chaddr, 16) + padded(sname, 64) + padded(file, 128)
    if let cookie {
      b += Self.bytes(cookie)
      b += options
      if end { b.append(255) }
    }
    if b.count < minimumSize { b += [UInt8](repeating: 0, count: minimumSize - b.count) }
    return b
  }

  func padded(_ v: [UInt8], _ n: Int) -> [UInt8] {
    v.count >= n ? Array(v.prefix(n)) : v + [UInt8](repeating: 0, count: n - v.count)
  }
}

/// Wraps a UDP payload in UDP, IPv4 and a link layer.
public struct FrameBuilder {
  public var source = IPv4Address("0.0.0.0")!
  public var destination = IPv4Address("255.255.255.255")!
  public var sourcePort: UInt16 = 68
  public var destinationPort: UInt16 = 67
  public var ttl: UInt8 = 64
  public var identification: UInt16 = 1
  public var sourceMAC: [UInt8] = [0x02, 0, 0, 0, 0xC0, 0x01]
  public var destinationMAC: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
  public var vlanTags: [UInt16] = []
  public var ipOptions: [UInt8] = []

  public init() {}

  public init(from source: String, _ sport: UInt16, to destination: String, _ dport: UInt16) {
    self.source = IPv4Address(source)!
    self.destination = IPv4Address(destination)!
    sourcePort = sport
    destinationPort = dport
  }

  public func udp(_ payload: [UInt8]) -> [UInt8] {
    BOOTPBuilder.bytes(sourcePort) + BOOTPBuilder.bytes(destinationPort)
      + BOOTPBuilder.bytes(UInt16(truncatingIfNeeded: payload.count + 8)) + [0, 0] + payload
  }

  /// An IPv4 packet; `fragmentOffset` in bytes, `more` the MF flag.
  public func ipv4(_ payload: [UInt8], protocolNumber: UInt8 = 17, fragmentOffset: Int = 0, more: Bool = false)
    -> [UInt8]
  {
    let headerLength = 20 + ipOptions.count
    var h: [UInt8] = [UInt8(0x40 | (headerLength / 4)), 0]
    h += BOOTPBuilder.bytes(UInt16(truncatingIfNeeded: headerLength + payload.count))
    h += BOOTPBuilder.bytes(identification)
    h += BOOTPBuilder.bytes(UInt16(fragmentOffset / 8) | (more ? 0x2000 : 0))
    h += [ttl, protocolNumber, 0, 0]
    h += BOOTPBuilder.bytes(source) + BOOTPBuilder.bytes(destination) + ipOptions
    var sum: UInt32 = 0
    for i in stride(from: 0, to: h.count, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    let checksum = ~UInt16(sum)
    h[10] = UInt8(checksum >> 8)
    h[11] = UInt8(checksum & 0xFF)
    return h + payload
  }

  public func ethernet(_ network: [UInt8], etherType: UInt16 = 0x0800) -> [UInt8] {
    var f = destinationMAC + sourceMAC
    for (i, tag) in vlanTags.enumerated() {
      // Outer tags of a stack use 802.1ad's TPID, the innermost 802.1Q's.
      f += BOOTPBuilder.bytes(i < vlanTags.count - 1 ? UInt16(0x88A8) : UInt16(0x8100)) + BOOTPBuilder.bytes(tag)
    }
    return f + BOOTPBuilder.bytes(etherType) + network
  }

  /// Linux cooked v1: packet type, ARPHRD, address length, address, protocol.
  public func sll(_ network: [UInt8], packetType: UInt16 = 0) -> [UInt8] {
    BOOTPBuilder.bytes(packetType) + [0, 1, 0, 6] + sourceMAC + [0, 0] + [0x08, 0x00] + network
  }

  /// Linux cooked v2: protocol, reserved, interface index, ARPHRD, packet type, address.
  public func sll2(_ network: [UInt8], interfaceIndex: UInt32, packetType: UInt8 = 0) -> [UInt8] {
    [0x08, 0x00, 0, 0] + BOOTPBuilder.bytes(interfaceIndex) + [0, 1, packetType, 6] + sourceMAC + [0, 0] + network
  }

  /// BSD loopback: the address family in the writer's (here little-endian) byte order.
  public func null(_ network: [UInt8]) -> [UInt8] { [2, 0, 0, 0] + network }

  /// A whole Ethernet frame carrying `payload` as DHCP over UDP.
  public func frame(_ payload: [UInt8]) -> [UInt8] { ethernet(ipv4(udp(payload))) }

  /// An ICMP destination-unreachable (`code`) from `reporter` back to this frame's source,
  /// quoting this frame's IPv4 packet carrying `payload` (cut to `quoted` bytes, as routers
  /// quote only the first part).
  public func unreachable(_ payload: [UInt8], code: UInt8, from reporter: String, quoted: Int = 548) -> [UInt8] {
    let original = Array(ipv4(udp(payload)).prefix(quoted))
    var back = self
    back.source = IPv4Address(reporter)!
    back.destination = source
    back.identification = identification &+ 1
    return back.ethernet(back.ipv4([3, code, 0, 0, 0, 0, 0, 0] + original, protocolNumber: 1))
  }

  /// IPv4 fragments of the UDP datagram carrying `payload`, each at most `size` payload bytes.
  public func fragments(_ payload: [UInt8], size: Int) -> [[UInt8]] {
    let datagram = udp(payload)
    var result: [[UInt8]] = []
    var offset = 0
    while offset < datagram.count {
      let end = min(offset + size, datagram.count)
      result.append(ethernet(ipv4(Array(datagram[offset..<end]), fragmentOffset: offset, more: end < datagram.count)))
      offset = end
    }
    return result
  }
}

/// Decodes one Ethernet frame through the dissector, as the tools do.
public func dissectFrame(
  _ frame: [UInt8], linkType: Int = LinkType.ethernet,
  at time: Timestamp = Timestamp(seconds: 1_700_000_000, nanoseconds: 0),
  frameNumber: Int = 1, dissector: inout PacketDissector
) -> DissectResult {
  frame.withUnsafeBytes { dissector.dissect(LinkFrame($0, linkType: linkType, timestamp: time, number: frameNumber)) }
}

public func dissectFrame(_ frame: [UInt8], linkType: Int = LinkType.ethernet) -> DHCPPacket? {
  var d = PacketDissector()
  if case .dhcp(let p) = dissectFrame(frame, linkType: linkType, dissector: &d) { return p }
  return nil
}
