/// The report formats every command offers.
public enum OutputFormat: String, CaseIterable, Sendable {
  case text, json, jsonl, csv
}

/// Where a report goes: it receives chunks of UTF-8 as they are ready, so reports stream.
public protocol ReportSink: AnyObject {
  func write(_ bytes: [UInt8])
}

extension ReportSink {
  public func write(_ text: String) { write(Array(text.utf8)) }
}

/// Names of the input files, by index, and how precisely their times are printed.
public struct InputFiles: Sendable {
  public var paths: [String]
  public var nanosecondPrecision: [Bool]
  public init(paths: [String], nanosecondPrecision: [Bool]) {
    self.paths = paths
    self.nanosecondPrecision = nanosecondPrecision
  }
  public func path(_ index: Int) -> String { index < paths.count ? paths[index] : "-" }
  public func isNano(_ index: Int) -> Bool { index < nanosecondPrecision.count && nanosecondPrecision[index] }
}
