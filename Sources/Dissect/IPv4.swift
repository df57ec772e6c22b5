/// The IPv4 header fields dhcpscope reports or needs to reassemble fragments.
public struct IPv4Header {
  public var source: IPv4Address
  public var destination: IPv4Address
  public var identification: UInt16
  public var ttl: UInt8
  public var protocolNumber: UInt8
  public var headerLength: Int
  public var moreFragments: Bool
  public var fragmentOffset: Int  // in bytes
  public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
}

/// Parses an IPv4 header; returns the header and the payload the header claims, trimmed to
/// what was captured (a lying total length becomes a warning, not a lost packet).
func parseIPv4(_ bytes: UnsafeRawBufferPointer, warnings: inout [String]) -> (
  IPv4Header, UnsafeRawBufferPointer
)? {
  guard bytes.count >= 20 else { return nil }
  let versionIHL = bytes[0]
  guard versionIHL >> 4 == 4 else { return nil }
  let headerLength = Int(versionIHL & 0x0F) * 4
  guard headerLength >= 20, headerLength <= bytes.count else {
    warnings.append("IPv4 header length \(headerLength) is invalid for a \(bytes.count)-byte packet")
    return nil
  }
  let totalLength = Int(bytes.bigEndianUInt16(at: 2))
  var end = bytes.count
  if totalLength < headerLength {
    warnings.append("IPv4 total length \(totalLength) is shorter than its header (\(headerLength))")
  } else if totalLength > bytes.count {
    warnings.append("IPv4 total length \(totalLength) exceeds the \(bytes.count) bytes captured")
  } else {
    end = totalLength  // anything after is link-layer padding
  }
  let flagsOffset = bytes.bigEndianUInt16(at: 6)
  let header = IPv4Header(
    source: IPv4Address(bytes.bigEndianUInt32(at: 12)),
    destination: IPv4Address(bytes.bigEndianUInt32(at: 16)),
    identification: bytes.bigEndianUInt16(at: 4),
    ttl: bytes[8],
    protocolNumber: bytes[9],
    headerLength: headerLength,
    moreFragments: flagsOffset & 0x2000 != 0,
    fragmentOffset: Int(flagsOffset & 0x1FFF) * 8
  )
  return (header, UnsafeRawBufferPointer(rebasing: bytes[headerLength..<end]))
}

/// Reassembles fragmented IPv4 and IPv6 datagrams, bounded in every direction: datagrams in
/// progress, fragments per datagram, bytes per datagram (65 535) and age in packet time.
public struct FragmentReassembler {
  /// A datagram's identity: its addresses (an IPv4 one in `low`), id and protocol (RFC 791,
  /// RFC 8200 §4.5; IPv6 fragments carry no protocol of their own).
  struct Key: Hashable {
    var source: IPv6Address
    var destination: IPv6Address
    var identification: UInt32
    var protocolNumber: UInt8
    var isIPv6: Bool
  }

  struct Pending {
    var data: [UInt8] = []
    var ranges: [Range<Int>] = []
    var totalLength: Int?
    var firstSeen: Timestamp
    var overlapped = false
  }

  public static let maximumDatagramSize = 65_535
  public var maximumPending = 1_024
  public var maximumFragments = 128
  public var maximumAgeSeconds: Int64 = 30
  private var pending: [Key: Pending] = [:]
  /// No pending datagram was first seen before this second (it may be earlier than the true
  /// oldest once datagrams complete or are evicted; `expire` then recomputes it).
  private var oldestFirstSeen: Int64 = .max
  /// Datagrams dropped: timed out, evicted by the cap, or oversized.
  public private(set) var dropped = 0

  public init() {}

  public var pendingCount: Int { pending.count }

  public enum Outcome {
    case incomplete
    case complete([UInt8], warnings: [String])
    case dropped(String)
  }

