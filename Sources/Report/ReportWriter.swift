import Dissect
import Glibc

/// Writes reports (JSON, text and CSV) as UTF-8 into an output buffer. Foundation's encoder
/// would build a tree per record; reports write millions of records, so this writes directly.
/// One writer serves a whole run: records are appended to `out`, which the caller drains.
/// It owns its buffer, so like it the writer moves and is never copied.
public struct ReportWriter: ~Copyable {
  public var out: OutputBuffer
  /// Whether the innermost open object or array needs a comma before its next member (never
  /// at the top level).
  private var needsComma = false
  /// The same for the enclosing objects and arrays, one bit each (the nearest in bit 0). A bit
  /// stack keeps this free of allocations (nesting up to 64 deep). The innermost level is a
  /// separate byte: setting one bit of the stack and shifting it in the next call made the
  /// processor wait on a narrow store before a wide load.
  private var enclosingCommaBits: UInt64 = 0
  private var depth = 0
  private var pendingKey = false
  /// The digits of the last whole second written by `plainTimestamp` (a capture writes the
  /// same second thousands of times in a row): 16 bytes and how many of them are digits.
  private var cachedSecond: Int64 = -1
  private var cachedSecondDigits: (UInt64, UInt64) = (0, 0)
  private var cachedSecondCount = 0
  /// The second cached before it: a transaction's packets often span two seconds, and the
  /// next transaction's go back to the first.
  private var previousSecond: (second: Int64, digits: (UInt64, UInt64), count: Int) = (-1, (0, 0), 0)
  /// The hour (of epoch seconds) `localOffset` holds for.
  private var localOffsetHour: Int64 = .min
  private var localOffset = 0

  public init(capacity: Int = 1 << 16) { out = OutputBuffer(capacity: capacity) }

  /// A writer appending to `buffer`.
  public init(buffer: consuming OutputBuffer) { out = buffer }

  /// Ends the writer, handing over its buffer.
  public consuming func takeBuffer() -> OutputBuffer { out }
}

// MARK: JSON: objects, arrays, keys and values, with the commas between them

extension ReportWriter {

  public mutating func beginObject() {
    valuePrefix()
    out.append(UInt8(ascii: "{"))
    push()
  }
  public mutating func endObject() {
    pop()
    out.append(UInt8(ascii: "}"))
  }
  public mutating func beginArray() {
    valuePrefix()
    out.append(UInt8(ascii: "["))
    push()
  }
  public mutating func endArray() {
    pop()
    out.append(UInt8(ascii: "]"))
  }

  @inline(__always) private mutating func push() {
    enclosingCommaBits = enclosingCommaBits << 1 | (needsComma ? 1 : 0)
    needsComma = false
    depth += 1
  }
  @inline(__always) private mutating func pop() {
    needsComma = enclosingCommaBits & 1 != 0
    enclosingCommaBits >>= 1
    depth -= 1
  }

  @inline(__always) public mutating func key(_ name: StaticString) {
    let n = name.utf8CodeUnitCount
    let source = name.utf8Start
    let comma = needsComma
    out.write(maximum: n + 4) { p in
      var i = 0
      if comma {
        p[0] = UInt8(ascii: ",")
        i = 1
      }
      p[i] = UInt8(ascii: "\"")
      OutputBuffer.copy(source, n, to: p + i + 1)
      p[i + 1 + n] = UInt8(ascii: "\"")
      p[i + 2 + n] = UInt8(ascii: ":")
      return i + 3 + n
    }
    pendingKey = true
  }

  /// Members rendered ahead of time (`"a":1,"b":`) for the object just begun or being
  /// written; `endingWithKey` when the bytes end with a key whose value comes next.
  public mutating func rawMembers(_ bytes: UnsafeRawBufferPointer, endingWithKey: Bool) {
    if needsComma { out.append(UInt8(ascii: ",")) }
    out.append(bytes)
    if depth > 0 { needsComma = true }
    pendingKey = endingWithKey
  }

  /// A value rendered ahead of time, such as a string `quoted` made.
  public mutating func rawValue(_ bytes: UnsafeRawBufferPointer) {
    valuePrefix()
    out.append(bytes)
  }
  public mutating func rawValue(_ text: StaticString) {
    valuePrefix()
    out.append(text)
  }

