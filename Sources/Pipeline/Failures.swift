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

/// Reports to stderr after flushing what the report wrote to stdout so far, so on a terminal
/// an error stands after the records read before it.
public func printError(_ message: String) {
  FileSink.standardOutput?.flush()
  fflush(stdout)
  fputs("dhcpscope: \(message)\n", stderr)
}
