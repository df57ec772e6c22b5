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
}

/// The built-in capture filter. Non-first IPv4 fragments carry no UDP header, and VLAN-tagged
/// frames need the `vlan` keyword to shift offsets, so both are spelled out.
public enum DHCPFilter {
  static let ports = "udp port 67 or udp port 68"
  static let fragments = "(ip[6:2] & 0x1fff != 0)"
  public static let builtIn =
    "(\(ports)) or \(fragments) or (vlan and ((\(ports)) or \(fragments)))"
    + " or (vlan and vlan and (\(ports)))"

  /// The built-in filter with the user's added, as tcpdump users expect: both must match.
  public static func combined(with user: String?) -> String {
    guard let user, user.contains(where: { !$0.isWhitespace }) else { return builtIn }
    return "(\(builtIn)) and (\(user))"
  }
}
