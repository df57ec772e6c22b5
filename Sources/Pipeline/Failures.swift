import Glibc

/// Thrown after the report is written and the error message printed, to end with exit 1.
public struct InputFailure: Error {
  public var code: Int32 = 1
  public init() {}
}

/// Thrown after a usage problem found while running (a filter libpcap cannot compile): exit 2.
public struct UsageFailure: Error {
  public var code: Int32 = 2
  public init() {}
}

/// Reports to stderr. Whoever holds a report's sink flushes it first, so on a terminal an
/// error stands after the records read before it.
public func printError(_ message: String) {
  fflush(nil)
  writeStandardError("dhcpscope: \(message)\n")
}

/// Writes to standard error with write(2): C's `stderr` is a global Swift 6 cannot prove
/// safe to share between threads.
public func writeStandardError(_ text: String) {
  var text = text
  _ = text.withUTF8 { FileSink.writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}
