import Correlate
import Dissect

/// A transaction of either family on its way to the report.
enum ReportedTransaction {
  /// `madeByReader`: every block the record holds was allocated on the reading thread (it
  /// analysed the record), so it is freed there (`ReportPipeline.keepsSpent`).
  case dhcpv4(TransactionRecord, madeByReader: Bool)
  /// Boxed, so holding a DHCPv4 record costs no more than before DHCPv6 came.
  indirect case dhcpv6(DHCPv6TransactionRecord)

  var firstSeen: Timestamp {
    switch self {
    case .dhcpv4(let r, _): return r.firstSeen
    case .dhcpv6(let r): return r.firstSeen
    }
  }
}

/// Puts analysed transactions back in the order they began, within a bounded window, before
/// they are reported. The correlator hands a transaction over when it ends, so a RELEASE that
/// ends at once would print before a DORA that began earlier and ends later.
///
/// A transaction is held until every transaction that began before it has ended (the
/// correlator says when the oldest still open began), or until the packet clock is
/// `windowSeconds` past its start, or until `maximumHeld` are waiting. The window is the
/// timeout, plus the grace period, plus the reorder window: how long an exchange can stay
/// open without a packet.
struct StartOrder {
  /// A held record's place in the order; the record itself stays put in `records`, so the
  /// heap moves 24 bytes rather than whole records.
  private struct Held: Comparable {
    var start: Int64
    var arrival: Int
    var slot: Int
    static func < (a: Held, b: Held) -> Bool { a.start != b.start ? a.start < b.start : a.arrival < b.arrival }
    static func == (a: Held, b: Held) -> Bool { a.arrival == b.arrival }
  }

  private var held = NearlySortedQueue<Held>()
  /// Shared by copies, which the report pipeline (not copyable) never makes.
  private let records = HeldRecords()
  private var arrivals = 0
  private var releasableUntil = Int64.min
  let windowNanoseconds: Int64
  let maximumHeld: Int

  init(windowSeconds: Double, maximumHeld: Int = 4_096) {
    windowNanoseconds = Int64(windowSeconds * 1e9)
    self.maximumHeld = maximumHeld
  }

  /// Notes that a transaction that began at `start` closed when the packet clock read
  /// `clock`, while the oldest open transaction had begun at `oldestOpen` (nil: none was
  /// open). Returns whether it goes first and can be reported at once; otherwise the caller
  /// `hold`s it. While no transaction waits for its timeout, most can: a transaction usually
  /// ends after those that began before it. One that does wait holds back all that end
  /// after it.
  mutating func closed(start: Timestamp, clock: Timestamp, oldestOpen: Timestamp?) -> Bool {
    // Everything that began before the oldest open transaction can go now; a transaction
    // open longer than the window no longer holds the others back.
    let exact = (oldestOpen ?? clock).totalNanoseconds
    releasableUntil = max(releasableUntil, max(exact, clock.totalNanoseconds &- windowNanoseconds))
    let s = start.totalNanoseconds
    return s <= releasableUntil && (held.min.map { s < $0.start } ?? true)
  }

  /// Keeps a record until `popReleasable` or `popFirst` hands it back in start order.
  /// `start`: when its transaction began (reading it from the record would copy the record).
  mutating func hold(_ record: consuming ReportedTransaction, start: Timestamp) {
    arrivals += 1
    held.insert(Held(start: start.totalNanoseconds, arrival: arrivals, slot: records.put(record)))
  }

  /// Adds a record (`closed`, then `hold`).
  mutating func add(_ record: consuming ReportedTransaction, clock: Timestamp, oldestOpen: Timestamp?) {
    let start = record.firstSeen
    _ = closed(start: start, clock: clock, oldestOpen: oldestOpen)
    hold(record, start: start)
  }

  /// The earliest-started record nothing earlier can still come before (nil while it may).
  mutating func popReleasable() -> ReportedTransaction? {
    guard let first = held.min, first.start <= releasableUntil || held.count > maximumHeld else { return nil }
    held.removeMin()
    return take(first)
  }

  /// Every record held, in start order (end of input).
  mutating func popFirst() -> ReportedTransaction? {
    guard let first = held.popMin() else { return nil }
    return take(first)
  }

  private mutating func take(_ h: Held) -> ReportedTransaction { records.take(h.slot) }
}

/// The records a start order holds, each in a slot of its own until taken: a record moves in
/// once and out once (an array of optionals moved each of its 380 bytes several times on the
/// way in and out).
private final class HeldRecords {
  private var base: UnsafeMutablePointer<ReportedTransaction>
  private var occupied: [Bool]
  private var freeSlots: [Int] = []
  /// Slots ever used; those below it not occupied are in `freeSlots`.
  private var used = 0

  init(capacity: Int = 64) {
    base = .allocate(capacity: capacity)
    occupied = Array(repeating: false, count: capacity)
  }

  deinit {
    for slot in 0..<used where occupied[slot] { (base + slot).deinitialize(count: 1) }
    base.deallocate()
  }

  /// Keeps `record`; returns its slot.
  func put(_ record: consuming ReportedTransaction) -> Int {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
    } else {
      if used == occupied.count { grow() }
      slot = used
      used += 1
    }
    (base + slot).initialize(to: record)
    occupied[slot] = true
    return slot
  }

  func take(_ slot: Int) -> ReportedTransaction {
    precondition(occupied[slot])
    occupied[slot] = false
    freeSlots.append(slot)
    return (base + slot).move()
  }

  private func grow() {
    let capacity = occupied.count * 2
    let bigger = UnsafeMutablePointer<ReportedTransaction>.allocate(capacity: capacity)
    for slot in 0..<used where occupied[slot] { (bigger + slot).moveInitialize(from: base + slot, count: 1) }
    base.deallocate()
    base = bigger
    occupied += repeatElement(false, count: capacity - occupied.count)
  }
}
