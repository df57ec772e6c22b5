import Dissect

/// Reads the input files on a background thread and hands their packets over in batches, so
/// libpcap and the dissector run on the second core while this one correlates and formats.
/// Messages about damaged files travel in the same stream and are printed in order.
final class PacketFeed<Packet> {
  enum Batch {
    case packets([Packet])
    case damaged(String)
    /// The last batch: the readers, with what they counted.
    case finished([PacketReader])
  }

  static var batchSize: Int { 4096 }
  private let queue = BoundedQueue<Batch>(capacity: 4)
  private var thread: BackgroundThread?

  /// `read` takes the next packet from a reader. With `time`, files are merged by it (analyze);
  /// without, they are read one after the other (decode).
  init(
    _ readers: [PacketReader], read: @escaping (inout PacketReader) throws -> Packet?,
    time: ((Packet) -> Timestamp)? = nil
  ) {
    let queue = queue
    thread = BackgroundThread {
      var readers = readers
      var batch: [Packet] = []
      batch.reserveCapacity(Self.batchSize)
      func send() {
        guard !batch.isEmpty else { return }
        queue.put(.packets(batch))
        batch = []
        batch.reserveCapacity(Self.batchSize)
      }
      func next(_ i: Int) -> Packet? {
        do {
          return try read(&readers[i])
        } catch {
          send()
          queue.put(.damaged("\(error)"))
          return nil
        }
      }
      func add(_ packet: Packet) {
        batch.append(packet)
        if batch.count == Self.batchSize { send() }
      }
      if let time {
        // Always take the earliest next packet of any file.
        var heads = readers.indices.map(next)
        while true {
          var best: Int? = nil
          for i in heads.indices {
            guard let p = heads[i] else { continue }
            if best == nil || time(p) < time(heads[best!]!) { best = i }
          }
          guard let b = best else { break }
          add(heads[b]!)
          heads[b] = next(b)
        }
      } else {
        for i in readers.indices {
          while let p = next(i) { add(p) }
        }
      }
      send()
      queue.put(.finished(readers))
      queue.close()
    }
  }

  /// The next batch; nil after `.finished`.
  func next() -> Batch? { queue.take() }

  deinit { thread?.join() }
}
