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
