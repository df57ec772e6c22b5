/// A DHCP/BOOTP message with where and when it was seen. The origin's fields read as the
/// packet's own (`packet.source`, `packet.frame`).
@dynamicMemberLookup
public struct DHCPPacket: Sendable {
  public var origin: PacketOrigin
  public var message: DHCPMessage

  public init(origin: PacketOrigin, message: DHCPMessage) {
    self.origin = origin
    self.message = message
  }

  /// A blank packet to decode others into (`LocatedPackets.decode(_:into:)`).
  public init() {
    origin = PacketOrigin(
      frame: 0, fileIndex: 0, timestamp: Timestamp(seconds: 0, nanoseconds: 0), interface: nil, vlanIDs: [],
      sourceMAC: nil, source: IPv4Address(0), destination: IPv4Address(0), sourcePort: 0, destinationPort: 0,
      ipIdentification: 0, ttl: 0)
    message = DHCPMessage()
  }

  @inlinable public subscript<T>(dynamicMember field: KeyPath<PacketOrigin, T>) -> T { origin[keyPath: field] }
}

/// What one frame turned out to be; `Packet` is a full `DHCPPacket` (decode) or a
/// `PacketSummary` (analyze).
public enum DissectOutcome<Packet> {
  case dhcp(Packet)
  /// Not DHCP/BOOTP (another protocol, or not IPv4): counted, not reported.
  case other
  /// A fragment held for reassembly.
  case fragment
  /// A frame that could not be followed down to UDP (a broken header), or, for `summarize`,
  /// a UDP 67/68 payload that is not a BOOTP message; with the reason.
  case malformed(Malformed)
  /// An ICMP error quoting a DHCP message (`summarize` only): the quoted message, with the
  /// error in `PacketSummary.icmpError`.
  case icmpError(Packet)
  /// A DHCPv6 message (UDP 546/547 over IPv6), decoded with its relay layers unwrapped. Boxed:
  /// every outcome of the DHCPv4 path is copied as it returns, and this payload is large.
  indirect case dhcpv6(DHCPv6Packet)
}

public typealias DissectResult = DissectOutcome<DHCPPacket>

extension DissectOutcome {
  /// The same outcome with the packet transformed.
  public func map<Other>(_ transform: (Packet) -> Other) -> DissectOutcome<Other> {
    switch self {
    case .dhcp(let packet): return .dhcp(transform(packet))
    case .other: return .other
    case .fragment: return .fragment
    case .malformed(let why): return .malformed(why)
    case .icmpError(let packet): return .icmpError(transform(packet))
    case .dhcpv6(let packet): return .dhcpv6(packet)
    }
  }
}

/// One captured frame, as the dissector's entry points take it: its bytes (borrowed for the
/// call), the link type they start with, and where it was captured.
public struct LinkFrame {
  public var bytes: UnsafeRawBufferPointer
  /// The libpcap link type (DLT_/LINKTYPE_ number) of `bytes`.
  public var linkType: Int
  public var timestamp: Timestamp
  /// 1-based frame number in its file, as tshark counts.
  public var number: Int
  /// Index of the input file in the run (0 for the first).
  public var fileIndex: Int

  public init(_ bytes: UnsafeRawBufferPointer, linkType: Int, timestamp: Timestamp, number: Int, fileIndex: Int = 0) {
    self.bytes = bytes
    self.linkType = linkType
    self.timestamp = timestamp
    self.number = number
    self.fileIndex = fileIndex
  }
}

/// Follows a frame from its link layer through IPv4 (reassembling fragments) and UDP to a
/// DHCP message. Its only state is the fragment buffer, so one dissector serves one run.
public struct PacketDissector {
  public var reassembler = FragmentReassembler()

  public init() {}

  /// The whole message, every option decoded (`decode`).
  public mutating func dissect(_ frame: LinkFrame) -> DissectResult {
    locate(frame) { origin, payload, warnings in
      var message = DHCPMessage(payload: payload)
      if !warnings.isEmpty { message.warnings.insert(contentsOf: warnings, at: 0) }
      return DHCPPacket(origin: origin, message: message)
    }
  }

