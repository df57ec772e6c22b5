import Glibc

/// A growable byte buffer for report output, with one owner: it cannot be copied, only
/// moved, so two writers can never share its memory. Reports append a few bytes at a time,
/// millions of times; `[UInt8].append` checks uniqueness and capacity through the runtime
/// on every call, this checks one integer. Filled buffers move between threads (the reading
/// thread's formatted batches, the sink's writer), which is safe because the sender gives
/// the only reference up.
public struct OutputBuffer: ~Copyable, @unchecked Sendable {
  private var pointer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  public private(set) var count = 0

  public init(capacity: Int = 1 << 16) {
    self.capacity = max(capacity, 64)
    pointer = .allocate(capacity: self.capacity)
  }

  deinit { pointer.deallocate() }

  public var isEmpty: Bool { count == 0 }

  /// Makes room for `extra` more bytes.
  @inline(__always) public mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  private mutating func grow(_ needed: Int) {
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(needed, capacity * 2))
    bigger.update(from: pointer, count: count)
    pointer.deallocate()
    pointer = bigger
    capacity = max(needed, capacity * 2)
  }

  @inline(__always) public mutating func append(_ byte: UInt8) {
    if count == capacity { grow(count + 1) }
    pointer[count] = byte
    count += 1
  }

  /// Writes in place: `body` gets room for `maximum` bytes and returns how many it wrote.
  /// Writers index a local pointer, so the compiler keeps the position in a register;
  /// byte stores through `pointer[count]` make it reload `count` after every byte (a byte
  /// pointer may alias anything, `count` included).
  @inline(__always) public mutating func write(maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
    reserve(maximum)
    count += body(pointer + count)
  }

  public mutating func append(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    let n = bytes.count
    write(maximum: n) { p in
      OutputBuffer.copy(base, n, to: p)
      return n
    }
  }

  /// Copies `n` bytes (the two regions must not overlap). Report output is mostly keys and
  /// values of a few bytes: word stores beat a call to memcpy there. The last word of a copy
  /// overlaps the one before it rather than finishing byte by byte (as memcpy does for small
  /// sizes): a byte loop for the tails was a fifth of a sequence entry's instructions.
  @inline(__always) static func copy(_ source: UnsafeRawPointer, _ n: Int, to p: UnsafeMutablePointer<UInt8>) {
    let destination = UnsafeMutableRawPointer(p)
    if n >= 8 {
      guard n <= 64 else {
        memcpy(p, source, n)
        return
      }
      var i = 0
      while i &+ 8 < n {
        destination.storeBytes(
          of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
        i &+= 8
      }
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), toByteOffset: n &- 8, as: UInt64.self)
    } else if n >= 4 {
      let head = source.loadUnaligned(as: UInt32.self)
      let tail = source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
      destination.storeBytes(of: head, as: UInt32.self)
      destination.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
    } else if n >= 2 {
      let head = source.loadUnaligned(as: UInt16.self)
      let tail = source.loadUnaligned(fromByteOffset: n &- 2, as: UInt16.self)
      destination.storeBytes(of: head, as: UInt16.self)
      destination.storeBytes(of: tail, toByteOffset: n &- 2, as: UInt16.self)
    } else if n == 1 {
      p[0] = source.load(as: UInt8.self)
    }
  }

  /// The decimal digits of `value`, written straight into the buffer.
  @inline(__always) mutating func appendDigits(_ value: UInt64) {
    let digits = Self.decimalDigits(value)
    write(maximum: digits) { p in
      OutputBuffer.writeDigits(value, count: digits, to: p)
      return digits
    }
  }

  /// How many decimal digits `value` has.
  @inline(__always) static func decimalDigits(_ value: UInt64) -> Int {
    var digits = 1
    var v = value
    while v >= 10_000 {
      digits += 4
      v /= 10_000
    }
    return v < 10 ? digits : v < 100 ? digits + 1 : v < 1_000 ? digits + 2 : digits + 3
  }

  /// "00" to "99", two bytes each; a literal, so reading it involves no reference counting.
  private static var digitPairs: StaticString {
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
  }

  /// The last `count` decimal digits of `value` (leading zeros kept), two at a time.
  @inline(__always) static func writeDigits(_ value: UInt64, count: Int, to p: UnsafeMutablePointer<UInt8>) {
    let pairs = digitPairs.utf8Start
    var v = value
    var i = count
    while i >= 2 {
      let pair = Int(v % 100) * 2
      v /= 100
      i -= 2
      p[i] = pairs[pair]
      p[i + 1] = pairs[pair + 1]
    }
    if i == 1 { p[0] = 48 + UInt8(v % 10) }
  }

  /// Inlined: with the length known where it is called, the copy unrolls.
  @inline(__always) public mutating func append(_ text: StaticString) {
    guard text.hasPointerRepresentation else {
      return text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }
    let n = text.utf8CodeUnitCount
    let source = UnsafeRawPointer(text.utf8Start)
    write(maximum: n) { p in
      OutputBuffer.copy(source, n, to: p)
      return n
    }
  }

  public mutating func append(contentsOf text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  public mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  public mutating func removeAll() { count = 0 }

  /// Drops everything from `offset` on.
  mutating func truncate(to offset: Int) { count = min(count, offset) }

  /// Replaces `count` bytes at `offset` with `bytes` (rare: a ladder line that wraps).
  mutating func replace(from offset: Int, count removed: Int, with bytes: [UInt8]) {
    let tail = count - offset - removed
    reserve(bytes.count)
    memmove(pointer + offset + bytes.count, pointer + offset + removed, tail)
    bytes.withUnsafeBufferPointer { pointer.advanced(by: offset).update(from: $0.baseAddress!, count: bytes.count) }
    count = offset + bytes.count + tail
  }

  /// Inserts `bytes` at `offset`, moving what follows (rare: a ladder note that wraps).
  mutating func insert(_ bytes: [UInt8], at offset: Int) {
    reserve(bytes.count)
    memmove(pointer + offset + bytes.count, pointer + offset, count - offset)
    bytes.withUnsafeBufferPointer { pointer.advanced(by: offset).update(from: $0.baseAddress!, count: bytes.count) }
    count += bytes.count
  }
}