  public mutating func add(
    header: IPv4Header, payload: UnsafeRawBufferPointer, at time: Timestamp
  ) -> Outcome {
    let key = Key(
      source: IPv6Address(high: 0, low: UInt64(header.source.value)),
      destination: IPv6Address(high: 0, low: UInt64(header.destination.value)),
      identification: UInt32(header.identification), protocolNumber: header.protocolNumber, isIPv6: false)
    return add(
      key, start: header.fragmentOffset, more: header.moreFragments, payload: payload,
      limit: Self.maximumDatagramSize - header.headerLength, at: time)
  }

  /// An IPv6 fragment: `payload` is the data after its Fragment header. The reassembled
  /// datagram starts with the header the Fragment header names (`header.nextHeader`).
  public mutating func add(
    header: IPv6Header, payload: UnsafeRawBufferPointer, at time: Timestamp
  ) -> Outcome {
    let fragment = header.fragment!
    let key = Key(
      source: header.source, destination: header.destination, identification: fragment.identification,
      protocolNumber: 0, isIPv6: true)
    return add(
      key, start: fragment.offset, more: fragment.more, payload: payload, limit: Self.maximumDatagramSize, at: time)
  }

  private mutating func add(
    _ key: Key, start: Int, more: Bool, payload: UnsafeRawBufferPointer, limit: Int, at time: Timestamp
  ) -> Outcome {
    expire(before: time)
    let family = key.isIPv6 ? "IPv6" : "IPv4"
    let id = key.isIPv6 ? String(key.identification, radix: 16) : hex16(UInt16(truncatingIfNeeded: key.identification))
    let end = start + payload.count
    if end > limit {
      pending[key] = nil
      dropped += 1
      return .dropped("\(family) fragments of id 0x\(id) exceed 65535 bytes")
    }
    if pending[key] == nil {
      if pending.count >= maximumPending, let oldest = pending.min(by: { $0.value.firstSeen < $1.value.firstSeen }) {
        pending[oldest.key] = nil
        dropped += 1
      }
      pending[key] = Pending(firstSeen: time)
      oldestFirstSeen = min(oldestFirstSeen, time.seconds)
    }
    var entry = pending[key]!
    pending[key] = nil  // edit a unique copy, then put it back
    if entry.ranges.count >= maximumFragments {
      dropped += 1
      return .dropped("\(family) datagram id 0x\(id) has over \(maximumFragments) fragments")
    }
    if !more {
      if let known = entry.totalLength, known != end { entry.overlapped = true }
      entry.totalLength = end
    }
    if entry.data.count < end { entry.data.append(contentsOf: repeatElement(0, count: end - entry.data.count)) }
    let range = start..<end
    if entry.ranges.contains(where: { $0.overlaps(range) }) { entry.overlapped = true }
    // First data to arrive wins an overlap, as the BSD stacks do.
    for (i, byte) in payload.enumerated() where !entry.ranges.contains(where: { $0.contains(start + i) }) {
      entry.data[start + i] = byte
    }
    entry.ranges.append(range)
    if let total = entry.totalLength, covers(entry.ranges, total) {
      var warnings = ["reassembled from \(entry.ranges.count) \(family) fragments"]
      if entry.overlapped { warnings.append("\(family) fragments overlap") }
      return .complete(Array(entry.data.prefix(total)), warnings: warnings)
    }
    pending[key] = entry
    return .incomplete
  }

  private func covers(_ ranges: [Range<Int>], _ total: Int) -> Bool {
    var reached = 0
    for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if r.lowerBound > reached { return false }
      reached = max(reached, r.upperBound)
    }
    return reached >= total
  }

  private mutating func expire(before time: Timestamp) {
    guard !pending.isEmpty else { return }
    let limit = time.seconds - maximumAgeSeconds
    // Rebuilding the table costs a pass over it: only when something has come of age.
    guard oldestFirstSeen < limit else { return }
    let before = pending.count
    pending = pending.filter { $0.value.firstSeen.seconds >= limit }
    oldestFirstSeen = pending.values.lazy.map(\.firstSeen.seconds).min() ?? .max
    dropped += before - pending.count
  }
}

func hex16(_ v: UInt16) -> String {
  let s = String(v, radix: 16)
  return String(repeating: "0", count: 4 - s.count) + s
}