  /// `text` as a JSON string, for values written again and again (file paths, names).
  public static func quoted(_ text: String) -> [UInt8] {
    var w = ReportWriter(capacity: text.utf8.count + 8)
    w.string(text)
    return w.out.withUnsafeBytes { Array($0) }
  }

  /// Opens a DHCPv4 `sequence` entry and writes the members it has, `frame` to `interface`
  /// (`point`, a capture point's name, after `file`); the caller adds any others and closes
  /// it. The names come rendered (`file`, `type` and `leg` as JSON strings). Without a point,
  /// the members go out in one reservation of the buffer: every member through `key` and its
  /// value cost about a thousand instructions an entry, an eighth of a jsonl report's run.
  public mutating func openSequenceEntry(
    frame: Int, file: UnsafeRawBufferPointer, point: String? = nil, timestamp: Timestamp, nanosecondPrecision: Bool,
    type: UnsafeRawBufferPointer, leg: UnsafeRawBufferPointer, source: IPv4Address, destination: IPv4Address,
    duplicate: Bool = false, interface: CaptureInterface? = nil
  ) {
    let direction = interface.flatMap { CaptureInterface.directionName($0.packetType) }
    guard point == nil, frame >= 0, interface == nil || direction != nil, cachesSecond(of: timestamp) else {
      return openSequenceEntryMemberByMember(
        frame: frame, file: file, point: point, timestamp: timestamp, nanosecondPrecision: nanosecondPrecision,
        type: type, leg: leg, source: source, destination: destination, duplicate: duplicate, interface: interface)
    }
    let comma = !pendingKey && needsComma
    let second = cachedSecondText
    let maximum = 1 + 160 + 2 * 20 + file.count + Self.timestampMaximum + type.count + leg.count + 2 * 16
    out.write(maximum: maximum) { p in
      var i = 0
      @inline(__always) func put(_ text: StaticString) {
        OutputBuffer.copy(text.utf8Start, text.utf8CodeUnitCount, to: p + i)
        i += text.utf8CodeUnitCount
      }
      @inline(__always) func put(_ bytes: UnsafeRawBufferPointer) {
        OutputBuffer.copy(bytes.baseAddress!, bytes.count, to: p + i)
        i += bytes.count
      }
      @inline(__always) func put(digitsOf value: UInt64) {
        let digits = OutputBuffer.decimalDigits(value)
        OutputBuffer.writeDigits(value, count: digits, to: p + i)
        i += digits
      }
      if comma { put(",") }
      put("{\"frame\":")
      put(digitsOf: UInt64(frame))
      put(",\"file\":")
      put(file)
      put(",\"ts\":")
      i += Self.writeTimestamp(timestamp, second: second, nanosecondPrecision: nanosecondPrecision, to: p + i)
      put(",\"type\":")
      put(type)
      put(",\"leg\":")
      put(leg)
      put(",\"src\":\"")
      i += Self.writeAddress(source, to: p + i)
      put("\",\"dst\":\"")
      i += Self.writeAddress(destination, to: p + i)
      put("\"")
      if duplicate { put(",\"duplicate\":true") }
      if let interface, let direction {
        put(",\"interface\":{")
        if let index = interface.index {
          put("\"index\":")
          put(digitsOf: UInt64(index))
          put(",")
        }
        put("\"direction\":\"")
        put(direction)
        put("\"}")
      }
      return i
    }
    pendingKey = false
    if depth > 0 { needsComma = true }
    push()
    needsComma = true
  }

