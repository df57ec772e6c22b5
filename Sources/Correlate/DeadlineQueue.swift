import Collections

/// The correlator's deadlines, earliest first. Nearly every deadline is a packet's time plus
/// a fixed period (the timeout, or the grace period after the final reply), and packets come
/// in time order, so deadlines arrive already sorted within each period: two first-in
/// first-out queues take those in constant time, and a heap takes the rest (a deadline moved
/// on, a packet later than the reorder window allows). A heap of them all spent 3% of a run
/// sifting.
struct DeadlineQueue<Element: Comparable> {
  private var first = Deque<Element>()
  private var second = Deque<Element>()
  private var rest = Heap<Element>()

  init() {}

  /// A queue of `elements`, in any order.
  init(_ elements: [Element]) { rest = Heap(elements) }

  var count: Int { first.count + second.count + rest.count }

  /// The earliest element.
  var min: Element? {
    var earliest = rest.min
    if let f = first.first, earliest.map({ f < $0 }) ?? true { earliest = f }
    if let s = second.first, earliest.map({ s < $0 }) ?? true { earliest = s }
    return earliest
  }

  mutating func insert(_ element: Element) {
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
  mutating func removeMin() {
    let earliest = min!
    if first.first == earliest {
      first.removeFirst()
    } else if second.first == earliest {
      second.removeFirst()
    } else {
      rest.removeMin()
    }
  }
}
