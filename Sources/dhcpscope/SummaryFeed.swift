import Dissect

/// Reads the input files on a background thread and hands their packets to the correlator in
/// batches, merged across files by time. Messages about damaged files travel in the same
/// stream, so they are printed in order with the report.
final class SummaryFeed {
  enum Batch {
    case packets([PacketSummary])
    case damaged(String)
    /// The last batch: the readers, with what they counted.
    case finished([PacketReader])
  }

  static let batchSize = 4096
  private let queue = BoundedQueue<Batch>(capacity: 4)
  private var thread: BackgroundThread?

  init(_ readers: [PacketReader]) {
    let queue = queue
    thread = BackgroundThread {
      var readers = readers
      var batch: [PacketSummary] = []
      batch.reserveCapacity(Self.batchSize)
      func next(_ i: Int) -> PacketSummary? {
        do {
          return try readers[i].nextSummary()
        } catch {
          if !batch.isEmpty { queue.put(.packets(batch)) }
          batch = []
          queue.put(.damaged("\(error)"))
          return nil
        }
      }
      // Merge the files by time: always take the earliest next packet of any file.
      var heads = readers.indices.map(next)
      while true {
        var best: Int? = nil
        for i in heads.indices {
          guard let p = heads[i] else { continue }
          if best == nil || p.timestamp < heads[best!]!.timestamp { best = i }
        }
        guard let b = best else { break }
        batch.append(heads[b]!)
        if batch.count == Self.batchSize {
          queue.put(.packets(batch))
          batch = []
          batch.reserveCapacity(Self.batchSize)
        }
        heads[b] = next(b)
      }
      if !batch.isEmpty { queue.put(.packets(batch)) }
      queue.put(.finished(readers))
      queue.close()
    }
  }

  /// The next batch; nil after `.finished`.
  func next() -> Batch? { queue.take() }

  deinit { thread?.join() }
}
