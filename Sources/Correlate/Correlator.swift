import Collections
import Dissect

/// Settings of a correlation run; all times are packet times.
public struct CorrelatorConfiguration: Sendable {
  /// How long an unanswered message waits before the transaction times out.
  public var timeoutSeconds: Double = 10
  /// How long a finished exchange stays open for late duplicates and copies.
  public var graceSeconds: Double = 2
  /// No transaction stays open longer than this, however busy.
  public var maximumAgeSeconds: Double = 300
  /// The most transactions tracked at once; beyond it the oldest is closed as incomplete.
  public var maximumTracked: Int = 100_000

  public init(timeoutSeconds: Double = 10, graceSeconds: Double? = nil, maximumTracked: Int = 100_000) {
    self.timeoutSeconds = timeoutSeconds
    self.graceSeconds = graceSeconds ?? min(2, timeoutSeconds)
    self.maximumTracked = maximumTracked
    self.maximumAgeSeconds = max(300, timeoutSeconds * 3)
  }
}

/// Groups DHCP packets into transactions, in the manner of Zeek's DHCP script: a plain value
/// fed packets in time order that hands back each transaction when it ends (final reply plus
/// a grace period, a timeout, the cap on tracked transactions, or the final flush).
///
/// Open transactions live in a slot array that is reused as they close, found by key through a
/// hash table of slot numbers (`SlotTable`); each packet is appended in place, so nothing is
/// copied per packet.
public struct Correlator {
  struct Key: Equatable {
    var xid: UInt32
    var client: UInt64
  }

  struct Open {
    /// From 1; 0 marks a slot with no transaction in it (closed, and not yet reused).
    var id: Int
    var key: Key
    var clientMAC: HardwareAddress
    /// Its sequence entries, kept in the correlator's `EntryChains`.
    var entries = EntryChains.Chain()
    /// The identity options, each kept once, apart from the entries so a sequence entry stays
    /// a plain value, copied without reference counting.
    var identity = TransactionIdentity()
    /// Packets beyond `maximumSequence`, counted but not kept.
    var dropped = 0
    /// A filter of the kept entries (`SequenceEntry.fingerprint`): a packet whose bits are not
    /// all here is no copy of one of them, and the entries, held apart and long out of the
    /// cache, need not be read to tell.
    var fingerprints: UInt64 = 0
    /// ICMP errors that quote one of its messages.
    var icmpErrors: [ICMPNotice] = []
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    /// When the reply (or message) that ends the exchange was seen.
    var finalAt: Timestamp?
    /// The first client request still waiting for any reply: the timeout runs from it, so a
    /// client that keeps retransmitting times out by the clock all the same.
    var pendingSince: Timestamp?
    var deadline: Int64 = 0

    /// Adds a packet; returns the deadline before and after it. Works in place in the slot:
    /// copying an `Open` out of the array, even to read one field, goes through Swift's
    /// generic value witnesses and costs more than the rest of the append.
    mutating func add(
      _ entry: SequenceEntry, options: UnsafePointer<IdentityOptions>, endsExchange: Bool,
      configuration: CorrelatorConfiguration,
      chains: inout EntryChains
    ) -> (before: Int64, after: Int64) {
      if entries.count < Correlator.maximumSequence {
        chains.append(entry, to: &entries)
        fingerprints |= entry.fingerprint
        if !entry.isDuplicate && !options.pointee.isEmpty { identity.record(entry, options) }
      } else {
        dropped += 1
      }
      if entry.timestamp > lastSeen { lastSeen = entry.timestamp }
      if finalAt == nil, !entry.isDuplicate, endsExchange { finalAt = entry.timestamp }
      if !entry.isDuplicate {
        if !entry.isRequest {
          pendingSince = nil
        } else if pendingSince == nil, ExchangePhase.of(request: entry.messageType) != nil {
          pendingSince = entry.timestamp
        }
      }
      let base: Int64
      if let f = finalAt {
        base = f.totalNanoseconds &+ Int64(configuration.graceSeconds * 1e9)
      } else {
        base = (pendingSince ?? lastSeen).totalNanoseconds &+ Int64(configuration.timeoutSeconds * 1e9)
      }
      let before = deadline
      deadline = min(base, firstSeen.totalNanoseconds &+ Int64(configuration.maximumAgeSeconds * 1e9))
      return (before, deadline)
    }
  }

  /// A deadline of the transaction in `slot`; stale once the slot's id or deadline changed.
  struct Deadline: Comparable {
    var at: Int64
    var slot: Int32
    var id: Int
    // Ties close in the order the transactions began, so output order never depends on the heap.
    static func < (a: Deadline, b: Deadline) -> Bool { a.at != b.at ? a.at < b.at : a.id < b.id }
  }

