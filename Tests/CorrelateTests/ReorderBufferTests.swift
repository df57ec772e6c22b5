import Correlate
import Dissect
import Testing

@Suite struct ReorderBufferTests {
  static func time(_ milliseconds: Int) -> Timestamp { Timestamp(totalNanoseconds: Int64(milliseconds) * 1_000_000) }

  /// Pushes `times` (milliseconds) in order, releasing as it goes, then drains: the arrival
  /// numbers in the order they came out. Every other element is written in place, over
  /// whatever its slot held before.
  static func released(_ times: [Int], window: Double, maximumHeld: Int = 65_536) -> [Int] {
    var buffer = ReorderBuffer<Int>(windowSeconds: window, maximumHeld: maximumHeld, blank: -1)
    var out: [Int] = []
    for (arrival, t) in times.enumerated() {
      if arrival % 2 == 0 {
        buffer.push(arrival, at: time(t))
      } else {
        let pushed = buffer.push { slot in
          slot = arrival
          return time(t)
        }
        #expect(pushed == time(t))
      }
      buffer.releaseReady { out.append($0.pointee) }
      #expect(buffer.count <= maximumHeld)
    }
    while let arrival = buffer.popFirst() { out.append(arrival) }
    return out
  }

  /// Late packets within the window come out in time order, ties in arrival order, through
  /// the ring's growth and wrap-around (thousands held, released from the front as they go).
  @Test func lateWithinTheWindowComeOutInTimeOrder() {
    var times: [Int] = []
    for i in 0..<20_000 {
      // Every seventh packet is late by up to 1.5 s; every eleventh ties with the one before.
      times.append(i % 7 == 3 ? max(0, i - (i * 31) % 1500) : i % 11 == 5 ? i - 1 : i)
    }
    let out = Self.released(times, window: 2)
    let expected = times.indices.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
    #expect(out == expected)
  }

  /// The bound releases the oldest even when the window would keep them.
  @Test func theBoundReleasesTheOldest() {
    let out = Self.released(Array(0..<5_000), window: 1_000, maximumHeld: 100)
    #expect(out == Array(0..<5_000))
  }

  /// A write in place that adds nothing leaves the buffer as it was.
  @Test func aWriteThatAddsNothingLeavesNoElement() {
    var buffer = ReorderBuffer<Int>(windowSeconds: 10, blank: -1)
    buffer.push(1, at: Self.time(5))
    let pushed = buffer.push { slot in
      slot = 2
      return nil
    }
    #expect(pushed == nil)
    #expect(buffer.count == 1)
    #expect(buffer.popFirst() == 1)
    #expect(buffer.popFirst() == nil)
  }

  /// A copy is a value of its own: what one holds does not change the other.
  @Test func copiesAreIndependent() {
    var a = ReorderBuffer<Int>(windowSeconds: 10, blank: -1)
    for i in 0..<3 { a.push(i, at: Self.time(i)) }
    var b = a
    b.push(99, at: Self.time(0))
    #expect(a.popFirst() == 0)
    #expect(b.popFirst() == 0)
    #expect(b.popFirst() == 99)
    #expect(a.count == 2)
    #expect(b.count == 2)
  }
}
