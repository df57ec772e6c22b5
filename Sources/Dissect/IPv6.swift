/// An IPv6 address held as two 64-bit halves, network order.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let high: UInt64
  public let low: UInt64

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// The 16 bytes at `offset` of `bytes`; the caller checked bounds.
  public init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
    high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
  }

  /// The 16 bytes at `start` of `bytes`, or nil when fewer remain.
  public init?(_ bytes: ArraySlice<UInt8>, at start: Int) {
    guard start >= bytes.startIndex, start + 16 <= bytes.endIndex else { return nil }
    var h: UInt64 = 0
    var l: UInt64 = 0
    for i in 0..<8 { h = h << 8 | UInt64(bytes[start + i]) }
    for i in 8..<16 { l = l << 8 | UInt64(bytes[start + i]) }
    high = h
    low = l
  }

  /// RFC 4291 text: eight groups of hex, one run of zero groups written "::".
  public init?(_ text: String) {
    let halves = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard halves.count >= 3 || !text.contains("::") else { return nil }
    var groups: [UInt16] = []
    if let gap = text.firstRange(of: "::") {
      let before = text[..<gap.lowerBound].split(separator: ":").map(String.init)
      let after = text[gap.upperBound...].split(separator: ":").map(String.init)
      guard before.count + after.count <= 7, !text[gap.upperBound...].contains("::") else { return nil }
      let head = before.compactMap { UInt16($0, radix: 16) }
      let tail = after.compactMap { UInt16($0, radix: 16) }
      let parts: [String] = before + after
      guard head.count == before.count, tail.count == after.count, parts.allSatisfy({ $0.count <= 4 }) else {
        return nil
      }
      groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    } else {
      groups = halves.compactMap { $0.count <= 4 ? UInt16($0, radix: 16) : nil }
      guard groups.count == 8, halves.count == 8 else { return nil }
    }
    high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
    low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
  }

  public static let zero = IPv6Address(high: 0, low: 0)
  public var isZero: Bool { high == 0 && low == 0 }
  /// fe80::/10.
  public var isLinkLocal: Bool { high >> 54 == 0x3FA }
  public var isMulticast: Bool { high >> 56 == 0xFF }

  public var bytes: [UInt8] {
    (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> UInt64(56 - 8 * ($0 % 8))) }
  }

  /// RFC 5952: lower case, leading zeros dropped, the longest run of two or more zero groups
  /// (the first of equals) as "::".
  public var description: String {
    let groups = (0..<8).map { UInt16(truncatingIfNeeded: ($0 < 4 ? high : low) >> UInt64(48 - 16 * ($0 % 4))) }
    var bestStart = -1
    var bestLength = 1
    var i = 0
    while i < 8 {
      guard groups[i] == 0 else {
        i += 1
        continue
      }
      var j = i
      while j < 8 && groups[j] == 0 { j += 1 }
      if j - i > bestLength {
        bestStart = i
        bestLength = j - i
      }
      i = j
    }
    func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
    guard bestStart >= 0 else { return hex(0..<8) }
    return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
  }

  public static func < (a: IPv6Address, b: IPv6Address) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// The IPv6 header fields dhcpscope reports, with what its extension headers said.
public struct IPv6Header {
  public var source: IPv6Address
  public var destination: IPv6Address
  public var hopLimit: UInt8
  /// The upper-layer protocol after the extension headers (17 for UDP), or, for a fragment,
  /// the header that the fragment's data starts with.
  public var nextHeader: UInt8
  /// From a Fragment header: the data's offset in bytes, whether more follow, and the id.
  public var fragment: (offset: Int, more: Bool, identification: UInt32)?
  public var isFragment: Bool { fragment.map { $0.more || $0.offset != 0 } ?? false }
}