  /// The DHCP packet's origin and payload, appended to `batch` to be decoded later (`decode`).
  public mutating func locate(_ frame: LinkFrame, appendingTo batch: inout LocatedPackets) -> DissectOutcome<Void> {
    locate(frame) { origin, payload, warnings in
      batch.append(origin: origin, payload: payload, warnings: warnings)
    }
  }

  /// What correlation needs (`analyze`, `sniff`): no allocation for a common message.
  public mutating func summarize(_ frame: LinkFrame) -> DissectOutcome<PacketSummary> {
    var summary = PacketSummary()
    return summarize(frame, into: &summary).map { summary }
  }

  /// `summarize`, writing the summary of a DHCP packet into `summary` instead of returning it.
  /// A payload that is not a BOOTP message (`Malformed.inBOOTP`) is malformed here.
  public mutating func summarize(_ frame: LinkFrame, into summary: inout PacketSummary) -> DissectOutcome<Void> {
    let located = locate(
      frame,
      make: { origin, payload, _ -> Malformed? in
        if let problem = Malformed.inBOOTP(payload) { return problem }
        if !summary.fill(origin: origin, payload: payload) {
          summary = PacketSummary(DHCPPacket(origin: origin, message: DHCPMessage(payload: payload)))
        }
        summary.icmpError = nil
        return nil
      },
      icmp: { origin, error, quoted -> Malformed?? in
        // The quoted message, summarised as it was sent; the ICMP message's own time and frame.
        // Without its xid and chaddr (a quote cut short) it matches no transaction.
        guard quoted.count >= 44 else { return nil }
        if !summary.fill(origin: origin, payload: quoted) {
          summary = PacketSummary(DHCPPacket(origin: origin, message: DHCPMessage(payload: quoted)))
        }
        summary.icmpError = error
        return .some(nil)
      })
    if case .dhcp(let problem?) = located { return .malformed(problem) }
    if case .icmpError = located { return .icmpError(()) }
    return located.map { _ in () }
  }

  /// Finds the BOOTP payload and hands it to `make` with its origin and the warnings found on
  /// the way down (lying lengths, overlapping fragments). Inlined so that `make`, which writes
  /// through an `inout` for `summarize(into:)`, needs no run-time exclusivity check.
  @inline(__always) private mutating func locate<Packet>(
    _ frame: LinkFrame, make: (PacketOrigin, UnsafeRawBufferPointer, [String]) -> Packet,
    icmp: (PacketOrigin, ICMPError, UnsafeRawBufferPointer) -> Packet? = { _, _, _ in nil }
  ) -> DissectOutcome<Packet> {
    let bytes = frame.bytes
    let link: LinkHeader
    switch parseLinkHeader(bytes, linkType: frame.linkType) {
    case .success(let header): link = header
    case .failure(.truncated(let what)): return .malformed(Malformed(.truncatedLinkHeader, "truncated \(what)"))
    case .failure(.tooManyTags(let n)):
      return .malformed(Malformed(.tooManyVLANTags, "more than \(n - 1) stacked VLAN tags"))
    case .failure(.unsupportedLinkType(let t)):
      return .malformed(Malformed(.unsupportedLinkType, "unsupported link type \(t)"))
    }
    if link.etherType == EtherType.ipv6 { return locateDHCPv6(frame, link: link) }
    guard link.etherType == EtherType.ipv4 else { return .other }
    var warnings: [String] = []
    let network = UnsafeRawBufferPointer(rebasing: bytes[link.networkOffset...])
    guard let (ip, ipPayload) = parseIPv4(network, warnings: &warnings) else {
      return warnings.isEmpty ? .other : .malformed(Malformed(.badIPHeader, warnings.joined(separator: "; ")))
    }
    if ip.protocolNumber == 1, !ip.isFragment {
      return locateICMPError(frame, link: link, ip: ip, payload: ipPayload, icmp)
    }
    guard ip.protocolNumber == 17 else { return .other }

    // `warnings` comes in as an argument: captured, the variable would be checked for
    // exclusive access at run time on every packet.
    func finish(_ udpDatagram: UnsafeRawBufferPointer, _ warnings: inout [String]) -> DissectOutcome<Packet> {
      let udp: UDPDatagram
      switch UDPDatagram.read(udpDatagram, dhcpv6: false, warnings: &warnings) {
      case .success(let datagram): udp = datagram
      case .failure(let reason): return reason.outcome()
      }
      let (sport, dport, end) = (udp.sourcePort, udp.destinationPort, udp.end)
      let origin = PacketOrigin(
        frame: frame.number, fileIndex: frame.fileIndex, timestamp: frame.timestamp, interface: link.interface,
        vlanIDs: link.vlanIDs, sourceMAC: link.sourceMAC, source: ip.source, destination: ip.destination,
        sourcePort: sport, destinationPort: dport, ipIdentification: ip.identification, ttl: ip.ttl)
      return .dhcp(make(origin, UnsafeRawBufferPointer(rebasing: udpDatagram[8..<end]), warnings))
    }

    guard ip.isFragment else { return finish(ipPayload, &warnings) }
    // A first fragment that is not UDP to or from a DHCP port need not be held.
    if ip.fragmentOffset == 0, ipPayload.count >= 4 {
      let sport = ipPayload.bigEndianUInt16(at: 0)
      let dport = ipPayload.bigEndianUInt16(at: 2)
      guard Self.isDHCPPort(sport) || Self.isDHCPPort(dport) else { return .other }
    }
    switch reassembler.add(header: ip, payload: ipPayload, at: frame.timestamp) {
    case .incomplete:
      return .fragment
    case .dropped(let reason):
      return .malformed(Malformed(.fragmentsDropped, reason))
    case .complete(let datagram, let notes):
      warnings.append(contentsOf: notes.filter { $0.contains("overlap") })
      return datagram.withUnsafeBytes { finish($0, &warnings) }
    }
  }

