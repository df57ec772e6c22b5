/// A packet time, as the capture recorded it: seconds and nanoseconds since the epoch.
/// Correlation runs on these, never on the wall clock.
public struct Timestamp: Hashable, Comparable, Sendable {
  public var seconds: Int64
  public var nanoseconds: Int32

  public init(seconds: Int64, nanoseconds: Int32) {
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  public init(totalNanoseconds: Int64) {
    seconds = totalNanoseconds / 1_000_000_000
    nanoseconds = Int32(totalNanoseconds % 1_000_000_000)
  }

  public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ Int64(nanoseconds) }

  public static func < (a: Timestamp, b: Timestamp) -> Bool {
    a.seconds != b.seconds ? a.seconds < b.seconds : a.nanoseconds < b.nanoseconds
  }

  /// Milliseconds from `earlier` to self.
  public func milliseconds(since earlier: Timestamp) -> Double {
    Double(totalNanoseconds &- earlier.totalNanoseconds) / 1e6
  }

  public func adding(seconds s: Double) -> Timestamp {
    Timestamp(totalNanoseconds: totalNanoseconds &+ Int64(s * 1e9))
  }
}
