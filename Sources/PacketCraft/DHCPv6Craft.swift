import Dissect

/// Builds DHCPv6 messages (RFC 8415 §8, §9) option by option.
public enum DHCPv6Craft {
  public static func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
    BOOTPBuilder.bytes(code) + BOOTPBuilder.bytes(UInt16(value.count)) + value
  }

  /// A client or server message: type, 24-bit transaction id, options.
  public static func message(_ type: UInt8, xid: UInt32, _ options: [[UInt8]]) -> [UInt8] {
    [type, UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)] + options.joined()
  }

  /// A Relay-Forward or Relay-Reply around `inner` (option 9), after `options`.
  public static func relay(
    _ type: UInt8, hopCount: UInt8, link: IPv6Address, peer: IPv6Address, options: [[UInt8]] = [],
    inner: [UInt8]
  ) -> [UInt8] {
    [type, hopCount] + link.bytes + peer.bytes + options.joined() + option(DHCPv6Option.relayMessage, inner)
  }

  public static func duidLLT(mac: [UInt8], time: UInt32) -> [UInt8] { [0, 1, 0, 1] + BOOTPBuilder.bytes(time) + mac }
  public static func duidLL(mac: [UInt8]) -> [UInt8] { [0, 3, 0, 1] + mac }
  public static func duidEN(enterprise: UInt32, identifier: [UInt8]) -> [UInt8] {
    [0, 2] + BOOTPBuilder.bytes(enterprise) + identifier
  }
  public static func duidUUID(_ uuid: [UInt8]) -> [UInt8] { [0, 4] + uuid }

  public static func iaNA(iaid: UInt32, t1: UInt32, t2: UInt32, _ options: [[UInt8]] = []) -> [UInt8] {
    option(
      DHCPv6Option.iaNA, BOOTPBuilder.bytes(iaid) + BOOTPBuilder.bytes(t1) + BOOTPBuilder.bytes(t2) + options.joined())
  }
  public static func iaPD(iaid: UInt32, t1: UInt32, t2: UInt32, _ options: [[UInt8]] = []) -> [UInt8] {
    option(
      DHCPv6Option.iaPD, BOOTPBuilder.bytes(iaid) + BOOTPBuilder.bytes(t1) + BOOTPBuilder.bytes(t2) + options.joined())
  }
  public static func iaAddress(_ address: IPv6Address, preferred: UInt32, valid: UInt32, _ options: [[UInt8]] = [])
    -> [UInt8]
  {
    option(
      DHCPv6Option.iaAddress,
      address.bytes + BOOTPBuilder.bytes(preferred) + BOOTPBuilder.bytes(valid) + options.joined())
  }
  public static func iaPrefix(_ prefix: IPv6Address, length: UInt8, preferred: UInt32, valid: UInt32) -> [UInt8] {
    option(DHCPv6Option.iaPrefix, BOOTPBuilder.bytes(preferred) + BOOTPBuilder.bytes(valid) + [length] + prefix.bytes)
  }
  public static func status(_ code: UInt16, _ message: String) -> [UInt8] {
    option(DHCPv6Option.statusCode, BOOTPBuilder.bytes(code) + Array(message.utf8))
  }
}

/// Wraps a UDP payload in UDP, IPv6 (with extension headers, or fragments) and a link layer.
public struct IPv6FrameBuilder {
  public var source: IPv6Address
  public var destination: IPv6Address
  public var sourcePort: UInt16 = 546
  public var destinationPort: UInt16 = 547
  public var hopLimit: UInt8 = 1
  public var sourceMAC: [UInt8] = [0x02, 0, 0, 0, 0xC6, 0x01]
  public var destinationMAC: [UInt8] = [0x33, 0x33, 0, 1, 0, 2]
  public var vlanTags: [UInt16] = []
  /// Extension headers before UDP, each as (type, body): the body is padded to 8-byte units.
  public var extensionHeaders: [(type: UInt8, body: [UInt8])] = []

  public init(from source: String, _ sport: UInt16, to destination: String, _ dport: UInt16) {
    self.source = IPv6Address(source)!
    self.destination = IPv6Address(destination)!
    sourcePort = sport
    destinationPort = dport
  }

  /// UDP with its checksum over the IPv6 pseudo-header (RFC 8200 §8.1).
  public func udp(_ payload: [UInt8]) -> [UInt8] {
    let length = UInt16(payload.count + 8)
    var datagram =
      BOOTPBuilder.bytes(sourcePort) + BOOTPBuilder.bytes(destinationPort) + BOOTPBuilder.bytes(length) + [0, 0]
      + payload
    var pseudo = source.bytes + destination.bytes + [0, 0] + BOOTPBuilder.bytes(length) + [0, 0, 0, 17] + datagram
    if pseudo.count % 2 == 1 { pseudo.append(0) }
    var sum: UInt32 = 0
    for i in stride(from: 0, to: pseudo.count, by: 2) { sum += UInt32(pseudo[i]) << 8 | UInt32(pseudo[i + 1]) }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    let checksum = ~UInt16(sum) == 0 ? 0xFFFF : ~UInt16(sum)
    datagram[6] = UInt8(checksum >> 8)
    datagram[7] = UInt8(checksum & 0xFF)
    return datagram
  }

  /// The IPv6 header and extension headers before `payload`, whose header type is `last`.
  public func ipv6(_ payload: [UInt8], last: UInt8 = 17) -> [UInt8] {
    var chain: [UInt8] = []
    let types = extensionHeaders.map(\.type) + [last]
    for (i, header) in extensionHeaders.enumerated() {
      var body = header.body
      while (body.count + 2) % 8 != 0 { body.append(0) }  // Pad1 options
      chain += [types[i + 1], UInt8((body.count + 2) / 8 - 1)] + body
    }
    let first = types[0]
    return [0x60, 0, 0, 0] + BOOTPBuilder.bytes(UInt16(chain.count + payload.count)) + [first, hopLimit]
      + source.bytes + destination.bytes + chain + payload
  }

  public func ethernet(_ network: [UInt8]) -> [UInt8] {
    var f = destinationMAC + sourceMAC
    for (i, tag) in vlanTags.enumerated() {
      f += BOOTPBuilder.bytes(i < vlanTags.count - 1 ? UInt16(0x88A8) : UInt16(0x8100)) + BOOTPBuilder.bytes(tag)
    }
    return f + [0x86, 0xDD] + network
  }

  /// A whole Ethernet frame carrying `payload` over UDP.
  public func frame(_ payload: [UInt8]) -> [UInt8] { ethernet(ipv6(udp(payload))) }

  /// IPv6 fragments (RFC 8200 §4.5) of the UDP datagram carrying `payload`, each at most
  /// `size` bytes of data (a multiple of 8), as Ethernet frames.
  public func fragments(_ payload: [UInt8], size: Int, identification: UInt32) -> [[UInt8]] {
    let datagram = udp(payload)
    var result: [[UInt8]] = []
    var offset = 0
    while offset < datagram.count {
      let end = min(offset + size, datagram.count)
      let more = end < datagram.count
      let header: [UInt8] =
        [17, 0] + BOOTPBuilder.bytes(UInt16(offset / 8) << 3 | (more ? 1 : 0))
        + BOOTPBuilder.bytes(identification)
      result.append(ethernet(ipv6(header + Array(datagram[offset..<end]), last: 44)))
      offset = end
    }
    return result
  }
}