  @inline(__always) static func isDHCPPort(_ port: UInt16) -> Bool { port == 67 || port == 68 }

  /// A UDP header read for the dissector: its ports, and where the payload ends (the UDP
  /// length, or what was captured when that lies, with a warning).
  struct UDPDatagram {
    var sourcePort: UInt16
    var destinationPort: UInt16
    var end: Int

    /// Why a datagram is no DHCP message: other traffic, or a truncated header.
    enum NotDHCP: Error {
      case other
      case malformed(Malformed)

      func outcome<Packet>() -> DissectOutcome<Packet> {
        switch self {
        case .other: return .other
        case .malformed(let why): return .malformed(why)
        }
      }
    }

    /// To or from a DHCPv4 port (67, 68), or with `dhcpv6` a DHCPv6 one (546, 547).
    @inline(__always) static func read(
      _ bytes: UnsafeRawBufferPointer, dhcpv6: Bool, warnings: inout [String]
    ) -> Result<UDPDatagram, NotDHCP> {
      guard bytes.count >= 8 else {
        return .failure(warnings.isEmpty ? .other : .malformed(Malformed(.truncatedUDPHeader, "UDP header truncated")))
      }
      let sport = bytes.bigEndianUInt16(at: 0)
      let dport = bytes.bigEndianUInt16(at: 2)
      let isDHCP =
        dhcpv6
        ? PacketDissector.isDHCPv6Port(sport) || PacketDissector.isDHCPv6Port(dport)
        : PacketDissector.isDHCPPort(sport) || PacketDissector.isDHCPPort(dport)
      guard isDHCP else { return .failure(.other) }
      let udpLength = Int(bytes.bigEndianUInt16(at: 4))
      var end = bytes.count
      if udpLength < 8 {
        warnings.append("UDP length \(udpLength) is shorter than the UDP header")
      } else if udpLength > bytes.count {
        warnings.append("UDP length \(udpLength) exceeds the \(bytes.count) bytes available")
      } else {
        end = udpLength
      }
      return .success(UDPDatagram(sourcePort: sport, destinationPort: dport, end: end))
    }
  }
  static func isDHCPv6Port(_ port: UInt16) -> Bool { port == 546 || port == 547 }

