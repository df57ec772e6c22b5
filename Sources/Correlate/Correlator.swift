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
public struct Correlator {
  struct Key: Hashable {
    var xid: UInt32
    var client: UInt64
  }

  struct Open {
    var id: Int
    var xid: UInt32
    var clientMAC: HardwareAddress
    var entries: [SequenceEntry] = []
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    /// When the reply (or message) that ends the exchange was seen.
    var finalAt: Timestamp?
    var deadline: Int64 = 0
  }

  struct Deadline: Comparable {
    var at: Int64
    var key: Key
    var id: Int
    static func < (a: Deadline, b: Deadline) -> Bool { a.at < b.at }
  }

  public let configuration: CorrelatorConfiguration
  private var open: [Key: Open] = [:]
  private var deadlines = Heap<Deadline>()
  private var creationOrder = Deque<(Key, Int)>()
  private var nextID = 0
  public private(set) var latest: Timestamp?
  /// Transactions closed early because the cap was reached.
  public private(set) var evicted = 0

  public init(configuration: CorrelatorConfiguration = CorrelatorConfiguration()) {
    self.configuration = configuration
  }

  public var openCount: Int { open.count }

  /// Adds a packet (in time order) and returns the transactions that ended by then.
  public mutating func add(_ packet: DHCPPacket) -> [TransactionRecord] {
    var finished = advance(to: packet.timestamp)
    let m = packet.message
    let key = Key(xid: m.xid, client: m.clientKey)
    var entry = SequenceEntry(packet)

    if var tx = open[key] {
      if tx.entries.contains(where: { $0.isSamePacket(as: entry) }) {
        entry.isDuplicate = true
      } else if m.isRequest, tx.finalAt != nil, m.messageType != MessageType.decline {
        // The client has started a new exchange with the same xid: close the old one.
        finished.append(close(key, reason: .finished))
        tx = start(key, packet)
      }
      append(entry, to: &tx, key: key)
    } else {
      if open.count >= configuration.maximumTracked { finished.append(contentsOf: evictOldest()) }
      var tx = start(key, packet)
      append(entry, to: &tx, key: key)
    }
    return finished
  }

  /// Closes what timed out by `time` (packet time; in live capture, the clock while idle).
  public mutating func advance(to time: Timestamp) -> [TransactionRecord] {
    if latest == nil || time > latest! { latest = time }
    var finished: [TransactionRecord] = []
    let now = time.totalNanoseconds
    while let top = deadlines.min, top.at <= now {
      deadlines.removeMin()
      guard let tx = open[top.key], tx.id == top.id, tx.deadline == top.at else { continue }
      finished.append(close(top.key, reason: tx.finalAt != nil ? .finished : .timedOut))
    }
    return finished
  }

  /// Ends the run: every open transaction is closed (finished ones with their outcome, the
  /// rest as incomplete), oldest first.
  public mutating func finish() -> [TransactionRecord] {
    var finished: [TransactionRecord] = []
    while let (key, id) = creationOrder.popFirst() {
      guard let tx = open[key], tx.id == id else { continue }
      finished.append(close(key, reason: tx.finalAt != nil ? .finished : .captureEnded))
    }
    deadlines = Heap()
    return finished
  }

  // MARK: Internals

  private mutating func start(_ key: Key, _ packet: DHCPPacket) -> Open {
    nextID += 1
    var tx = Open(
      id: nextID, xid: key.xid, clientMAC: packet.message.clientHardwareAddress,
      firstSeen: packet.timestamp, lastSeen: packet.timestamp)
    tx.entries.reserveCapacity(8)
    open[key] = tx
    creationOrder.append((key, nextID))
    return tx
  }

  private mutating func append(_ entry: SequenceEntry, to tx: inout Open, key: Key) {
    tx.entries.append(entry)
    if entry.timestamp > tx.lastSeen { tx.lastSeen = entry.timestamp }
    if tx.finalAt == nil, !entry.isDuplicate, endsExchange(entry) { tx.finalAt = entry.timestamp }
    let base: Int64
    if let f = tx.finalAt {
      base = f.totalNanoseconds &+ Int64(configuration.graceSeconds * 1e9)
    } else {
      base = tx.lastSeen.totalNanoseconds &+ Int64(configuration.timeoutSeconds * 1e9)
    }
    let deadline = min(base, tx.firstSeen.totalNanoseconds &+ Int64(configuration.maximumAgeSeconds * 1e9))
    if deadline != tx.deadline {
      tx.deadline = deadline
      deadlines.insert(Deadline(at: deadline, key: key, id: tx.id))
    }
    open[key] = tx
  }

  /// Whether this packet is the last the exchange needs: an ACK or NAK, a BOOTP reply, a
  /// leasequery answer, or a RELEASE or DECLINE (which get no reply).
  private func endsExchange(_ e: SequenceEntry) -> Bool {
    switch e.messageType {
    case MessageType.ack, MessageType.nak, MessageType.release, MessageType.decline: return true
    case nil: return e.op == 2
    case .some(let t): return (11...13).contains(t) || t == 15
    }
  }

  private mutating func close(_ key: Key, reason: EndReason) -> TransactionRecord {
    let tx = open.removeValue(forKey: key)!
    // Drop closed transactions from the front so the queue stays as short as what is open.
    while let (k, id) = creationOrder.first, open[k]?.id != id { creationOrder.removeFirst() }
    _ = tx.id
    return TransactionAnalysis.analyze(
      xid: tx.xid, clientMAC: tx.clientMAC, entries: tx.entries, end: reason,
      timeoutSeconds: configuration.timeoutSeconds)
  }

  private mutating func evictOldest() -> [TransactionRecord] {
    while let (key, id) = creationOrder.popFirst() {
      guard let tx = open[key], tx.id == id else { continue }
      evicted += 1
      return [close(key, reason: tx.finalAt != nil ? .finished : .evicted(limit: configuration.maximumTracked))]
    }
    return []
  }
}
