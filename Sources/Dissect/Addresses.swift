/// An IPv4 address held as its 32-bit big-endian value.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let value: UInt32

  public init(_ value: UInt32) { self.value = value }

  public init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var v: UInt32 = 0
    for part in parts {
      guard let octet = UInt8(part) else { return nil }
      v = v << 8 | UInt32(octet)
    }
    value = v
  }

  public static let zero = IPv4Address(0)
  public static let broadcast = IPv4Address(0xFFFF_FFFF)
  public var isZero: Bool { value == 0 }

  public var description: String {
    "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
  }

  public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}

/// A client hardware address: up to 16 bytes of `chaddr`, of which `hlen` are meaningful.
/// Held inline (two words and a count) so a transaction's address costs no allocation.
public struct HardwareAddress: Hashable, Sendable, CustomStringConvertible {
  private var high: UInt64 = 0
  private var low: UInt64 = 0
  public let count: Int

  public init(_ bytes: [UInt8]) {
    count = min(bytes.count, 16)
    for (i, b) in bytes.prefix(16).enumerated() { set(i, b) }
  }

  /// An Ethernet address held in the low 48 bits of `value` (the link layer's source).
  public init(ethernet value: UInt64) {
    self.init((0..<6).map { UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * $0)) })
  }

  /// The first `count` (at most 16) bytes at `start` of `buffer`; the caller checked bounds.
  public init(_ buffer: UnsafeRawBufferPointer, start: Int, count: Int) {
    self.count = min(count, 16)
    guard start + 16 <= buffer.count else {
      for i in 0..<self.count { set(i, buffer[start + i]) }
      return
    }
    // chaddr is a 16-byte field: two loads, then the bytes beyond `count` masked off.
    func word(_ offset: Int, keeping bytes: Int) -> UInt64 {
      guard bytes > 0 else { return 0 }
      let w = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: start + offset, as: UInt64.self))
      return bytes >= 8 ? w : w & ~(UInt64.max >> UInt64(8 * bytes))
    }
    high = word(0, keeping: self.count)
    low = word(8, keeping: self.count - 8)
  }

  // One combine of the three fields: client addresses are hashed once per transaction.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(high ^ (low &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count))
  }

  /// A 64-bit hash that is the same in every run (`Hasher` is seeded per process), for
  /// estimates that must repeat: SplitMix64's finalizer over the fields.
  public var stableHash: UInt64 {
    func mix(_ value: UInt64) -> UInt64 {
      var x = value
      x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
      x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
      return x ^ (x >> 31)
    }
    return mix(mix(high ^ UInt64(count)) ^ low)
  }

  private mutating func set(_ i: Int, _ b: UInt8) {
    if i < 8 {
      high |= UInt64(b) << UInt64(56 - 8 * i)
    } else {
      low |= UInt64(b) << UInt64(56 - 8 * (i - 8))
    }
  }

  public subscript(i: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: i < 8 ? high >> UInt64(56 - 8 * i) : low >> UInt64(56 - 8 * (i - 8)))
  }

  public var bytes: [UInt8] { (0..<count).map { self[$0] } }

  /// Colon-separated lowercase hex, as tcpdump and tshark print Ethernet addresses.
  public var description: String { Hex.colonSeparated(bytes) }
}

/// Lowercase hex of bytes, for every output that shows bytes as hex.
public enum Hex {
  static let digits: [UInt8] = Array("0123456789abcdef".utf8)

  public static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  public static func colonSeparated<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 3)
    for b in bytes {
      if !out.isEmpty { out.append(UInt8(ascii: ":")) }
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