  /// Follows an IPv6 packet through its extension headers (reassembling fragments) to a UDP
  /// datagram to or from port 546 or 547, and decodes the DHCPv6 message in it.
  /// Kept out of line: the DHCPv4 path it sits beside is inlined into every caller.
  @inline(never)
  private mutating func locateDHCPv6<Packet>(_ frame: LinkFrame, link: LinkHeader) -> DissectOutcome<Packet> {
    var warnings: [String] = []
    let network = UnsafeRawBufferPointer(rebasing: frame.bytes[link.networkOffset...])
    guard let (ip, payload) = parseIPv6(network, warnings: &warnings) else {
      return warnings.isEmpty ? .other : .malformed(Malformed(.badIPHeader, warnings.joined(separator: "; ")))
    }

    // `warnings` comes in as an argument: captured, the variable would be checked for
    // exclusive access at run time on every packet.
    func finish(_ udpDatagram: UnsafeRawBufferPointer, _ warnings: inout [String]) -> DissectOutcome<Packet> {
      let udp: UDPDatagram
      switch UDPDatagram.read(udpDatagram, dhcpv6: true, warnings: &warnings) {
      case .success(let datagram): udp = datagram
      case .failure(let reason): return reason.outcome()
      }
      let (sport, dport, end) = (udp.sourcePort, udp.destinationPort, udp.end)
      var message = DHCPv6Message(payload: UnsafeRawBufferPointer(rebasing: udpDatagram[8..<end]))
      if !warnings.isEmpty { message.warnings.insert(contentsOf: warnings, at: 0) }
      return .dhcpv6(
        DHCPv6Packet(
          frame: frame.number, fileIndex: frame.fileIndex, timestamp: frame.timestamp, interface: link.interface,
          vlanIDs: link.vlanIDs, sourceMAC: link.sourceMAC, source: ip.source, destination: ip.destination,
          sourcePort: sport, destinationPort: dport, hopLimit: ip.hopLimit, message: message))
    }

    guard ip.fragment != nil else {
      return ip.nextHeader == 17 ? finish(payload, &warnings) : .other
    }
    if !ip.isFragment {
      // An atomic fragment (RFC 6946): a Fragment header on a whole packet.
      guard let (next, offset) = followExtensionHeaders(payload, from: 0, first: ip.nextHeader, warnings: &warnings)
      else { return .malformed(Malformed(.badIPHeader, warnings.joined(separator: "; "))) }
      return next == 17 ? finish(UnsafeRawBufferPointer(rebasing: payload[offset...]), &warnings) : .other
    }
    switch reassembler.add(header: ip, payload: payload, at: frame.timestamp) {
    case .incomplete:
      return .fragment
    case .dropped(let reason):
      return .malformed(Malformed(.fragmentsDropped, reason))
    case .complete(let datagram, let notes):
      warnings.append(contentsOf: notes.filter { $0.contains("overlap") })
      return datagram.withUnsafeBytes { bytes -> DissectOutcome<Packet> in
        guard let (next, offset) = followExtensionHeaders(bytes, from: 0, first: ip.nextHeader, warnings: &warnings)
        else { return .malformed(Malformed(.badIPHeader, warnings.joined(separator: "; "))) }
        return next == 17 ? finish(UnsafeRawBufferPointer(rebasing: bytes[offset...]), &warnings) : .other
      }
    }
  }

  /// An ICMP destination-unreachable quoting a UDP datagram to or from a DHCP port, handed to
  /// `make` with the quoted BOOTP payload; anything else is other traffic.
  private func locateICMPError<Packet>(
    _ frame: LinkFrame, link: LinkHeader, ip: IPv4Header, payload: UnsafeRawBufferPointer,
    _ make: (PacketOrigin, ICMPError, UnsafeRawBufferPointer) -> Packet?
  ) -> DissectOutcome<Packet> {
    guard let (quotedIP, udp) = ICMPError.quoted(payload) else { return .other }
    let sport = udp.bigEndianUInt16(at: 0)
    let dport = udp.bigEndianUInt16(at: 2)
    guard Self.isDHCPPort(sport) || Self.isDHCPPort(dport) else { return .other }
    let origin = PacketOrigin(
      frame: frame.number, fileIndex: frame.fileIndex, timestamp: frame.timestamp, interface: link.interface,
      vlanIDs: link.vlanIDs, sourceMAC: link.sourceMAC, source: quotedIP.source, destination: quotedIP.destination,
      sourcePort: sport, destinationPort: dport, ipIdentification: ip.identification, ttl: ip.ttl)
    let error = ICMPError(code: payload[1], reporter: ip.source, quotedDestination: quotedIP.destination)
    guard let packet = make(origin, error, UnsafeRawBufferPointer(rebasing: udp[8...])) else { return .other }
    return .icmpError(packet)
  }
}
