/// An ICMP destination-unreachable message that quotes a DHCP message (RFC 792): a server
/// with nothing listening on port 67 answers a relayed request with port unreachable, and a
/// router that cannot reach the server says host, network or administratively unreachable.
/// Linux quotes up to 576 bytes, so the quoted BOOTP header (xid, chaddr) usually survives.
public struct ICMPError: Sendable, Equatable {
  /// ICMP code (type 3): 0 network, 1 host, 3 port unreachable, 9, 10 and 13 administratively
  /// prohibited, and so on.
  public var code: UInt8
  /// Who sent the ICMP message: the server itself, or a router on the way.
  public var reporter: IPv4Address
  /// The quoted packet's destination: the server the request was for.
  public var quotedDestination: IPv4Address

  public init(code: UInt8, reporter: IPv4Address, quotedDestination: IPv4Address) {
    self.code = code
    self.reporter = reporter
    self.quotedDestination = quotedDestination
  }

  /// The name of the code, as Wireshark names it.
  public var codeName: String {
    switch code {
    case 0: return "network unreachable"
    case 1: return "host unreachable"
    case 2: return "protocol unreachable"
    case 3: return "port unreachable"
    case 9, 10, 13: return "administratively prohibited"
    default: return "unreachable (code \(code))"
    }
  }

  /// The quoted message's bytes from an ICMP message's payload (after its 8-byte header): the
  /// quoted IPv4 header and the UDP datagram from or to a DHCP port, or nil.
  static func quoted(_ icmp: UnsafeRawBufferPointer) -> (header: QuotedHeader, udp: UnsafeRawBufferPointer)? {
    guard icmp.count >= 8 + 20 + 8, icmp[0] == 3 else { return nil }
    let inner = UnsafeRawBufferPointer(rebasing: icmp[8...])
    let headerLength = Int(inner[0] & 0x0F) * 4
    guard inner[0] >> 4 == 4, headerLength >= 20, inner.count >= headerLength + 8, inner[9] == 17 else { return nil }
    // Only the first fragment quotes a UDP header.
    guard inner.bigEndianUInt16(at: 6) & 0x1FFF == 0 else { return nil }
    let header = QuotedHeader(
      source: IPv4Address(inner.bigEndianUInt32(at: 12)), destination: IPv4Address(inner.bigEndianUInt32(at: 16)))
    return (header, UnsafeRawBufferPointer(rebasing: inner[headerLength...]))
  }

  /// The addresses of a quoted IPv4 header.
  struct QuotedHeader {
    var source: IPv4Address
    var destination: IPv4Address
  }
}
