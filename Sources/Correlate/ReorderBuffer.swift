import Collections
import Dissect

/// Puts packets back in time order within a bounded window. dumpcap writing several
/// interfaces to one pcapng interleaves them out of time order (a relayed copy can come
/// before the client's original), so packets wait here until nothing earlier can still come.
///
/// Held packets sit in a deque sorted by (time, arrival). Input is nearly always in order, so
/// a packet is usually appended at the back; a late one is inserted where it belongs.
public struct ReorderBuffer<Element> {
  struct Item {
    var time: Int64
    var element: Element
  }

  private var held = Deque<Item>()
  private var newest: Int64 = .min
  public let windowNanoseconds: Int64
  public let maximumHeld: Int

  public init(windowSeconds: Double = 2, maximumHeld: Int = 65_536) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
  }

  public var count: Int { held.count }

  /// Adds one element; `releaseReady` then passes on what is safe to pass on.
  public mutating func push(_ element: Element, at time: Timestamp) {
    let t = time.totalNanoseconds
    if let last = held.last, last.time > t {
      // Late: after every held item with an earlier or equal time (ties keep arrival order).
      var low = 0
      var high = held.count
      while low < high {
        let mid = (low + high) / 2
        if held[mid].time <= t { low = mid + 1 } else { high = mid }
      }
      held.insert(Item(time: t, element: element), at: low)
    } else {
      held.append(Item(time: t, element: element))
    }
    newest = max(newest, t)
  }

  /// Hands each held element that nothing earlier can still come before (it is older than the
  /// window before the newest time seen, or the buffer is over its bound) to `body`, oldest
  /// first and in place, without copying it out (a packet summary is a few hundred bytes).
  public mutating func releaseReady(_ body: (borrowing Element) -> Void) {
    while !held.isEmpty, held[held.startIndex].time <= newest &- windowNanoseconds || held.count > maximumHeld {
      body(held[held.startIndex].element)
      held.removeFirst(1)
    }
  }

  /// Lets time pass without an element (live capture, while idle).
  public mutating func advance(to time: Timestamp) {
    newest = max(newest, time.totalNanoseconds)
  }

  /// The oldest held element, whatever its time (end of input).
  public mutating func popFirst() -> Element? { held.popFirst()?.element }
}