  /// `openSequenceEntry` one member at a time, for the entries one write does not cover (a
  /// capture point, a negative frame or time, an unnamed packet type). Kept out of line: in
  /// the same function it slowed the common path.
  @inline(never) private mutating func openSequenceEntryMemberByMember(
    frame: Int, file: UnsafeRawBufferPointer, point: String?, timestamp: Timestamp, nanosecondPrecision: Bool,
    type: UnsafeRawBufferPointer, leg: UnsafeRawBufferPointer, source: IPv4Address, destination: IPv4Address,
    duplicate: Bool, interface: CaptureInterface?
  ) {
    beginObject()
    key("frame")
    int(frame)
    key("file")
    rawValue(file)
    if let point {
      key("point")
      string(point)
    }
    key("ts")
    self.timestamp(timestamp, nanosecondPrecision: nanosecondPrecision)
    key("type")
    rawValue(type)
    key("leg")
    rawValue(leg)
    key("src")
    address(source)
    key("dst")
    address(destination)
    if duplicate {
      key("duplicate")
      bool(true)
    }
    if let interface {
      key("interface")
      self.interface(interface)
    }
  }

  /// A key computed at run time (option record fields, enum names).
  public mutating func dynamicKey(_ name: String) {
    if needsComma { out.append(UInt8(ascii: ",")) }
    appendQuoted(name)
    out.append(UInt8(ascii: ":"))
    pendingKey = true
  }

  @inline(__always) private mutating func valuePrefix() {
    if pendingKey {
      pendingKey = false
    } else if needsComma {
      out.append(UInt8(ascii: ","))
    }
    if depth > 0 { needsComma = true }
  }

  /// Bytes outside the JSON structure (separators between records, newlines).
  @inline(__always) public mutating func raw(_ text: StaticString) { out.append(text) }
  public mutating func raw(text: String) { out.append(contentsOf: text) }

  public mutating func string(_ s: String) {
    valuePrefix()
    appendQuoted(s)
  }
  public mutating func int<T: BinaryInteger>(_ v: T) {
    valuePrefix()
    plainInt(v)
  }
  public mutating func bool(_ v: Bool) {
    valuePrefix()
    out.append(v ? "true" : "false")
  }
  public mutating func null() {
    valuePrefix()
    out.append("null")
  }

  /// A number with up to three decimals, trailing zeros dropped (milliseconds and rates).
  public mutating func decimal(_ v: Double) {
    valuePrefix()
    plainDecimal(v)
  }

  /// Up to three decimals, trailing zeros dropped; unquoted.
  public mutating func plainDecimal(_ v: Double) {
    let scaled = (v * 1000).rounded()
    // Beyond 2^53 / 1000 a double has no three exact decimals to print; so does a NaN.
    guard v.isFinite, abs(scaled) < 9e15 else {
      out.append(contentsOf: formatDecimal(v, places: 3))
      return
    }
    let milli = Int64(scaled)
    let magnitude = UInt64(abs(milli))
    let whole = magnitude / 1000
    let wholeDigits = OutputBuffer.decimalDigits(whole)
    var fraction = magnitude % 1000
    // Sign, digits, point and three decimals, in one write.
    out.write(maximum: wholeDigits + 5) { p in
      var i = 0
      if milli < 0 {
        p[0] = UInt8(ascii: "-")
        i = 1
      }
      OutputBuffer.writeDigits(whole, count: wholeDigits, to: p + i)
      i += wholeDigits
      guard fraction != 0 else { return i }
      p[i] = UInt8(ascii: ".")
      i += 1
      var divisor: UInt64 = 100
      while fraction != 0 {
        p[i] = 48 + UInt8(fraction / divisor)
        i += 1
        fraction %= divisor
        divisor /= 10
      }
      return i
    }
  }

  public mutating func timestamp(_ t: Timestamp, nanosecondPrecision: Bool) {
    valuePrefix()
    plainTimestamp(t, nanosecondPrecision: nanosecondPrecision)
  }

  /// Epoch seconds with 6 or 9 decimals, as tshark prints them. A capture writes the same
  /// second thousands of times in a row: its digits come from `cachedSecondDigits`, and the
  /// whole timestamp goes into the buffer in one write.
  public mutating func plainTimestamp(_ t: Timestamp, nanosecondPrecision: Bool) {
    guard cachesSecond(of: t) else {
      out.append(contentsOf: formatTimestamp(t, nanosecondPrecision: nanosecondPrecision))
      return
    }
    let second = cachedSecondText
    out.write(maximum: Self.timestampMaximum) {
      Self.writeTimestamp(t, second: second, nanosecondPrecision: nanosecondPrecision, to: $0)
    }
  }

