import CPcap

/// Everything that can go wrong reading or sniffing, in words a network engineer can act on.
public enum CaptureError: Error, CustomStringConvertible, Equatable {
  case cannotOpen(path: String, reason: String)
  case notACapture(path: String, reason: String)
  case damaged(path: String, frame: Int, byteOffset: Int?, reason: String)
  case badFilter(expression: String, reason: String)
  case noSuchDevice(String)
  case permissionDenied(String)
  case interfaceDown(String)
  case liveFailure(device: String, reason: String)
  case cannotWrite(path: String, reason: String)
  /// A link layer the dissector cannot follow (802.11, USB, ...): rejected when opened, not
  /// counted frame by frame as malformed.
  case unsupportedLinkType(source: String, linkType: Int)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason):
      return "\(path): cannot open: \(reason)"
    case .notACapture(let path, let reason):
      return "\(path): not a pcap or pcapng capture (\(reason))"
    case .damaged(let path, let frame, let offset, let reason):
      let place = offset.map { "at byte offset \($0), " } ?? ""
      return "\(path): capture damaged \(place)while reading packet \(frame): \(reason)"
    case .badFilter(let expression, let reason):
      return "invalid filter '\(expression)': \(reason)"
    case .noSuchDevice(let device):
      return "\(device): no such capture interface (see 'dhcpscope interfaces')"
    case .permissionDenied(let device):
      return "\(device): permission denied: capturing needs root or the CAP_NET_RAW capability"
    case .interfaceDown(let device):
      return "\(device): interface is down"
    case .liveFailure(let device, let reason):
      return "\(device): \(reason)"
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write: \(reason)"
    case .unsupportedLinkType(let source, let linkType):
      let name = pcap_datalink_val_to_name(Int32(linkType)).map { " (\(String(cString: $0)))" } ?? ""
      return "\(source): link type \(linkType)\(name) is not supported"
        + " (Ethernet, Linux cooked v1/v2, raw IP and BSD loopback are)"
    }
  }
}

/// The text in a C character buffer (libpcap's error buffer, strftime's output), up to its
/// terminating NUL.
func cText(_ buffer: [CChar]) -> String {
  String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
