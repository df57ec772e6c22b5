import Dissect

/// Puts packets back in time order within a bounded window. dumpcap writing several
/// interfaces to one pcapng interleaves them out of time order (a relayed copy can come
/// before the client's original), so packets wait here until nothing earlier can still come.
///
/// Held packets sit in a ring sorted by (time, arrival). Input is nearly always in order, so
/// a packet is usually copied once, to the back; a late one is inserted where it belongs.
/// The ring is its own storage rather than a `Deque`: going through the deque's generic
/// accessors copied each few-hundred-byte summary several times on its way in and out.
public struct ReorderBuffer<Element> {
  private var ring = HeldRing<Element>()
  private var newest: Int64 = .min
  public let windowNanoseconds: Int64
  public let maximumHeld: Int

  public init(windowSeconds: Double = 2, maximumHeld: Int = 65_536) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
  }

  public var count: Int { ring.count }

  /// Adds one element; `releaseReady` then passes on what is safe to pass on.
  public mutating func push(_ element: Element, at time: Timestamp) {
    makeRingUnique()
    let t = time.totalNanoseconds
    if ring.count > 0, ring.time(ring.count - 1) > t {
      // Late: after every held item with an earlier or equal time (ties keep arrival order).
      var low = 0
      var high = ring.count
      while low < high {
        let mid = (low + high) / 2
        if ring.time(mid) <= t { low = mid + 1 } else { high = mid }
      }
      ring.insert(element, time: t, at: low)
    } else {
      ring.append(element, time: t)
    }
    newest = max(newest, t)
  }

  /// Hands each held element that nothing earlier can still come before (it is older than the
  /// window before the newest time seen, or the buffer is at its bound) to `body`, oldest
  /// first and in place, without copying it out. Releasing at the bound, not past it, keeps
  /// the ring at `maximumHeld` slots: one more would double it.
  public mutating func releaseReady(_ body: (borrowing Element) -> Void) {
    makeRingUnique()
    while ring.count > 0, ring.time(0) <= newest &- windowNanoseconds || ring.count >= maximumHeld {
      ring.withFirst(body)
      ring.removeFirst()
    }
  }

  /// Lets time pass without an element (live capture, while idle).
  public mutating func advance(to time: Timestamp) {
    newest = max(newest, time.totalNanoseconds)
  }

  /// The oldest held element, whatever its time (end of input).
  public mutating func popFirst() -> Element? {
    guard ring.count > 0 else { return nil }
    makeRingUnique()
    return ring.popFirst()
  }

  /// Copy on write: a copied buffer shares its ring until one of the two changes it.
  private mutating func makeRingUnique() {
    if !isKnownUniquelyReferenced(&ring) { ring = ring.copy() }
  }
}

/// The reorder window's storage: elements and their times in two rings of one capacity (a
/// power of two), logical index 0 the oldest.
final class HeldRing<Element> {
  private var elements: UnsafeMutablePointer<Element>
  private var times: UnsafeMutablePointer<Int64>
  private var capacity: Int
  private var head = 0
  private(set) var count = 0

  init(capacity: Int = 1024) {
    self.capacity = capacity
    elements = .allocate(capacity: capacity)
    times = .allocate(capacity: capacity)
  }

  deinit {
    for i in 0..<count { (elements + slot(i)).deinitialize(count: 1) }
    elements.deallocate()
    times.deallocate()
  }

  private func slot(_ index: Int) -> Int { (head + index) & (capacity - 1) }

  func time(_ index: Int) -> Int64 { times[slot(index)] }

  func withFirst(_ body: (borrowing Element) -> Void) { body(elements[head]) }

  func append(_ element: Element, time: Int64) {
    if count == capacity { grow() }
    (elements + slot(count)).initialize(to: element)
    times[slot(count)] = time
    count += 1
  }

  /// Moves the elements at `index` and after one place back, then puts this one at `index`.
  func insert(_ element: Element, time: Int64, at index: Int) {
    if count == capacity { grow() }
    var i = count
    while i > index {
      (elements + slot(i)).moveInitialize(from: elements + slot(i - 1), count: 1)
      times[slot(i)] = times[slot(i - 1)]
      i -= 1
    }
    (elements + slot(index)).initialize(to: element)
    times[slot(index)] = time
    count += 1
  }

  func removeFirst() {
    (elements + head).deinitialize(count: 1)
    head = slot(1)
    count -= 1
  }

  func popFirst() -> Element {
    let first = (elements + head).move()
    head = slot(1)
    count -= 1
    return first
  }

  func copy() -> HeldRing<Element> {
    let copy = HeldRing(capacity: capacity)
    for i in 0..<count { copy.append(elements[slot(i)], time: time(i)) }
    return copy
  }

  private func grow() {
    let newCapacity = capacity * 2
    let newElements = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    let newTimes = UnsafeMutablePointer<Int64>.allocate(capacity: newCapacity)
    for i in 0..<count {
      (newElements + i).moveInitialize(from: elements + slot(i), count: 1)
      newTimes[i] = times[slot(i)]
    }
    elements.deallocate()
    times.deallocate()
    (elements, times, capacity, head) = (newElements, newTimes, newCapacity, 0)
  }
}