  /// Packets kept per transaction: a client or attacker repeating one xid cannot grow a
  /// sequence without bound.
  public static let maximumSequence = 1024

  public let configuration: CorrelatorConfiguration
  private var slotOf = SlotTable()
  private var slots: [Open] = []
  private var chains = EntryChains()
  private var freeSlots: [Int32] = []
  private var deadlines = NearlySortedQueue<Deadline>()
  private var creationOrder = Deque<(slot: Int32, id: Int)>()
  private var nextID = 0
  /// Closed transactions, those from `finishedHead` on not yet taken by `popFinished`; a
  /// taken one leaves `ClosedTransaction.taken` in its place until the queue empties. An
  /// array moves a transaction in and out, where `Deque.append` copied it (retaining its
  /// arrays).
  @usableFromInline var finished: [ClosedTransaction] = []
  @usableFromInline var finishedHead = 0
  public private(set) var latest: Timestamp?
  /// The first packet's time: where relative times (`--since +30`) count from.
  public private(set) var firstPacketTime: Timestamp?
  /// Transactions closed early because the cap was reached.
  public private(set) var evicted = 0

  public init(configuration: CorrelatorConfiguration = CorrelatorConfiguration()) {
    self.configuration = configuration
  }

  public var openCount: Int { slotOf.count }

  /// When the oldest transaction still open began (nil: none is open).
  public var oldestOpenStart: Timestamp? {
    creationOrder.first { slots[Int($0.slot)].id == $0.id }.map { slots[Int($0.slot)].firstSeen }
  }

  /// Adds a packet (in time order); the transactions that ended by then wait for
  /// `popFinished` (no array per packet).
  public mutating func push(_ packet: PacketSummary) { withUnsafePointer(to: packet) { push(at: $0) } }

  /// `push`, reading the packet where it lies (in the reorder window): the value passed on
  /// would be copied first, a few hundred bytes a packet.
  mutating func push(at packet: UnsafePointer<PacketSummary>) {
    if firstPacketTime == nil { firstPacketTime = packet.pointee.timestamp }
    advanceClock(to: packet.pointee.timestamp)
    let key = Key(xid: packet.pointee.xid, client: packet.pointee.clientKey)
    if let error = packet.pointee.icmpError {
      // An ICMP error belongs to the transaction whose message it quotes, if still open.
      if let slot = slotOf[key], slots[Int(slot)].icmpErrors.count < 16 {
        slots[Int(slot)].icmpErrors.append(
          ICMPNotice(
            error: error, timestamp: packet.pointee.timestamp, frame: packet.pointee.frame,
            messageType: packet.pointee.messageType))
      }
      return
    }
    var entry = SequenceEntry(packet.pointee)

    if var slot = slotOf[key] {
      let fingerprint = entry.fingerprint
      if slots[Int(slot)].fingerprints & fingerprint == fingerprint,
        chains.contains(slots[Int(slot)].entries, where: { $0.isSamePacket(as: entry) })
      {
        entry.isDuplicate = true
      } else if packet.pointee.isRequest, slots[Int(slot)].finalAt != nil,
        packet.pointee.messageType != MessageType.decline,
        !chains.contains(
          slots[Int(slot)].entries,
          where: {
            $0.isRequest && $0.messageType == packet.pointee.messageType && $0.secs == packet.pointee.secs
          })
      {
        // The client has started a new exchange with the same xid: close the old one. A
        // request like one already seen (same type and secs) is a copy of it instead: a
        // relay agent's forward of a RELEASE the host also routed to the server.
        close(slot, reason: .finished)
        slot = start(key, packet)
      }
      append(entry, options: Self.identityOptions(of: packet), toSlot: slot)
    } else {
      if slotOf.count >= configuration.maximumTracked { evictOldest() }
      append(entry, options: Self.identityOptions(of: packet), toSlot: start(key, packet))
    }
  }

  /// Where the identity options of the packet at `packet` lie.
  private static func identityOptions(of packet: UnsafePointer<PacketSummary>) -> UnsafePointer<IdentityOptions> {
    packet.pointer(to: \.identityOptions)!
  }

  /// The oldest closed transaction not yet taken.
  public mutating func popFinished() -> ClosedTransaction? {
    guard finishedHead < finished.count else { return nil }
    if finishedHead == finished.count - 1 {
      // The last one (most often the only one) moves out with the array's own `removeLast`.
      finishedHead = 0
      defer { finished.removeAll(keepingCapacity: true) }
      return finished.removeLast()
    }
    let head = finishedHead
    let next = finished.withUnsafeMutableBufferPointer { queue in
      let slot = queue.baseAddress! + head
      defer { slot.initialize(to: .taken) }
      return slot.move()
    }
    finishedHead += 1
    if finishedHead == finished.count {
      finished.removeAll(keepingCapacity: true)
      finishedHead = 0
    }
    return next
  }