enum IPv6ExtensionHeader {
  static let hopByHop: UInt8 = 0
  static let routing: UInt8 = 43
  static let fragment: UInt8 = 44
  static let authentication: UInt8 = 51
  static let destinationOptions: UInt8 = 60
  /// Extension headers that give their length as (n + 1) × 8 bytes: the three above, and
  /// Mobility (135), HIP (139), Shim6 (140) and the experimental 253/254.
  static func isEightOctetLength(_ h: UInt8) -> Bool { [0, 43, 60, 135, 139, 140, 253, 254].contains(h) }
  /// More extension headers than any real packet carries: a loop of them is an attack.
  static let maximumChain = 16
}

/// Parses an IPv6 header and follows its extension headers to the upper layer, stopping at
/// a Fragment header (whose data is reassembled first). Returns the header and the payload
/// after the headers it read, trimmed to the payload length (a lying length becomes a
/// warning). nil when the bytes are not IPv6, or a header is cut short (with a warning).
func parseIPv6(_ bytes: UnsafeRawBufferPointer, warnings: inout [String]) -> (IPv6Header, UnsafeRawBufferPointer)? {
  guard bytes.count >= 40, bytes[0] >> 4 == 6 else {
    if bytes.count < 40, bytes.first.map({ $0 >> 4 == 6 }) == true {
      warnings.append("IPv6 header truncated: \(bytes.count) of 40 bytes")
    }
    return nil
  }
  let payloadLength = Int(bytes.bigEndianUInt16(at: 4))
  var end = bytes.count
  if payloadLength == 0 {
    // A jumbogram (RFC 2675) or a lie: take what was captured.
  } else if 40 + payloadLength > bytes.count {
    warnings.append("IPv6 payload length \(payloadLength) exceeds the \(bytes.count - 40) bytes captured")
  } else {
    end = 40 + payloadLength  // anything after is link-layer padding
  }
  var header = IPv6Header(
    source: IPv6Address(bytes, at: 8), destination: IPv6Address(bytes, at: 24), hopLimit: bytes[7],
    nextHeader: bytes[6], fragment: nil)
  let packet = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
  guard let (next, offset) = followExtensionHeaders(packet, from: 40, first: bytes[6], warnings: &warnings) else {
    return nil
  }
  header.nextHeader = next
  if next == IPv6ExtensionHeader.fragment {
    guard offset + 8 <= packet.count else {
      warnings.append("IPv6 Fragment header truncated")
      return nil
    }
    let field = packet.bigEndianUInt16(at: offset + 2)
    header.nextHeader = packet[offset]
    header.fragment = (
      offset: Int(field >> 3) * 8, more: field & 1 != 0, identification: packet.bigEndianUInt32(at: offset + 4)
    )
    return (header, UnsafeRawBufferPointer(rebasing: packet[(offset + 8)...]))
  }
  return (header, UnsafeRawBufferPointer(rebasing: packet[offset...]))
}

/// Walks extension headers from `offset`, starting with header type `first`: returns the
/// first header that is not one to skip (an upper layer, or a Fragment header) and where it
/// starts. nil, with a warning, when a header runs past the packet or the chain is too long.
func followExtensionHeaders(
  _ packet: UnsafeRawBufferPointer, from start: Int, first: UInt8, warnings: inout [String]
) -> (UInt8, Int)? {
  var next = first
  var offset = start
  for _ in 0..<IPv6ExtensionHeader.maximumChain {
    let length: Int
    if IPv6ExtensionHeader.isEightOctetLength(next) {
      guard offset + 2 <= packet.count else { break }
      length = (Int(packet[offset + 1]) + 1) * 8
    } else if next == IPv6ExtensionHeader.authentication {
      guard offset + 2 <= packet.count else { break }
      length = (Int(packet[offset + 1]) + 2) * 4
    } else {
      return (next, offset)
    }
    guard offset + length <= packet.count else { break }
    next = packet[offset]
    offset += length
  }
  warnings.append("IPv6 extension headers run past the packet or chain too long")
  return nil
}