  /// The most bytes `writeTimestamp` writes.
  static let timestampMaximum = 16 + 1 + 9

  /// Whether `t`'s second is in `cachedSecondDigits` (kept there now if it was not).
  @inline(__always) private mutating func cachesSecond(of t: Timestamp) -> Bool {
    t.seconds == cachedSecond || cacheSecond(t.seconds)
  }

  /// The cached second's digits and how many there are.
  private var cachedSecondText: (digits: (UInt64, UInt64), count: Int) { (cachedSecondDigits, cachedSecondCount) }

  /// Writes `t` at `p`, its `second` as `cachedSecondText` holds it; returns how many bytes.
  @inline(__always) private static func writeTimestamp(
    _ t: Timestamp, second: (digits: (UInt64, UInt64), count: Int), nanosecondPrecision: Bool,
    to p: UnsafeMutablePointer<UInt8>
  ) -> Int {
    let n = second.count
    let digits = nanosecondPrecision ? 9 : 6
    let fraction = nanosecondPrecision ? UInt32(t.nanoseconds) : UInt32(t.nanoseconds) / 1000
    let destination = UnsafeMutableRawPointer(p)
    destination.storeBytes(of: second.digits.0, as: UInt64.self)
    destination.storeBytes(of: second.digits.1, toByteOffset: 8, as: UInt64.self)
    p[n] = UInt8(ascii: ".")
    OutputBuffer.writeDigits(UInt64(fraction), count: digits, to: p + n + 1)
    return n + 1 + digits
  }

