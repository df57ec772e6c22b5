import Correlate
import Dissect

/// Strings that records repeat again and again (file paths, message types, legs), rendered as
/// JSON strings once: writing one is then a copy, not an escape check.
enum QuotedNames {
  /// Each input's path, then "-" for a packet of no known file.
  static func paths(_ files: InputFiles) -> [[UInt8]] {
    files.paths.map(JSONWriter.quoted) + [JSONWriter.quoted("-")]
  }

  static func write(_ index: Int, from table: [[UInt8]], into w: inout JSONWriter) {
    let i = index >= 0 && index < table.count ? index : table.count - 1
    table[i].withUnsafeBytes { w.rawValue($0) }
  }

  /// By type code; BOOTP (no option 53) last.
  private static let messageTypes: [[UInt8]] =
    (0...255).map { JSONWriter.quoted(MessageType.name(UInt8($0))) } + [JSONWriter.quoted(MessageType.name(nil))]

  static func writeMessageType(_ type: UInt8?, into w: inout JSONWriter) {
    write(type.map(Int.init) ?? 256, from: messageTypes, into: &w)
  }

  private static let legs = Leg.allCases.map { ($0, JSONWriter.quoted($0.rawValue)) }

  static func write(_ leg: Leg, into w: inout JSONWriter) {
    for (candidate, quoted) in legs where candidate == leg {
      return quoted.withUnsafeBytes { w.rawValue($0) }
    }
  }
}
