import Dissect

/// A small streaming JSON writer that appends UTF-8 to a byte buffer. Foundation's encoder
/// would build a tree per record; reports write millions of records, so this writes directly.
public struct JSONWriter {
  public var bytes: [UInt8] = []
  /// One bit per open object or array (innermost in bit 0): whether it needs a comma before
  /// its next member. A bit stack keeps this free of allocations (nesting up to 64 deep).
  private var commaBits: UInt64 = 0
  private var depth = 0

  public init() { bytes.reserveCapacity(4096) }

  public mutating func beginObject() {
    valuePrefix()
    bytes.append(UInt8(ascii: "{"))
    push()
  }
  public mutating func endObject() {
    pop()
    bytes.append(UInt8(ascii: "}"))
  }
  public mutating func beginArray() {
    valuePrefix()
    bytes.append(UInt8(ascii: "["))
    push()
  }
  public mutating func endArray() {
    pop()
    bytes.append(UInt8(ascii: "]"))
  }

  private mutating func push() {
    commaBits <<= 1
    depth += 1
  }
  private mutating func pop() {
    commaBits >>= 1
    depth -= 1
  }
  private var needsComma: Bool { depth > 0 && commaBits & 1 != 0 }

  public mutating func key(_ name: StaticString) {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
    bytes.append(UInt8(ascii: "\""))
    name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    pendingKey = true
  }

  /// A key computed at run time (option record fields, enum names).
  public mutating func dynamicKey(_ name: String) {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
    appendQuoted(name)
    bytes.append(UInt8(ascii: ":"))
    pendingKey = true
  }

  private var pendingKey = false

  private mutating func valuePrefix() {
    if pendingKey {
      pendingKey = false
    } else if needsComma {
      bytes.append(UInt8(ascii: ","))
    }
    if depth > 0 { commaBits |= 1 }
  }

  public mutating func string(_ s: String) {
    valuePrefix()
    appendQuoted(s)
  }
  public mutating func int<T: BinaryInteger>(_ v: T) {
    valuePrefix()
    if v < 0 {
      bytes.append(UInt8(ascii: "-"))
      appendDigits(UInt64(-Int64(v)))
    } else {
      appendDigits(UInt64(v))
    }
  }
  public mutating func bool(_ v: Bool) {
    valuePrefix()
    bytes.append(contentsOf: (v ? "true" : "false").utf8)
  }
  public mutating func null() {
    valuePrefix()
    bytes.append(contentsOf: "null".utf8)
  }

  /// A number with up to three decimals, trailing zeros dropped (milliseconds and rates).
  public mutating func decimal(_ v: Double) {
    valuePrefix()
    bytes.append(contentsOf: formatDecimal(v, places: 3).utf8)
  }

  public mutating func timestamp(_ t: Timestamp, nanosecondPrecision: Bool) {
    valuePrefix()
    if t.seconds < 0 {
      bytes.append(contentsOf: formatTimestamp(t, nanosecondPrecision: nanosecondPrecision).utf8)
      return
    }
    appendDigits(UInt64(t.seconds))
    bytes.append(UInt8(ascii: "."))
    var fraction = nanosecondPrecision ? Int(t.nanoseconds) : Int(t.nanoseconds) / 1000
    var divisor = nanosecondPrecision ? 100_000_000 : 100_000
    while divisor > 0 {
      bytes.append(48 + UInt8(fraction / divisor))
      fraction %= divisor
      divisor /= 10
    }
  }

  public mutating func optionalDecimal(_ v: Double?) { if let v { decimal(v) } else { null() } }

  public mutating func stringArray(_ items: [String]) {
    beginArray()
    for item in items { string(item) }
    endArray()
  }

  public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