  /// Keeps the digits of `seconds` for `plainTimestamp`; false when they cannot be kept (a
  /// negative time, or more than 16 digits).
  private mutating func cacheSecond(_ seconds: Int64) -> Bool {
    guard seconds >= 0, seconds < 10_000_000_000_000_000 else { return false }
    let current = (cachedSecond, cachedSecondDigits, cachedSecondCount)
    defer { previousSecond = current }
    if seconds == previousSecond.second {
      (cachedSecond, cachedSecondDigits, cachedSecondCount) = previousSecond
      return true
    }
    let count = OutputBuffer.decimalDigits(UInt64(seconds))
    var digits: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &digits) {
      OutputBuffer.writeDigits(UInt64(seconds), count: count, to: $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    (cachedSecond, cachedSecondDigits, cachedSecondCount) = (seconds, digits, count)
    return true
  }

  public mutating func optionalDecimal(_ v: Double?) { if let v { decimal(v) } else { null() } }
  public mutating func optionalString(_ s: String?) { if let s { string(s) } else { null() } }
  public mutating func optionalAddress(_ a: IPv4Address?) { if let a { address(a) } else { null() } }

  /// A string from wire bytes: copied as they are when they are printable ASCII that needs
  /// no escaping (nearly always), else repaired as UTF-8 and escaped.
  public mutating func string(utf8 bytes: ArraySlice<UInt8>) {
    let plain = bytes.withUnsafeBytes { !JSONText.needsEscaping($0, allowingNonASCII: false) }
    if plain {
      valuePrefix()
      bytes.withUnsafeBytes { appendQuotedAsIs($0) }
    } else {
      string(String(decoding: bytes, as: UTF8.self))
    }
  }

  public mutating func stringArray(_ items: [String]) {
    beginArray()
    for item in items { string(item) }
    endArray()
  }

  public mutating func newline() { out.append(UInt8(ascii: "\n")) }

  private mutating func appendQuoted(_ s: String) {
    var text = s
    text.withUTF8 { appendQuoted(utf8: UnsafeRawBufferPointer($0)) }
  }

  /// Valid UTF-8, quoted and escaped.
  private mutating func appendQuoted(utf8: UnsafeRawBufferPointer) {
    // Most strings need no escaping: copy them in one go.
    guard JSONText.needsEscaping(utf8, allowingNonASCII: true) else { return appendQuotedAsIs(utf8) }
    out.append(UInt8(ascii: "\""))
    for c in utf8 { appendEscaped(c) }
    out.append(UInt8(ascii: "\""))
  }

  /// Bytes the caller checked need no escaping, in quotes.
  private mutating func appendQuotedAsIs(_ utf8: UnsafeRawBufferPointer) {
    let n = utf8.count
    out.write(maximum: n + 2) { p in
      p[0] = UInt8(ascii: "\"")
      if let base = utf8.baseAddress { OutputBuffer.copy(base, n, to: p + 1) }
      p[n + 1] = UInt8(ascii: "\"")
      return n + 2
    }
  }

  private mutating func appendEscaped(_ c: UInt8) {
    switch c {
    case UInt8(ascii: "\""): out.append("\\\"")
    case UInt8(ascii: "\\"): out.append("\\\\")
    case 0x0A: out.append("\\n")
    case 0x0D: out.append("\\r")
    case 0x09: out.append("\\t")
    case 0..<0x20:
      out.append("\\u00")
      out.append(hexDigit(c >> 4))
      out.append(hexDigit(c & 0xF))
    default: out.append(c)
    }
  }

  /// Decimal digits of a non-negative number, without going through String.
  @inline(__always) private mutating func appendDigits(_ value: UInt64) {
    if value < 10 {
      out.append(48 + UInt8(value))
    } else {
      out.appendDigits(value)
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
    if let name = CaptureInterface.directionName(i.packetType) {
      quotedValue { $0.out.append(name) }
    } else {
      string(i.direction)
    }
    endObject()
  }

  /// A JSON string whose text `plain` writes unquoted: digits, hex, dots and colons, which
  /// never need escaping.
  @inline(__always) private mutating func quotedValue(_ plain: (inout ReportWriter) -> Void) {
    valuePrefix()
    out.append(UInt8(ascii: "\""))
    plain(&self)
    out.append(UInt8(ascii: "\""))
  }

  /// A dotted-quad IPv4 address as a JSON string.
  public mutating func address(_ a: IPv4Address) { quotedValue { $0.plainAddress(a) } }

}

// MARK: Unquoted text (CSV and text reports share the number and address formatting)

extension ReportWriter {

  /// A dotted quad, unquoted.
  public mutating func plainAddress(_ a: IPv4Address) {
    out.write(maximum: 16) { Self.writeAddress(a, to: $0) }
  }

  /// Writes a dotted quad at `p` (with room for 16 bytes); returns how many bytes it is.
  @inline(__always) static func writeAddress(_ a: IPv4Address, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let octets = JSONText.octets
    let destination = UnsafeMutableRawPointer(p)
    var i = 0
    for k in 0..<4 {
      let text = octets[Int(truncatingIfNeeded: a.value >> UInt32(24 - 8 * k) & 0xFF)]
      destination.storeBytes(of: UInt32(truncatingIfNeeded: text), toByteOffset: i, as: UInt32.self)
      i += Int(text >> 56)
    }
    return i - 1  // without the last dot
  }

  /// A non-negative or negative integer, unquoted.
  public mutating func plainInt<T: BinaryInteger>(_ v: T) {
    if v < 0 {
      // The magnitude, not the negation: -Int64.min does not fit an Int64.
      out.append(UInt8(ascii: "-"))
      appendDigits(UInt64(v.magnitude))
    } else {
      appendDigits(UInt64(v))
    }
  }

  /// A CSV field: quoted (with doubled quotes) only when it holds a comma, quote or newline.
  public mutating func csvField(_ s: String) {
    var text = s
    text.withUTF8 { utf8 in
      if !utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
        out.append(UnsafeRawBufferPointer(utf8))
        return
      }
      out.append(UInt8(ascii: "\""))
      for c in utf8 {
        if c == 0x22 { out.append(c) }
        out.append(c)
      }
      out.append(UInt8(ascii: "\""))
    }
  }

  /// "0x" and 8 lowercase hex digits, as the contract spells xids.
  public mutating func xid(_ v: UInt32) { quotedValue { $0.plainXID(v) } }

  public mutating func plainXID(_ v: UInt32) {
    out.append("0x")
    hexDigits(UInt64(v), count: 8)
  }

  /// The low `count` hex digits of `v`, zero-padded, unquoted.
  private mutating func hexDigits(_ v: UInt64, count: Int) {
    out.write(maximum: count) { p in
      for k in 0..<count { p[k] = hexDigit(UInt8(truncatingIfNeeded: v >> UInt64(4 * (count - 1 - k))) & 0xF) }
      return count
    }
  }

  /// A hardware address as colon-separated hex.
  public mutating func hardwareAddress(_ a: HardwareAddress) { quotedValue { $0.plainHardwareAddress(a) } }

  public mutating func plainHardwareAddress(_ a: HardwareAddress) {
    guard a.count > 0 else { return }
    out.write(maximum: a.count * 3) { p in
      for i in 0..<a.count {
        let b = a[i]
        p[3 * i] = hexDigit(b >> 4)
        p[3 * i + 1] = hexDigit(b & 0xF)
        p[3 * i + 2] = UInt8(ascii: ":")
      }
      return a.count * 3 - 1
    }
  }

  /// Bytes as plain lowercase hex.
  public mutating func hex<C: Collection>(_ v: C) where C.Element == UInt8 { quotedValue { $0.plainHex(v) } }

  /// Four lowercase hex digits, unquoted.
  public mutating func plainHex16(_ v: UInt16) { hexDigits(UInt64(v), count: 4) }

  /// Lowercase hex digits, unquoted.
  public mutating func plainHex<C: Collection>(_ v: C) where C.Element == UInt8 {
    if v.withContiguousStorageIfAvailable({ plainHex(UnsafeRawBufferPointer($0)) }) != nil { return }
    out.write(maximum: v.count * 2) { p in
      var i = 0
      for b in v {
        p[i] = hexDigit(b >> 4)
        p[i + 1] = hexDigit(b & 0xF)
        i += 2
      }
      return i
    }
  }

  /// Lowercase hex digits, unquoted: four bytes at a time into eight digits.
  public mutating func plainHex(_ v: UnsafeRawBufferPointer) {
    guard let base = v.baseAddress else { return }
    let n = v.count
    out.write(maximum: n * 2 + 8) { p in
      let destination = UnsafeMutableRawPointer(p)
      var i = 0
      while i &+ 4 <= n {
        let four = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
        destination.storeBytes(of: JSONText.hexDigits(four).littleEndian, toByteOffset: 2 &* i, as: UInt64.self)
        i &+= 4
      }
      while i < n {
        let b = base.load(fromByteOffset: i, as: UInt8.self)
        p[2 &* i] = hexDigit(b >> 4)
        p[2 &* i &+ 1] = hexDigit(b & 0xF)
        i &+= 1
      }
      return 2 * n
    }
  }

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
  // Past what an Int64 holds (clocks years apart, counted in milliseconds) a double has no
  // places to print, and converting it would trap: Swift's own form of the whole value.
  guard abs(scaled) < 9.2e18 else { return v.rounded().description }
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

extension ReportWriter {
  /// "2026-11-21 05:06:35.708938", UTC.
  /// The date and time of `t` with its zone: local time and its offset ("+01:00") or, with
  /// `utc`, UTC ("UTC"). `fraction` digits: the file's precision (6 or 9) by default.
  public mutating func plainCalendarTime(
    _ t: Timestamp, nanosecondPrecision: Bool = false, utc: Bool = true, fractionDigits: Int? = nil
  ) {
    let offset = utc ? 0 : localOffsetSeconds(t.seconds)
    let seconds = t.seconds + Int64(offset)
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
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
    plainInt(year)
    twoDigits(UInt8(ascii: "-"), month)
    twoDigits(UInt8(ascii: "-"), day)
    twoDigits(UInt8(ascii: " "), secondOfDay / 3600)
    twoDigits(UInt8(ascii: ":"), secondOfDay / 60 % 60)
    twoDigits(UInt8(ascii: ":"), secondOfDay % 60)
    let digits = fractionDigits ?? (nanosecondPrecision ? 9 : 6)
    if digits > 0 {
      out.append(UInt8(ascii: "."))
      var scale = 1_000_000_000
      for _ in 0..<digits { scale /= 10 }
      let fraction = Int(t.nanoseconds) / max(scale, 1)
      var width = 1
      var limit = 10
      while limit <= fraction && width < digits {
        width += 1
        limit *= 10
      }
      for _ in width..<digits { out.append(UInt8(ascii: "0")) }
      plainInt(fraction)
    }
    if utc {
      out.append(" UTC")
    } else {
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: offset < 0 ? "-" : "+"))
      let minutes = abs(offset) / 60
      twoDigits(nil, Int64(minutes / 60))
      twoDigits(UInt8(ascii: ":"), Int64(minutes % 60))
    }
  }

