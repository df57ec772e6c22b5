import Correlate
import Dissect
import Testing

@Suite struct DistinctCountTests {
  static func mac(_ n: Int) -> HardwareAddress {
    HardwareAddress((0..<6).map { UInt8(truncatingIfNeeded: n >> (8 * (5 - $0))) })
  }

  @Test func exactUpToTheLimit() {
    var count = DistinctCount()
    for n in 0..<DistinctCount.exactLimit { count.insert(Self.mac(n)) }
    for n in 0..<1000 { count.insert(Self.mac(n)) }  // repeats add nothing
    #expect(count.count == DistinctCount.exactLimit)
    #expect(!count.isEstimate)
    count.insert(Self.mac(DistinctCount.exactLimit))
    #expect(count.isEstimate)
    #expect(count.count > DistinctCount.exactLimit)
  }

  /// Beyond the limit the count is estimated: close, unmoved by repeats, the same every run.
  @Test func estimateBeyondTheLimit() {
    let distinct = 300_000
    var once = DistinctCount()
    var twice = DistinctCount()
    for n in 0..<distinct {
      once.insert(Self.mac(n &* 7919))
      twice.insert(Self.mac(n &* 7919))
      twice.insert(Self.mac(n &* 7919))
    }
    #expect(once.isEstimate)
    #expect(abs(Double(once.count - distinct)) / Double(distinct) < 0.03, "estimated \(once.count)")
    #expect(twice.count == once.count)
  }
}