  private mutating func appendQuoted(_ s: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = s
    text.withUTF8 { utf8 in
      // Most strings need no escaping: copy them in one go.
      if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
        bytes.append(contentsOf: utf8)
        return
      }
      for c in utf8 { appendEscaped(c) }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func appendEscaped(_ c: UInt8) {
    switch c {
    case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
    case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
    case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
    case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
    case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
    case 0..<0x20:
      bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48])
      bytes.append(hexDigit(c >> 4))
      bytes.append(hexDigit(c & 0xF))
    default: bytes.append(c)
    }
  }

  /// Decimal digits of a non-negative number, without going through String.
  private mutating func appendDigits(_ value: UInt64) {
    if value < 10 {
      bytes.append(48 + UInt8(value))
      return
    }
    var v = value
    var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &scratch) { buf in
      while v > 0 {
        buf[23 - count] = 48 + UInt8(v % 10)
        v /= 10
        count += 1
      }
      bytes.append(contentsOf: buf[(24 - count)...])
    }
  }

  /// Where a cooked capture saw the packet: {"index": N, "direction": "in"}.
  public mutating func interface(_ i: CaptureInterface) {
    beginObject()
    if let index = i.index {
      key("index")
      int(index)
    }
    key("direction")
    string(i.direction)
    endObject()
  }

  /// A dotted-quad IPv4 address as a JSON string.
  public mutating func address(_ a: IPv4Address) {
    valuePrefix()
    bytes.append(UInt8(ascii: "\""))
    appendDigits(UInt64(a.value >> 24))
    bytes.append(UInt8(ascii: "."))
    appendDigits(UInt64(a.value >> 16 & 0xFF))
    bytes.append(UInt8(ascii: "."))
    appendDigits(UInt64(a.value >> 8 & 0xFF))
    bytes.append(UInt8(ascii: "."))
    appendDigits(UInt64(a.value & 0xFF))
    bytes.append(UInt8(ascii: "\""))
  }

  /// "0x" and 8 lowercase hex digits, as the contract spells xids.
  public mutating func xid(_ v: UInt32) {
    valuePrefix()
    bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "0"), UInt8(ascii: "x")])
    for shift in stride(from: 28, through: 0, by: -4) { bytes.append(hexDigit(UInt8(v >> UInt32(shift) & 0xF))) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Bytes as colon-separated hex ("02:00:00:00:c0:01").
  public mutating func colonHex<C: Collection>(_ v: C) where C.Element == UInt8 {
    valuePrefix()
    bytes.append(UInt8(ascii: "\""))
    var first = true
    for b in v {
      if !first { bytes.append(UInt8(ascii: ":")) }
      first = false
      bytes.append(hexDigit(b >> 4))
      bytes.append(hexDigit(b & 0xF))
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Bytes as plain lowercase hex.
  public mutating func hex<C: Collection>(_ v: C) where C.Element == UInt8 {
    valuePrefix()
    bytes.append(UInt8(ascii: "\""))
    for b in v {
      bytes.append(hexDigit(b >> 4))
      bytes.append(hexDigit(b & 0xF))
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }
}

/// "1700000000.123456" (or 9 digits for nanosecond captures), as tshark prints epoch times.
public func formatTimestamp(_ t: Timestamp, nanosecondPrecision: Bool) -> String {
  let fraction = nanosecondPrecision ? Int(t.nanoseconds) : Int(t.nanoseconds) / 1000
  let digits = nanosecondPrecision ? 9 : 6
  let f = String(fraction)
  return "\(t.seconds)." + String(repeating: "0", count: max(0, digits - f.count)) + f
}

func formatDecimal(_ v: Double, places: Int) -> String {
  guard v.isFinite else { return "null" }
  let scale = places == 3 ? 1000.0 : places == 1 ? 10.0 : 1.0
  let scaled = (v * scale).rounded()
  let negative = scaled < 0
  let magnitude = Int64(abs(scaled))
  let whole = magnitude / Int64(scale)
  var fraction = magnitude % Int64(scale)
  var text = (negative ? "-" : "") + String(whole)
  guard fraction != 0 else { return text }
  var digits = places
  while fraction % 10 == 0 {
    fraction /= 10
    digits -= 1
  }
  let f = String(fraction)
  text += "." + String(repeating: "0", count: digits - f.count) + f
  return text
}

/// A UTC calendar time for people: "2026-11-21 05:06:35.708938".
public func formatCalendarTime(_ t: Timestamp, nanosecondPrecision: Bool = false) -> String {
  let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
  let secondOfDay = t.seconds - days * 86_400
  // Howard Hinnant's civil-from-days.
  let z = days + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let doe = z - era * 146_097
  let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let day = doy - (153 * mp + 2) / 5 + 1
  let month = mp < 10 ? mp + 3 : mp - 9
  let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
  let stamp = formatTimestamp(t, nanosecondPrecision: nanosecondPrecision)
  let fraction = stamp[stamp.firstIndex(of: ".")!...]
  return
    "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))\(fraction)"
}