  /// A separator, then `value` as two digits.
  @inline(__always) private mutating func twoDigits(_ separator: UInt8?, _ value: Int64) {
    if let separator { out.append(separator) }
    out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10 % 10))
    out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
  }

  /// The local zone's offset from UTC at `seconds`, in seconds; looked up once per hour of
  /// packet time, since zones change offset only on the hour.
  private mutating func localOffsetSeconds(_ seconds: Int64) -> Int {
    let hour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600
    if hour != localOffsetHour {
      var time = time_t(seconds)
      var fields = tm()
      localOffset = localtime_r(&time, &fields) == nil ? 0 : fields.tm_gmtoff
      localOffsetHour = hour
    }
    return localOffset
  }
}

/// A lowercase hex digit.
@inline(__always) private func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

/// Which bytes a JSON string must escape, checked eight at a time.
enum JSONText {
  /// Each octet of a dotted quad as its digits and a dot (up to four bytes, little-endian) in
  /// the low half, and how many bytes that is in the top byte.
  static let octets: [UInt64] = (0...255).map { v in
    let text = Array("\(v).".utf8)
    var word = UInt64(text.count) << 56
    for (i, c) in text.enumerated() { word |= UInt64(c) << (8 * UInt64(i)) }
    return word
  }

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let highBits: UInt64 = 0x8080_8080_8080_8080

