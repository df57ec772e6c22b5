/// The correlator's index from transaction key to slot: open addressing with linear probing
/// over one flat array, and backward-shift deletion (no tombstones to pile up under a flood).
///
/// Every packet looks its transaction up here. A `Dictionary` hashed each key with SipHash,
/// which cost more than the rest of the lookup; this table mixes the key in two
/// multiplications, with a random seed per run so crafted xids and MACs cannot be aimed at one
/// run of buckets. Iteration order is never used, so output does not depend on the seed.
struct SlotTable {
  private struct Bucket {
    var key: Correlator.Key
    /// -1: empty.
    var slot: Int32
  }

  private var buckets: [Bucket]
  private var mask: Int
  private(set) var count = 0
  private let seed = UInt64.random(in: .min ... .max)

  init() {
    buckets = Array(repeating: Bucket(key: Correlator.Key(xid: 0, client: 0), slot: -1), count: 1024)
    mask = buckets.count - 1
  }

  private func home(_ key: Correlator.Key) -> Int {
    var h = (key.client ^ seed) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.xid)
    h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
    return Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
  }

  /// The bucket holding `key`, or the empty bucket where it would go.
  private func position(of key: Correlator.Key) -> Int {
    var i = home(key)
    while buckets[i].slot >= 0 && buckets[i].key != key { i = (i + 1) & mask }
    return i
  }

  subscript(key: Correlator.Key) -> Int32? {
    let slot = buckets[position(of: key)].slot
    return slot >= 0 ? slot : nil
  }

  /// Adds or replaces the slot of `key`.
  mutating func set(_ key: Correlator.Key, _ slot: Int32) {
    if (count + 1) * 4 > buckets.count * 3 { grow() }
    let i = position(of: key)
    if buckets[i].slot < 0 { count += 1 }
    buckets[i] = Bucket(key: key, slot: slot)
  }

  mutating func remove(_ key: Correlator.Key) {
    var hole = position(of: key)
    guard buckets[hole].slot >= 0 else { return }
    count -= 1
    // Move back every later entry of the run that may sit in the hole: one whose home is not
    // cyclically within (hole, j].
    var j = (hole + 1) & mask
    while buckets[j].slot >= 0 {
      let h = home(buckets[j].key)
      let reachable = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
      if !reachable {
        buckets[hole] = buckets[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    buckets[hole].slot = -1
  }

  private mutating func grow() {
    let old = buckets
    buckets = Array(repeating: Bucket(key: Correlator.Key(xid: 0, client: 0), slot: -1), count: old.count * 2)
    mask = buckets.count - 1
    for b in old where b.slot >= 0 { buckets[position(of: b.key)] = b }
  }
}
