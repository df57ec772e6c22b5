import DequeModule
import HeapModule

/// A priority queue, earliest first, for elements that mostly arrive in order or in two
/// interleaved orders: two first-in first-out queues take those in constant time, and a heap
/// takes the rest.
///
/// The correlator's deadlines are a packet's time plus a fixed period (the timeout, or the
/// grace period after the final reply), and packets come in time order; only a deadline moved
/// on, or a packet later than the reorder window allows, goes to the heap. A heap of them all
/// spent 3% of a run sifting. The start order's records come nearly in the order they began.
/// Inlinable, so that each user's element type is specialized (generic, it went through the
/// runtime's metadata on every call).
public struct NearlySortedQueue<Element: Comparable> {
  @usableFromInline var first = Deque<Element>()
  @usableFromInline var second = Deque<Element>()
  @usableFromInline var rest = Heap<Element>()

  @inlinable public init() {}

  /// A queue of `elements`, in any order.
  @inlinable public init(_ elements: [Element]) { rest = Heap(elements) }

  @inlinable public var count: Int { first.count + second.count + rest.count }

  /// Where an element is held.
  @usableFromInline enum Place { case first, second, rest }

  /// The earliest element and where it is.
  @inlinable func earliest() -> (element: Element, place: Place)? {
    var earliest = rest.min.map { (element: $0, place: Place.rest) }
    if let f = first.first, earliest.map({ f < $0.element }) ?? true { earliest = (f, .first) }
    if let s = second.first, earliest.map({ s < $0.element }) ?? true { earliest = (s, .second) }
    return earliest
  }

  /// The earliest element.
  @inlinable public var min: Element? { earliest()?.element }

  @inlinable public mutating func insert(_ element: Element) {
    // Onto the queue whose last element is the latest not after it, so both stay sorted and
    // the other keeps room for earlier ones.
    let fitsFirst = first.last.map { !(element < $0) } ?? true
    let fitsSecond = second.last.map { !(element < $0) } ?? true
    switch (fitsFirst, fitsSecond) {
    case (true, true):
      if let a = first.last, let b = second.last, a < b { second.append(element) } else { first.append(element) }
    case (true, false): first.append(element)
    case (false, true): second.append(element)
    case (false, false): rest.insert(element)
    }
  }

  /// Removes the earliest element (there must be one).
  @inlinable public mutating func removeMin() { _ = popMin() }

  /// Removes and returns the earliest element.
  @inlinable public mutating func popMin() -> Element? {
    guard let (element, place) = earliest() else { return nil }
    switch place {
    case .first: first.removeFirst()
    case .second: second.removeFirst()
    case .rest: rest.removeMin()
    }
    return element
  }
}