  /// Whether a closed transaction waits for `popFinished`. Asked after every packet, this
  /// costs nothing, where an empty `popFinished` copies its 142-byte optional on its way out.
  /// Inlinable: called across modules, a property of a struct copied the whole struct first.
  @inlinable public var hasFinished: Bool { finishedHead < finished.count }

  /// Closes what timed out by `time` (packet time; in live capture, the clock while idle);
  /// the records wait for `popFinished`.
  public mutating func advanceClock(to time: Timestamp) {
    if latest == nil || time > latest! { latest = time }
    let now = time.totalNanoseconds
    while let top = deadlines.min, top.at <= now {
      deadlines.removeMin()
      let s = Int(top.slot)
      guard slots[s].id == top.id, slots[s].deadline >= top.at else { continue }
      if slots[s].deadline > top.at {
        deadlines.insert(Deadline(at: slots[s].deadline, slot: top.slot, id: top.id))
        continue
      }
      close(top.slot, reason: slots[s].finalAt != nil ? .finished : .timedOut)
    }
  }

  /// Ends the run: every open transaction is closed (finished ones with their outcome, the
  /// rest as incomplete), oldest first, and handed to `emit` as it closes, so up to
  /// `maximumTracked` records need not be held at once.
  public mutating func finish(_ emit: (ClosedTransaction) -> Void) {
    while let record = popFinished() { emit(record) }
    while let (slot, id) = creationOrder.popFirst() {
      guard slots[Int(slot)].id == id else { continue }
      close(slot, reason: slots[Int(slot)].finalAt != nil ? .finished : .captureEnded)
      emit(popFinished()!)
    }
    deadlines = NearlySortedQueue()
  }

  // MARK: Internals

  private mutating func start(_ key: Key, _ packet: UnsafePointer<PacketSummary>) -> Int32 {
    nextID += 1
    let tx = Open(
      id: nextID, key: key, clientMAC: packet.pointee.clientHardwareAddress, firstSeen: packet.pointee.timestamp,
      lastSeen: packet.pointee.timestamp)
    let slot: Int32
    if let free = freeSlots.popLast() {
      slot = free
      slots[Int(slot)] = tx
    } else {
      slot = Int32(slots.count)
      slots.append(tx)
    }
    slotOf.set(key, slot)
    creationOrder.append((slot, nextID))
    return slot
  }

  private mutating func append(_ entry: SequenceEntry, options: UnsafePointer<IdentityOptions>, toSlot slot: Int32) {
    let deadline = slots[Int(slot)].add(
      entry, options: options, endsExchange: Self.endsExchange(entry), configuration: configuration, chains: &chains)
    guard deadline.after != deadline.before else { return }
    // A later deadline needs no new heap entry: the earlier one, when it comes up, is moved on
    // to the transaction's current deadline (see `advanceClock`). Most packets only postpone.
    if deadline.before == 0 || deadline.after < deadline.before {
      deadlines.insert(Deadline(at: deadline.after, slot: slot, id: slots[Int(slot)].id))
      // Entries of closed transactions wait in the heap until their time comes; under a
      // flood that evicts thousands a second they would pile up, so rebuild from what is open.
      if deadlines.count > 2 * max(slotOf.count, 4096) {
        deadlines = NearlySortedQueue(
          slots.indices.compactMap { i in
            slots[i].id == 0 ? nil : Deadline(at: slots[i].deadline, slot: Int32(i), id: slots[i].id)
          })
      }
    }
  }

  /// Whether this packet is the last the exchange needs: an ACK or NAK, a BOOTP reply, a
  /// leasequery answer, or a RELEASE or DECLINE (which get no reply).
  private static func endsExchange(_ e: SequenceEntry) -> Bool {
    switch e.messageType {
    case MessageType.ack, MessageType.nak, MessageType.release, MessageType.decline: return true
    case nil: return e.op == 2
    case .some(let t): return (11...13).contains(t) || t == 15
    }
  }