  /// The eight lowercase hex digits of four bytes (the first byte in the low bits), the first
  /// digit in the low byte: each byte goes to a 16-bit lane, its nibbles to the lane's two
  /// bytes, and every nibble of 10 or more gets the extra 39 that takes '0'+10 to 'a'.
  @inline(__always) static func hexDigits(_ four: UInt32) -> UInt64 {
    var v = UInt64(four)
    v = (v | v << 16) & 0x0000_FFFF_0000_FFFF
    v = (v | v << 8) & 0x00FF_00FF_00FF_00FF
    let nibbles = (v >> 4) & 0x000F_000F_000F_000F | (v & 0x000F_000F_000F_000F) << 8
    let letters = ((nibbles &+ ones &* 6) >> 4) & ones
    return nibbles &+ ones &* 0x30 &+ letters &* 39
  }

  /// Whether `bytes` hold a control character, a quote or a backslash, or (unless allowed)
  /// a byte above 0x7F, which may be invalid UTF-8 to repair.
  @inline(__always) static func needsEscaping(_ bytes: UnsafeRawBufferPointer, allowingNonASCII: Bool) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    var i = 0
    while i &+ 8 <= bytes.count {
      if needsEscaping(word: base.loadUnaligned(fromByteOffset: i, as: UInt64.self), allowingNonASCII) { return true }
      i &+= 8
    }
    while i < bytes.count {
      let c = bytes[i]
      if c < 0x20 || c == 0x22 || c == 0x5C || (!allowingNonASCII && c >= 0x80) { return true }
      i &+= 1
    }
    return false
  }

  /// The bit tricks of "Bit Twiddling Hacks" (determine if a word has a byte less than n,
  /// or equal to n): exact as yes-or-no answers.
  @inline(__always) private static func needsEscaping(word w: UInt64, _ allowingNonASCII: Bool) -> Bool {
    func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highBits != 0 }
    let hasControl = (w &- ones &* 0x20) & ~w & highBits != 0
    let hasNonASCII = !allowingNonASCII && w & highBits != 0
    return hasControl || hasNonASCII || hasZeroByte(w ^ (ones &* 0x22)) || hasZeroByte(w ^ (ones &* 0x5C))
  }
}
