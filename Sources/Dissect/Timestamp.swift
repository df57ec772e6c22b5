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

/// Something with a capture time. Everything dhcpscope puts in time order follows one rule:
/// earlier time first, and equal times in the order they arrived (file order, then frame
/// order). The file merge, the reorder window and a transaction's packets all keep it.
public protocol Timestamped {
  var timestamp: Timestamp { get }
}

extension Array where Element: Timestamped {
  /// In time order, equal times in the order given (a stable sort); as given when already
  /// in order, which is nearly always. Inlinable, so callers in other modules get it
  /// specialised: the generic version costs more than the rest of a transaction's analysis.
  @inlinable public func inTimeOrder() -> [Element] {
    var sorted = true
    var i = 1
    while i < count {
      if self[i].timestamp < self[i - 1].timestamp {
        sorted = false
        break
      }
      i += 1
    }
    if sorted { return self }
    return enumerated().sorted {
      $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
    }.map(\.element)
  }
}

extension PacketSummary: Timestamped {}
extension DHCPPacket: Timestamped {
  public var timestamp: Timestamp { origin.timestamp }
}
