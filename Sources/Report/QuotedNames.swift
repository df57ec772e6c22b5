import Correlate
import Dissect

/// Strings rendered once as JSON strings, back to back in one array: writing one is then a
/// copy, not an escape check. One flat array, held by the report, rather than an array of
/// arrays in a global: fetching an inner array retained and released it on every write.
struct QuotedTable {
  private let bytes: [UInt8]
  /// Where each string ends in `bytes`; it starts where the one before ends.
  private let ends: [Int]

  init(_ strings: [String]) {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for s in strings {
      bytes += JSONWriter.quoted(s)
      ends.append(bytes.count)
    }
    self.bytes = bytes
    self.ends = ends
  }

  /// Writes string `index`; an index out of range writes the last string.
  func write(_ index: Int, into w: inout JSONWriter) {
    let i = index >= 0 && index < ends.count ? index : ends.count - 1
    let start = i == 0 ? 0 : ends[i - 1]
    bytes.withUnsafeBytes { w.rawValue(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
  }
}

/// The strings records repeat again and again: file paths, message types, legs.
struct QuotedNames {
  /// Each input's path, then "-" for a packet of no known file.
  private let paths: QuotedTable
  /// By type code; BOOTP (no option 53) last.
  private let messageTypes = QuotedTable((0...256).map { MessageType.name($0 < 256 ? UInt8($0) : nil) })
  /// In `Leg.allCases` order.
  private let legs = QuotedTable(Leg.allCases.map(\.rawValue))

  init(_ files: InputFiles) {
    paths = QuotedTable(files.paths + ["-"])
  }

  func writePath(ofFile index: Int, into w: inout JSONWriter) { paths.write(index, into: &w) }

  func writeMessageType(_ type: UInt8?, into w: inout JSONWriter) {
    messageTypes.write(type.map(Int.init) ?? 256, into: &w)
  }

  func write(_ leg: Leg, into w: inout JSONWriter) {
    let index: Int
    switch leg {
    case .clientRelay: index = 0
    case .relayServer: index = 1
    case .serverRelay: index = 2
    case .relayClient: index = 3
    case .clientServer: index = 4
    case .serverClient: index = 5
    }
    legs.write(index, into: &w)
  }
}