  /// Closes a transaction; it joins the finished queue. The slot's arrays move out of it, and
  /// it is marked free (id 0) where it lies: copying the slot, or its arrays, would retain and
  /// release them, each an atomic write to memory last touched long ago.
  private mutating func close(_ slot: Int32, reason: EndReason, evicted: Bool = false) {
    let i = Int(slot)
    var entries = chains.take(&slots[i].entries)
    entries.resolveRelayedLegs()
    var identity = TransactionIdentity()
    swap(&identity, &slots[i].identity)
    var icmpErrors: [ICMPNotice] = []
    swap(&icmpErrors, &slots[i].icmpErrors)
    slots[i].id = 0
    let key = slots[i].key
    slotOf.remove(key)
    freeSlots.append(slot)
    // Drop closed transactions from the front so the queue stays as short as what is open.
    while let (s, id) = creationOrder.first, slots[Int(s)].id != id { creationOrder.removeFirst() }
    finished.append(
      ClosedTransaction(
        xid: key.xid, clientMAC: slots[i].clientMAC, entries: consume entries, identity: consume identity,
        droppedPackets: slots[i].dropped, end: reason,
        wasEvicted: evicted, timeoutSeconds: configuration.timeoutSeconds, observedUntil: latest ?? slots[i].lastSeen,
        captureStart: firstPacketTime, icmpErrors: consume icmpErrors,
        oldestOpenStart: creationOrder.first.map { slots[Int($0.slot)].firstSeen }))
  }

  private mutating func evictOldest() {
    while let (slot, id) = creationOrder.popFirst() {
      guard slots[Int(slot)].id == id else { continue }
      evicted += 1
      return close(
        slot, reason: slots[Int(slot)].finalAt != nil ? .finished : .evicted(limit: configuration.maximumTracked),
        evicted: true)
    }
  }
}

/// The packets of a transaction that has ended, not yet analysed. The correlator hands these
/// on, so the analysis can run on another thread than the correlation (see `analyze`).
public struct ClosedTransaction: Sendable {
  public var xid: UInt32
  public var clientMAC: HardwareAddress
  public var entries: [SequenceEntry]
  public var identity: TransactionIdentity
  public var droppedPackets: Int
  public var end: EndReason
  /// Closed early by the cap on tracked transactions (`Correlator.evicted` counts these).
  public var wasEvicted: Bool
  public var timeoutSeconds: Double
  /// How far the capture (or, live, the clock) had got when it closed: how long an
  /// unanswered request had waited.
  public var observedUntil: Timestamp
  /// The time of the run's first packet (the transaction's own start when unknown).
  public var captureStart: Timestamp
  public var icmpErrors: [ICMPNotice]
  /// When the oldest transaction still open when this one closed began (nil: none was
  /// open): no transaction reported later can have begun before it, unless a packet came
  /// later than the reorder window allows.
  public var oldestOpenStart: Timestamp?

  public init(
    xid: UInt32, clientMAC: HardwareAddress, entries: [SequenceEntry],
    identity: TransactionIdentity = TransactionIdentity(),
    droppedPackets: Int = 0, end: EndReason,
    wasEvicted: Bool = false, timeoutSeconds: Double = 10, observedUntil: Timestamp? = nil,
    captureStart: Timestamp? = nil, icmpErrors: [ICMPNotice] = [], oldestOpenStart: Timestamp? = nil
  ) {
    self.icmpErrors = icmpErrors
    self.oldestOpenStart = oldestOpenStart
    self.xid = xid
    self.clientMAC = clientMAC
    self.entries = entries
    self.identity = identity
    self.droppedPackets = droppedPackets
    self.end = end
    self.wasEvicted = wasEvicted
    self.timeoutSeconds = timeoutSeconds
    self.observedUntil = observedUntil ?? entries.map(\.timestamp).max() ?? Timestamp(seconds: 0, nanoseconds: 0)
    self.captureStart = captureStart ?? entries.map(\.timestamp).min() ?? Timestamp(seconds: 0, nanoseconds: 0)
  }

  /// What a taken transaction leaves in the correlator's queue.
  static let taken = ClosedTransaction(xid: 0, clientMAC: HardwareAddress([]), entries: [], end: .finished)

  /// Its report: kind, outcome, servers, flags, timings.
  public func analyzed() -> TransactionRecord { TransactionAnalysis.analyze(self) }

  /// `analyzed()` of the transaction at `closed`, read field by field where it lies (in a
  /// batch's array): passing the value on would copy it, retaining and releasing its arrays.
  public static func analyzed(at closed: UnsafePointer<ClosedTransaction>) -> TransactionRecord {
    TransactionAnalysis.analyze(closed)
  }
}

/// An ICMP error as it reached a transaction: when, in which frame, and the type of the
/// message it quotes.
public struct ICMPNotice: Sendable, Equatable {
  public var error: ICMPError
  public var timestamp: Timestamp
  public var frame: Int
  public var messageType: UInt8?
}
