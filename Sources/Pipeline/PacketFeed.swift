import Correlate
import Dissect
import Report

/// What a feed's batch holds: an array (analyze's closed transactions) or decode's
/// `LocatedPackets`.
protocol FeedItems: Sendable {
  init(reservingCapacity: Int)
  var count: Int { get }
}

extension Array: FeedItems {
  init(reservingCapacity count: Int) {
    self.init()
    reserveCapacity(count)
  }
}

extension LocatedPackets: FeedItems {}

/// analyze's and sniff's batch: closed DHCPv4 transactions (analysed where they are read, by
/// the consumer) and analysed DHCPv6 ones.
struct ClosedBatch: FeedItems {
  var dhcpv4: [ClosedTransaction] = []
  /// `dhcpv4` analysed when the reading thread did it (see `PacketFeed.Output.prepare`), last
  /// first, so the consumer moves each out with `popLast` (taking one out of the front, or
  /// reading it where it lies, copies it and retains its arrays); empty when the consumer is
  /// to analyse them.
  var analyzed: [TransactionRecord] = []
  var dhcpv6: [ClosedDHCPv6] = []
  init(reservingCapacity count: Int) { dhcpv4.reserveCapacity(count) }
  var count: Int { dhcpv4.count + dhcpv6.count }

  mutating func analyze() {
    analyzed = dhcpv4.withUnsafeBufferPointer { closed in
      closed.indices.reversed().map { ClosedTransaction.analyzed(at: closed.baseAddress! + $0) }
    }
  }
}

/// A DHCPv6 transaction as it closed: its record, the packet clock then, and when the oldest
/// transaction still open (of either family) began, for the start order.
struct ClosedDHCPv6: Sendable {
  var record: DHCPv6TransactionRecord
  var observedUntil: Timestamp
  var oldestOpenStart: Timestamp?
}

/// Reads the input files on a background thread and hands what it makes of them over in
/// batches, so libpcap and the dissector (and, for analyze, the correlator) run on the second
/// core while this one formats. Messages about damaged files travel in the same stream and are
/// printed in order.
final class PacketFeed<Items: FeedItems> {
  enum Batch: ~Copyable, Sendable {
    case items(Items)
    /// Items the reading thread formatted itself (see `Output.render`).
    case rendered(OutputBuffer, count: Int)
    case damaged(String)
    /// The last batch: what each reader counted.
    case finished([ReadCounts])
  }

  /// The reading thread's side: collects items into batches. A value the reading thread
  /// owns and passes `inout`, so every access to it is checked when compiled.
  struct Output {
    fileprivate let queue: BoundedQueue<Batch>
    fileprivate let spent: BoundedQueue<Items>
    /// The batch being filled: add to it directly, then call `sendIfFull`.
    var items = Items(reservingCapacity: PacketFeed.batchSize)
    private var sent = 0
    /// With this set, a batch the consumer has no room for yet is formatted here instead
    /// (given the items and how many were sent before them), so the reading thread takes on
    /// formatting whenever it would otherwise wait: the two cores share the work as it comes.
    var render: ((Items, Int) -> OutputBuffer)?
    /// With this set, a batch the consumer has no room for yet is worked on here before it
    /// waits its turn (analyze: its transactions analysed), the same sharing as `render`
    /// for work whose output the consumer still orders.
    var prepare: ((inout Items) -> Void)?
    /// Does this thread's share (`render` or `prepare`) for every batch, not only when the
    /// consumer is behind: for the tests that check both threads give the same output.
    var shareEveryBatch = false

    fileprivate init(_ queue: BoundedQueue<Batch>, spent: BoundedQueue<Items>) {
      self.queue = queue
      self.spent = spent
    }

    mutating func add<Item>(_ item: consuming Item) where Items == [Item] {
      items.append(item)
      sendIfFull()
    }

    mutating func add(_ closed: consuming ClosedTransaction) where Items == ClosedBatch {
      items.dhcpv4.append(closed)
      sendIfFull()
    }

    mutating func add(_ closed: ClosedDHCPv6) where Items == ClosedBatch {
      items.dhcpv6.append(closed)
      sendIfFull()
    }

