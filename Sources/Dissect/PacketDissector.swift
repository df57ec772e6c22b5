/// A DHCP/BOOTP message with where and when it was seen.
public struct DHCPPacket: Sendable {
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
  public var message: DHCPMessage
}

/// What one frame turned out to be.
public enum DissectResult {
  case dhcp(DHCPPacket)
  /// Not DHCP/BOOTP (another protocol, or not IPv4): counted, not reported.
  case other
  /// A fragment held for reassembly.
  case fragment
  /// A frame that could not be followed down to UDP (a broken header), with the reason.
  case malformed(String)
}

/// Follows a frame from its link layer through IPv4 (reassembling fragments) and UDP to a
/// DHCP message. Its only state is the fragment buffer, so one dissector serves one run.
public struct PacketDissector {
  public var reassembler = FragmentReassembler()
  public static let dhcpPorts: Set<UInt16> = [67, 68]

  public init() {}

  public mutating func dissect(
    _ bytes: UnsafeRawBufferPointer, linkType: Int, timestamp: Timestamp, frame: Int, fileIndex: Int
  ) -> DissectResult {
    let link: LinkHeader
    switch parseLinkHeader(bytes, linkType: linkType) {
    case .success(let header): link = header
    case .failure(.truncated(let what)): return .malformed("truncated \(what)")
    case .failure(.tooManyTags(let n)): return .malformed("more than \(n - 1) stacked VLAN tags")
    case .failure(.unsupportedLinkType(let t)): return .malformed("unsupported link type \(t)")
    }
    guard link.etherType == EtherType.ipv4 else { return .other }
    var warnings: [String] = []
    let network = UnsafeRawBufferPointer(rebasing: bytes[link.networkOffset...])
    guard let (ip, ipPayload) = parseIPv4(network, warnings: &warnings) else {
      return warnings.isEmpty ? .other : .malformed(warnings.joined(separator: "; "))
    }
    guard ip.protocolNumber == 17 else { return .other }

    func finish(_ udpDatagram: UnsafeRawBufferPointer) -> DissectResult {
      guard udpDatagram.count >= 8 else {
        return warnings.isEmpty ? .other : .malformed("UDP header truncated")
      }
      let sport = udpDatagram.bigEndianUInt16(at: 0)
      let dport = udpDatagram.bigEndianUInt16(at: 2)
      guard Self.dhcpPorts.contains(sport) || Self.dhcpPorts.contains(dport) else { return .other }
      let udpLength = Int(udpDatagram.bigEndianUInt16(at: 4))
      var end = udpDatagram.count
      if udpLength < 8 {
        warnings.append("UDP length \(udpLength) is shorter than the UDP header")
      } else if udpLength > udpDatagram.count {
        warnings.append("UDP length \(udpLength) exceeds the \(udpDatagram.count) bytes available")
      } else {
        end = udpLength
      }
      var message = DHCPMessage(payload: UnsafeRawBufferPointer(rebasing: udpDatagram[8..<end]))
      if !warnings.isEmpty { message.warnings.insert(contentsOf: warnings, at: 0) }
      return .dhcp(
        DHCPPacket(
          frame: frame, fileIndex: fileIndex, timestamp: timestamp, interface: link.interface,
          vlanIDs: link.vlanIDs, sourceMAC: link.sourceMAC, source: ip.source,
          destination: ip.destination, sourcePort: sport, destinationPort: dport,
          ipIdentification: ip.identification, ttl: ip.ttl, message: message))
    }

    guard ip.isFragment else { return finish(ipPayload) }
    // A first fragment that is not UDP to or from a DHCP port need not be held.
    if ip.fragmentOffset == 0, ipPayload.count >= 4 {
      let sport = ipPayload.bigEndianUInt16(at: 0)
      let dport = ipPayload.bigEndianUInt16(at: 2)
      guard Self.dhcpPorts.contains(sport) || Self.dhcpPorts.contains(dport) else { return .other }
    }
    switch reassembler.add(header: ip, payload: ipPayload, at: timestamp) {
    case .incomplete:
      return .fragment
    case .dropped(let reason):
      return .malformed(reason)
    case .complete(let datagram, let notes):
      warnings.append(contentsOf: notes.filter { $0.contains("overlap") })
      return datagram.withUnsafeBytes { finish($0) }
    }
  }
}
