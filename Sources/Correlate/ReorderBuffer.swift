import Collections
import Dissect

/// Puts packets back in time order within a bounded window. dumpcap writing several
/// interfaces to one pcapng interleaves them out of time order (a relayed copy can come
/// before the client's original), so packets wait here until nothing earlier can still come.
public struct ReorderBuffer<Element> {
  struct Item: Comparable {
    var time: Int64
    var sequence: Int
    var element: Element
    static func < (a: Item, b: Item) -> Bool { a.time != b.time ? a.time < b.time : a.sequence < b.sequence }
    static func == (a: Item, b: Item) -> Bool { a.time == b.time && a.sequence == b.sequence }
  }

  private var heap = Heap<Item>()
  private var sequence = 0
  private var newest: Int64 = .min
  public let windowNanoseconds: Int64
  public let maximumHeld: Int

  public init(windowSeconds: Double = 2, maximumHeld: Int = 65_536) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
  }

  public var count: Int { heap.count }

  /// Adds one element; calls `release` for each element that is now safe to pass on.
  public mutating func push(_ element: Element, at time: Timestamp, release: (Element) -> Void) {
    let t = time.totalNanoseconds
    sequence += 1
    heap.insert(Item(time: t, sequence: sequence, element: element))
    newest = max(newest, t)
    while let top = heap.min, top.time <= newest - windowNanoseconds || heap.count > maximumHeld {
      release(heap.removeMin().element)
    }
  }

  /// Releases what is older than the window before `time` (live capture, while idle).
  public mutating func release(before time: Timestamp, release: (Element) -> Void) {
    newest = max(newest, time.totalNanoseconds)
    while let top = heap.min, top.time <= newest - windowNanoseconds { release(heap.removeMin().element) }
  }

  /// Releases everything still held, in order.
  public mutating func drain(release: (Element) -> Void) {
    while let item = heap.popMin() { release(item.element) }
  }
}
