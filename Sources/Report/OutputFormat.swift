/// The report formats every command offers.
public enum OutputFormat: String, CaseIterable, Sendable {
  case text, json, jsonl, csv
  /// `analyze` only: one self-contained page, and Mermaid diagrams.
  case html, mermaid

  /// Whether `decode` and `sniff` can write it (the page and the diagrams show transactions).
  public var isForPackets: Bool { self != .html && self != .mermaid }
}

/// How the text format shows what it shows.
public struct TextStyle: Sendable {
  /// Times in UTC (`--utc`) rather than local time with its offset.
  public var utc: Bool
  /// Columns the text fits: 100 by default; from 80 (the narrow layout) up.
  public var columns: Int
  /// Plain ASCII instead of box-drawing characters (`--ascii`, or a locale that is not UTF-8).
  public var ascii: Bool
  /// ANSI colour: problems red, notes dim (a terminal without `NO_COLOR`, or `--color always`).
  public var color: Bool

  public init(utc: Bool = false, columns: Int = 100, ascii: Bool = false, color: Bool = false) {
    self.utc = utc
    self.columns = max(80, columns)
    self.ascii = ascii
    self.color = color
  }
}

/// Where a report goes: it receives chunks of UTF-8 as they are ready, so reports stream.
public protocol ReportSink: AnyObject {
  func write(_ bytes: UnsafeRawBufferPointer)
  /// Writes what `w` holds and empties it.
  func drain(_ w: inout ReportWriter)
}

extension ReportSink {
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
  }

  public func drain(_ w: inout ReportWriter) { copyOut(&w) }

  /// Copies what `w` holds and empties it, keeping the writer's memory for the next records.
  public func copyOut(_ w: inout ReportWriter) {
    guard !w.out.isEmpty else { return }
    w.out.withUnsafeBytes { write($0) }
    w.out.removeAll()
  }
}

/// Names of the input files, by index, and how precisely their times are printed.
public struct InputFiles: Sendable {
  public var paths: [String]
  public var nanosecondPrecision: [Bool]
  /// Capture point names (`FILE@NAME`), by index; nil where none was given.
  public var points: [String?]
  public init(paths: [String], nanosecondPrecision: [Bool], points: [String?] = []) {
    self.paths = paths
    self.nanosecondPrecision = nanosecondPrecision
    self.points = points
  }
  /// The capture point's name, if one was given.
  public func point(_ index: Int) -> String? { index < points.count ? points[index] : nil }
  public func path(_ index: Int) -> String { index < paths.count ? paths[index] : "-" }
  public func isNano(_ index: Int) -> Bool { index < nanosecondPrecision.count && nanosecondPrecision[index] }
}
