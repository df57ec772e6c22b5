import Collections
import Correlate
import Dissect

/// Puts analysed transactions back in the order they began, within a bounded window, before
/// they are reported. The correlator hands a transaction over when it ends, so a RELEASE that
/// ends at once would print before a DORA that began earlier and ends later.
///
/// A transaction is held until the packet clock is `windowSeconds` past its start (by then
/// anything that began earlier has ended, unless it ran longer than the window) or until
/// `maximumHeld` are waiting. The window is the timeout, plus the grace period, plus the
/// reorder window: how long an exchange can stay open without a packet.
struct StartOrder {
  private struct Held: Comparable {
    var start: Int64
    var arrival: Int
    var record: TransactionRecord
    static func < (a: Held, b: Held) -> Bool { a.start != b.start ? a.start < b.start : a.arrival < b.arrival }
    static func == (a: Held, b: Held) -> Bool { a.arrival == b.arrival }
  }

  private var held = Heap<Held>()
  private var arrivals = 0
  private var releasableUntil = Int64.min
  let windowNanoseconds: Int64
  let maximumHeld: Int

  init(windowSeconds: Double, maximumHeld: Int = 10_000) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
  }

  /// Adds a record that closed when the packet clock read `clock`.
  mutating func add(_ record: TransactionRecord, clock: Timestamp) {
    arrivals += 1
    held.insert(Held(start: record.firstSeen.totalNanoseconds, arrival: arrivals, record: record))
    releasableUntil = max(releasableUntil, clock.totalNanoseconds &- windowNanoseconds)
  }

  /// The earliest-started record nothing earlier can still come before (nil while it may).
  mutating func popReleasable() -> TransactionRecord? {
    guard let first = held.min, first.start <= releasableUntil || held.count > maximumHeld else { return nil }
    return held.removeMin().record
  }

  /// Every record held, in start order (end of input).
  mutating func popFirst() -> TransactionRecord? { held.popMin()?.record }
}
