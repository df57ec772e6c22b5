/// The sequence entries of every open transaction in one array, each transaction's entries a
/// chain through it. An open transaction then allocates nothing of its own and holds no room
/// it does not use: a relayed DORA and a flood's lone DISCOVER each cost what they hold, and a
/// long exchange never copies its entries to grow. They become an array of their own, of the
/// exact size, when the transaction closes.
struct EntryChains {
  /// One transaction's entries: first and last place, and how many.
  struct Chain {
    var head: Int32 = -1
    var tail: Int32 = -1
    var count = 0
  }

  private var entries: [SequenceEntry] = []
  /// The place after each place in its chain (or in the free list); -1 ends it.
  private var next: [Int32] = []
  private var firstFree: Int32 = -1

  mutating func append(_ entry: SequenceEntry, to chain: inout Chain) {
    let place: Int32
    if firstFree >= 0 {
      place = firstFree
      firstFree = next[Int(place)]
      entries[Int(place)] = entry
      next[Int(place)] = -1
    } else {
      place = Int32(entries.count)
      entries.append(entry)
      next.append(-1)
    }
    if chain.tail >= 0 { next[Int(chain.tail)] = place } else { chain.head = place }
    chain.tail = place
    chain.count += 1
  }

  func contains(_ chain: Chain, where predicate: (SequenceEntry) -> Bool) -> Bool {
    var place = chain.head
    while place >= 0 {
      if predicate(entries[Int(place)]) { return true }
      place = next[Int(place)]
    }
    return false
  }

  /// The chain's entries in order, as an array; their places are free again.
  mutating func take(_ chain: inout Chain) -> [SequenceEntry] {
    var taken: [SequenceEntry] = []
    taken.reserveCapacity(chain.count)
    var place = chain.head
    while place >= 0 {
      taken.append(entries[Int(place)])
      let following = next[Int(place)]
      next[Int(place)] = firstFree
      firstFree = place
      place = following
    }
    chain = Chain()
    return taken
  }
}
