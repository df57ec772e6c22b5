/// One frame as libpcap hands it over. `bytes` is borrowed from libpcap's buffer and is valid
/// only until the next frame is read: copy what must outlive it.
public struct CapturedFrame {
  /// 1-based position in the file (or in the live capture), as tshark numbers frames.
  public var number: Int
  public var seconds: Int64
  public var nanoseconds: Int32
  public var capturedLength: Int
  public var originalLength: Int
  public var bytes: UnsafeRawBufferPointer

  /// From libpcap's header, whose fraction a damaged file can set to anything: the fraction
  /// is folded into the seconds and the seconds kept within 0 ... 2^34 (the year 2514).
  init(
    number: Int, rawSeconds: Int, rawFraction: Int, capturedLength: Int, originalLength: Int,
    bytes: UnsafeRawBufferPointer
  ) {
    self.number = number
    let carry = rawFraction / 1_000_000_000
    var fraction = rawFraction % 1_000_000_000
    var seconds = rawSeconds.addingReportingOverflow(carry).partialValue
    if fraction < 0 {
      fraction += 1_000_000_000
      seconds = seconds.subtractingReportingOverflow(1).partialValue
    }
    self.seconds = Int64(min(max(seconds, 0), 1 << 34))
    self.nanoseconds = Int32(fraction)
    self.capturedLength = capturedLength
    self.originalLength = originalLength
    self.bytes = bytes
  }
}

/// The built-in capture filter. Non-first IPv4 fragments carry no UDP header, so they are let
/// through, and so are ICMP destination-unreachable messages, which may quote a DHCP message;
/// on Ethernet, frames with one or two VLAN tags are matched too. libpcap's `vlan` shifts the
/// offsets of everything after it, so the tagged cases nest inside each other.
public enum DHCPFilter {
  /// DHCPv4 and DHCPv6 ports; IPv4 fragments after the first (they carry no UDP header);
  /// IPv6 packets whose first extension header is a Fragment, Hop-by-Hop, Routing or
  /// Destination Options header (BPF's `udp` looks only at the fixed header's next header);
  /// and ICMP errors that may quote a DHCP message.
  static let dhcp =
    "(udp port 67 or udp port 68 or udp port 546 or udp port 547) or (ip[6:2] & 0x1fff != 0)"
    + " or (ip6 and (ip6[6] == 44 or ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60))"
    + " or (icmp and icmp[icmptype] == icmp-unreach)"

  /// The expression for a link type, with the user's part (if any) required at every depth.
  public static func expression(linkType: Int32, user: String?) -> String {
    var base = "(\(dhcp))"
    if let user, user.contains(where: { !$0.isWhitespace }) {
      base = "((\(user)) and \(base))"
    }
    guard linkType == 1 else { return base }  // only Ethernet carries 802.1Q tags in libpcap
    return "\(base) or (vlan and (\(base) or (vlan and \(base))))"
  }
}
