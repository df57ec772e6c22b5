import Dissect

/// Puts packets back in time order within a bounded window. dumpcap writing several
/// interfaces to one pcapng interleaves them out of time order (a relayed copy can come
/// before the client's original), so packets wait here until nothing earlier can still come.
///
/// Held packets sit in a ring sorted by (time, arrival). Input is nearly always in order, so
/// a packet is usually written once, at the back; a late one is moved to where it belongs.
/// The ring is its own storage rather than a `Deque`: going through the deque's generic
/// accessors copied each few-hundred-byte summary several times on its way in and out.
public struct ReorderBuffer<Element> {
  private var ring: HeldRing<Element>
  private var newest: Int64 = .min
  public let windowNanoseconds: Int64
  public let maximumHeld: Int

  /// `blank` fills the ring's free slots, which `push(writing:)` writes in place.
  public init(windowSeconds: Double = 2, maximumHeld: Int = 65_536, blank: Element) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
    ring = HeldRing(blank: blank)
  }

  public var count: Int { ring.count }

  /// Adds one element; `releaseReady` then passes on what is safe to pass on.
  public mutating func push(_ element: Element, at time: Timestamp) {
    _ = push { slot in
      slot = element
      return time
    }
  }

  /// Adds the element `write` writes in place, in the ring's next free slot (which holds an
  /// element released earlier, or `blank`), at the time it returns; nil adds nothing. The
  /// reader dissects a frame straight into the window this way: a summary copied in right
  /// after it was written field by field is read back before those writes have landed, and
  /// the processor waits for them.
  public mutating func push(writing write: (inout Element) throws -> Timestamp?) rethrows -> Timestamp? {
    makeRingUnique()
    guard let time = try ring.withNextSlot(write) else { return nil }
    let t = time.totalNanoseconds
    if ring.count > 0, ring.time(ring.count - 1) > t {
      // Late: after every held item with an earlier or equal time (ties keep arrival order).
      var low = 0
      var high = ring.count
      while low < high {
        let mid = (low + high) / 2
        if ring.time(mid) <= t { low = mid + 1 } else { high = mid }
      }
      ring.insertNext(time: t, at: low)
    } else {
      ring.appendNext(time: t)
    }
    newest = max(newest, t)
    return time
  }

  /// Hands each held element that nothing earlier can still come before (it is older than the
  /// window before the newest time seen, or the buffer is at its bound) to `body`, oldest
  /// first, through its place in the window: an element passed on as a value is copied first
  /// (a few hundred bytes for a summary). Releasing at the bound, not past it, keeps the ring
  /// at `maximumHeld` slots: one more would double it.
  public mutating func releaseReady(_ body: (UnsafePointer<Element>) -> Void) {
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
/// power of two), logical index 0 the oldest. Every slot holds an element, the free ones
/// `blank` or one already released, so the next one can be written in place.
final class HeldRing<Element> {
  private var elements: UnsafeMutablePointer<Element>
  private var times: UnsafeMutablePointer<Int64>
  private var capacity: Int
  private var head = 0
  private(set) var count = 0
  private let blank: Element

  init(capacity: Int = 1024, blank: Element) {
    self.capacity = capacity
    self.blank = blank
    elements = .allocate(capacity: capacity)
    elements.initialize(repeating: blank, count: capacity)
    times = .allocate(capacity: capacity)
  }

  deinit {
    elements.deinitialize(count: capacity)
    elements.deallocate()
    times.deallocate()
  }

  private func slot(_ index: Int) -> Int { (head + index) & (capacity - 1) }

  func time(_ index: Int) -> Int64 { times[slot(index)] }

  func withFirst(_ body: (UnsafePointer<Element>) -> Void) { body(elements + head) }

  /// The first free slot, to write the next element in (`appendNext` or `insertNext` then
  /// keeps it).
  func withNextSlot<R>(_ body: (inout Element) throws -> R) rethrows -> R {
    if count == capacity { grow() }
    return try body(&elements[slot(count)])
  }

  func appendNext(time: Int64) {
    times[slot(count)] = time
    count += 1
  }

  /// Moves the element written in the next slot to `index`, the elements from there on one
  /// place back.
  func insertNext(time: Int64, at index: Int) {
    let element = (elements + slot(count)).move()
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

  /// Frees the first slot; its element stays until the slot is written again.
  func removeFirst() {
    head = slot(1)
    count -= 1
  }

  func popFirst() -> Element {
    let first = elements[head]
    removeFirst()
    return first
  }

  func copy() -> HeldRing<Element> {
    let copy = HeldRing(capacity: capacity, blank: blank)
    for i in 0..<count {
      copy.withNextSlot { $0 = elements[slot(i)] }
      copy.appendNext(time: time(i))
    }
    return copy
  }

  private func grow() {
    let newCapacity = capacity * 2
    let newElements = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    let newTimes = UnsafeMutablePointer<Int64>.allocate(capacity: newCapacity)
    for i in 0..<capacity {
      (newElements + i).moveInitialize(from: elements + slot(i), count: 1)
      newTimes[i] = times[slot(i)]
    }
    (newElements + capacity).initialize(repeating: blank, count: newCapacity - capacity)
    elements.deallocate()
    times.deallocate()
    (elements, times, capacity, head) = (newElements, newTimes, newCapacity, 0)
  }
}
