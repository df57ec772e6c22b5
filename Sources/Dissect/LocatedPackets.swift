/// DHCP packets found in frames but not decoded yet: each one's origin and BOOTP payload, the
/// payloads end to end in one buffer. `decode` reads a capture into batches of these on one
/// thread and decodes them where they are formatted, into one reused `DHCPPacket`: a batch
/// costs a few allocations, where a `DHCPPacket` per packet cost two, and their release.
public struct LocatedPackets: Sendable {
  public private(set) var origins: [PacketOrigin] = []
  private var payloads: [UInt8] = []
  /// Where each packet's payload ends in `payloads`; it starts where the one before ended.
  private var payloadEnds: [Int] = []
  /// Warnings from below the payload (link, IP, UDP), by packet index, in order; rare.
  private var warnings: [(index: Int, warnings: [String])] = []
  /// DHCPv6 messages, decoded when found, by packet index; their `origins` entry holds only
  /// the frame's place and time.
  private var dhcpv6: [Int: DHCPv6Packet] = [:]

  public init() {}

  /// Room for `count` packets of a typical size.
  public init(reservingCapacity count: Int) {
    origins.reserveCapacity(count)
    payloadEnds.reserveCapacity(count)
    payloads.reserveCapacity(count * 512)
  }

  public var count: Int { origins.count }

  public mutating func append(origin: PacketOrigin, payload: UnsafeRawBufferPointer, warnings: [String]) {
    if !warnings.isEmpty { self.warnings.append((origins.count, warnings)) }
    origins.append(origin)
    payloads.append(contentsOf: payload.assumingMemoryBound(to: UInt8.self))
    payloadEnds.append(payloads.count)
  }

  public mutating func append(_ packet: DHCPv6Packet) {
    dhcpv6[origins.count] = packet
    origins.append(
      PacketOrigin(
        frame: packet.frame, fileIndex: packet.fileIndex, timestamp: packet.timestamp, interface: packet.interface,
        vlanIDs: packet.vlanIDs, sourceMAC: packet.sourceMAC, source: .zero, destination: .zero,
        sourcePort: packet.sourcePort, destinationPort: packet.destinationPort, ipIdentification: 0,
        ttl: packet.hopLimit))
    payloadEnds.append(payloads.count)
  }

  /// Packet `index` when it is a DHCPv6 message (`decode(_:into:)` reads the others).
  public func dhcpv6Packet(_ index: Int) -> DHCPv6Packet? { dhcpv6.isEmpty ? nil : dhcpv6[index] }

  /// Packet `index`, decoded into `packet`, whose buffers are reused.
  public func decode(_ index: Int, into packet: inout DHCPPacket) {
    packet.origin = origins[index]
    let start = index == 0 ? 0 : payloadEnds[index - 1]
    payloads.withUnsafeBytes {
      packet.message.decode(payload: UnsafeRawBufferPointer(rebasing: $0[start..<payloadEnds[index]]))
    }
    if !warnings.isEmpty, let found = warnings.first(where: { $0.index == index }) {
      packet.message.warnings.insert(contentsOf: found.warnings, at: 0)
    }
  }
}
