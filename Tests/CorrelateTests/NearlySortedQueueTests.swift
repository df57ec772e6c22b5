import Correlate
import Testing

/// The queue against a sort: whatever order deadlines come in, they come out earliest
/// first, equal ones included.
@Suite struct NearlySortedQueueTests {
  struct Deadline: Comparable {
    var at: Int
    var id: Int
    static func < (a: Deadline, b: Deadline) -> Bool { a.at != b.at ? a.at < b.at : a.id < b.id }
  }

  /// Two periods in packet order (the queues' case), with deadlines moved on and packets late
  /// (the heap's), inserts and removals interleaved as the correlator does them.
  @Test func earliestFirstWhateverTheOrderOfInsertion() {
    var generator = SystemRandomNumberGenerator()
    var queue = NearlySortedQueue<Deadline>()
    var reference: [Deadline] = []
    var out: [Deadline] = []
    var expected: [Deadline] = []
    for t in 0..<20_000 {
      let kind = Int.random(in: 0..<10, using: &generator)
      let at =
        switch kind {
        case 0..<5: t + 10_000  // a timeout
        case 5..<8: t + 2_000  // a grace period
        case 8: t + Int.random(in: 0..<30_000, using: &generator)  // a deadline moved on
        default: t - Int.random(in: 0..<3_000, using: &generator)  // a late packet
        }
      let d = Deadline(at: at, id: t % 97)
      queue.insert(d)
      reference.append(d)
      #expect(queue.count == reference.count)
      // The clock passes the earliest deadlines now and then.
      if t % 7 == 0 {
        reference.sort()
        while let first = reference.first, first.at <= t {
          expected.append(reference.removeFirst())
          out.append(queue.min!)
          queue.removeMin()
        }
      }
    }
    expected += reference.sorted()
    while let earliest = queue.min {
      out.append(earliest)
      queue.removeMin()
    }
    #expect(out == expected)
    #expect(queue.count == 0)
  }

  /// Built from a list in any order, it hands them back sorted.
  @Test func builtFromAList() {
    let list = (0..<1_000).map { Deadline(at: ($0 * 7919) % 1_000, id: $0) }
    var queue = NearlySortedQueue(list)
    var out: [Deadline] = []
    while let earliest = queue.min {
      out.append(earliest)
      queue.removeMin()
    }
    #expect(out == list.sorted())
  }
}
