import Dissect

/// Counts distinct client hardware addresses in bounded memory: exactly, in a set, up to
/// `exactLimit`; beyond it, by a HyperLogLog estimate (Flajolet et al., 2007) kept from the
/// first address on, and the set is dropped. A busy relay's day holds more clients than the
/// limit and so does a starvation flood of spoofed MACs; neither may grow memory without
/// bound. With 2^14 one-byte registers the estimate's standard error is 0.8%.
public struct DistinctCount: Sendable {
  public static let exactLimit = 100_000
  private static let registerBits = 14

  /// The exact set, by open addressing on `stableHash` (already computed for the estimate):
  /// a `Set` would hash every address again with a seeded `Hasher`, once per transaction.
  private var exact = AddressTable()
  private var registers = [UInt8](repeating: 0, count: 1 << registerBits)
  /// Whether `count` is an estimate (more than `exactLimit` distinct addresses were seen).
  public private(set) var isEstimate = false

  public init() {}

  public mutating func insert(_ address: HardwareAddress) {
    // The register is picked by the hash's top bits; it keeps the highest rank (position of
    // the first 1 bit in the rest) seen. The sentinel bit caps the rank.
    let hash = address.stableHash
    let index = Int(truncatingIfNeeded: hash >> UInt64(64 - Self.registerBits))
    let rest = hash << UInt64(Self.registerBits) | 1 << UInt64(Self.registerBits - 1)
    registers[index] = max(registers[index], UInt8(rest.leadingZeroBitCount + 1))
    guard !isEstimate else { return }
    exact.insert(address, hash: hash)
    if exact.count > Self.exactLimit {
      isEstimate = true
      exact = AddressTable()
    }
  }

  public var count: Int { isEstimate ? max(Self.exactLimit + 1, estimate) : exact.count }

  /// The raw HyperLogLog estimate; beyond 2.5 registers per address no correction applies.
  private var estimate: Int {
    let m = Double(registers.count)
    let sum = registers.reduce(0.0) { $0 + 1 / Double(UInt64(1) << UInt64($1)) }
    let alpha = 0.7213 / (1 + 1.079 / m)
    return Int((alpha * m * m / sum).rounded())
  }
}

/// A set of hardware addresses keyed by a hash the caller supplies, with linear probing.
/// A slot's hash is stored with the low bit set, so 0 marks an empty slot.
private struct AddressTable: Sendable {
  private var hashes: [UInt64] = []
  private var addresses: [HardwareAddress] = []
  private(set) var count = 0

  mutating func insert(_ address: HardwareAddress, hash: UInt64) {
    if (count + 1) * 4 > hashes.count * 3 { grow() }
    let tag = hash | 1
    let mask = hashes.count - 1
    // The probe starts from the stored tag, so moving a slot's tag on growth finds it again.
    var i = Int(truncatingIfNeeded: tag >> 1) & mask
    while hashes[i] != 0 {
      if hashes[i] == tag && addresses[i] == address { return }
      i = (i + 1) & mask
    }
    hashes[i] = tag
    addresses[i] = address
    count += 1
  }

  private mutating func grow() {
    let (oldHashes, oldAddresses) = (hashes, addresses)
    let capacity = max(64, hashes.count * 2)
    hashes = [UInt64](repeating: 0, count: capacity)
    addresses = [HardwareAddress](repeating: HardwareAddress([]), count: capacity)
    count = 0
    for i in oldHashes.indices where oldHashes[i] != 0 { insert(oldAddresses[i], hash: oldHashes[i]) }
  }
}
