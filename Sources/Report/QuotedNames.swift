import Correlate
import Dissect

/// Output rendered once (JSON strings, the start of an option's JSON object, the start of
/// its text line), back to back in one array: writing one is then a copy. One flat array
/// rather than an array of arrays: fetching an inner array retained and released it on every
/// write.
struct RenderedTable: Sendable {
  private let bytes: [UInt8]
  /// Where each entry ends in `bytes`; it starts where the one before ends.
  private let ends: [Int]

  /// Each string as a JSON string.
  init(_ strings: [String]) { self.init(rendered: strings.map(ReportWriter.quoted)) }

  init(rendered entries: [[UInt8]]) {
    bytes = entries.flatMap { $0 }
    var end = 0
    ends = entries.map {
      end += $0.count
      return end
    }
  }

  var isEmpty: Bool { ends.isEmpty }

  /// Entry `index`; an index out of range reads the last entry.
  func withBytes<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    let i = index >= 0 && index < ends.count ? index : ends.count - 1
    let start = i == 0 ? 0 : ends[i - 1]
    return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
  }

  // The writer comes in as an argument rather than being captured by the caller's closure:
  // a closure that captured a writer stored next to the table had the table's arrays
  // retained and released around every write.

  /// Writes string `index` as a JSON value.
  func write(_ index: Int, into w: inout ReportWriter) { withBytes(index) { w.rawValue($0) } }

  /// Writes entry `index`, object members ending with a key, into the open object.
  func writeMembers(_ index: Int, into w: inout ReportWriter) {
    withBytes(index) { w.rawMembers($0, endingWithKey: true) }
  }

  /// Writes entry `index` as it is.
  func writeRaw(_ index: Int, into w: inout ReportWriter) { withBytes(index) { w.out.append($0) } }
}

/// The strings records repeat again and again: file paths, message types, legs.
struct QuotedNames {
  /// Each input's path, then "-" for a packet of no known file.
  private let paths: RenderedTable
  /// By type code; BOOTP (no option 53) last.
  private let messageTypes = RenderedTable((0...256).map { MessageType.name($0 < 256 ? UInt8($0) : nil) })
  /// In `Leg.allCases` order.
  private let legs = RenderedTable(Leg.allCases.map(\.rawValue))

  init(_ files: InputFiles) {
    paths = RenderedTable(files.paths + ["-"])
  }

  func writePath(ofFile index: Int, into w: inout ReportWriter) { paths.write(index, into: &w) }

  func writeMessageType(_ type: UInt8?, into w: inout ReportWriter) {
    messageTypes.write(type.map(Int.init) ?? 256, into: &w)
  }

  func write(_ leg: Leg, into w: inout ReportWriter) { legs.write(Self.index(of: leg), into: &w) }

  private static func index(of leg: Leg) -> Int {
    switch leg {
    case .clientRelay: 0
    case .relayServer: 1
    case .serverRelay: 2
    case .relayClient: 3
    case .clientServer: 4
    case .serverClient: 5
    case .relayRelay: 6
    }
  }

  /// The rendered path of file `fileIndex`, name of message `type` and name of `leg`.
  func withNames<Result>(
    file fileIndex: Int, type: UInt8?, leg: Leg,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Result
  ) -> Result {
    paths.withBytes(fileIndex) { path in
      messageTypes.withBytes(type.map(Int.init) ?? 256) { type in
        legs.withBytes(Self.index(of: leg)) { body(path, type, $0) }
      }
    }
  }
}