    mutating func sendIfFull() {
      if items.count >= PacketFeed.batchSize { send() }
    }

    /// Everything added so far goes first, then the message.
    mutating func damaged(_ message: String) {
      send()
      queue.put(.damaged(message))
    }

    fileprivate mutating func send() {
      guard items.count > 0 else { return }
      let count = items.count
      if let render {
        if shareEveryBatch || !queue.tryPut(.items(items)) {
          queue.put(.rendered(render(items, sent), count: count))
        }
      } else if let prepare {
        if shareEveryBatch || !queue.tryPut(.items(items)) {
          prepare(&items)
          queue.put(.items(items))
        }
      } else {
        queue.put(.items(items))
      }
      sent += count
      items = Items(reservingCapacity: PacketFeed.batchSize)
      // What the consumer is done with is freed here, where most of it was allocated.
      while spent.tryTake() != nil {}
    }
  }

  /// Small enough that the thread left alone at either end has little to do: at the start the
  /// consumer waits for the first batch, and at the end it works through the queued ones while
  /// the reading thread has finished (1024 left each alone for over 10 ms of a 350 ms run).
  static var batchSize: Int { 256 }
  private let queue = BoundedQueue<Batch>(capacity: 4)
  /// Items the consumer is done with, on their way back to the reading thread to be freed:
  /// glibc frees a block that another thread allocated under that thread's arena lock, and the
  /// two threads then wait on each other in malloc and free.
  private let spent = BoundedQueue<Items>(capacity: 8)
  private var thread: BackgroundThread?

  /// `produce` runs on the background thread: it reads from the readers and adds items.
  init(
    _ readers: sending [PacketReader], produce: sending @escaping (inout [PacketReader], inout Output) -> Void
  ) {
    let (queue, spent) = (queue, spent)
    thread = BackgroundThread {
      var readers = readers
      var output = Output(queue, spent: spent)
      produce(&readers, &output)
      output.send()
      queue.put(.finished(readers.map(\.counts)))
      queue.close()
    }
  }

  /// The next batch; nil after `.finished`.
  func next() -> Batch? { queue.take() }

  /// Hands items the consumer is done with back to the reading thread, which frees them
  /// (here when it has not taken back the ones before).
  func giveBack(_ items: consuming Items) { _ = spent.tryPut(items) }

  deinit { thread?.join() }
}

/// Reads every packet of `readers`, handing each to `packet`. Merged by time, files are read
/// together, always taking the earliest next packet (equal times from the earlier file: the
/// `Timestamped` order); otherwise one after the other (decode). A damaged file's message goes
/// to `damaged`, and reading goes on with the next file.
public func readPackets<Packet>(
  from readers: inout [PacketReader], read: (inout PacketReader) throws -> Packet?,
  packet: (Packet) -> Void, damaged: (String) -> Void
) {
  for i in readers.indices {
    while let p = next(of: &readers, i, read: read, damaged: damaged) { packet(p) }
  }
}

public func readPackets<Packet: Timestamped>(
  from readers: inout [PacketReader], read: (inout PacketReader) throws -> Packet?,
  mergedByTime: Bool, packet: (Packet) -> Void, damaged: (String) -> Void
) {
  guard mergedByTime, readers.count > 1 else {
    return readPackets(from: &readers, read: read, packet: packet, damaged: damaged)
  }
  var heads = readers.indices.map { next(of: &readers, $0, read: read, damaged: damaged) }
  while true {
    var best: Int? = nil
    for i in heads.indices {
      guard let p = heads[i] else { continue }
      if best == nil || p.timestamp < heads[best!]!.timestamp { best = i }
    }
    guard let b = best else { break }
    packet(heads[b]!)
    heads[b] = next(of: &readers, b, read: read, damaged: damaged)
  }
}

private func next<Packet>(
  of readers: inout [PacketReader], _ i: Int, read: (inout PacketReader) throws -> Packet?,
  damaged: (String) -> Void
) -> Packet? {
  do {
    return try read(&readers[i])
  } catch {
    damaged("\(error)")
    return nil
  }
}
