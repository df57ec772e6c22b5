/// The one walk over code-length-value options, as DHCP lays out its options (RFC 2132 §2)
/// and most sub-options (RFC 3046 option 82, vendor option 43): each item is a code byte, a
/// length byte and that many bytes of value. The message, the fast summary, the sub-option
/// decoder and the analysis all read options through this.
///
/// With `padAndEnd`, code 0 is a one-byte pad and code 255 ends the list (the message's
/// options, PXE's and other vendor sub-options); without, every code has a length (option 82).
/// The walk stops at the end of the bytes, at the end option, at a code with no length byte,
/// or after an option whose length runs past the end (that option is returned cut short);
/// `stop` says which.
public struct OptionWalk<Bytes: Collection> where Bytes.Element == UInt8, Bytes.Index == Int {
  public enum Stop: Equatable, Sendable {
    /// Still walking, or the bytes ran out between options.
    case exhausted
    /// At an end option (255), with `padAndEnd`.
    case endOption
    /// The last byte is a code with no length after it.
    case missingLength(code: UInt8, offset: Int)
    /// The option's length runs past the end; it was returned with the bytes there are.
    case overrun(code: UInt8, length: Int, available: Int)
  }

  public struct Option: Sendable {
    public var code: UInt8
    /// Where its value is in the bytes walked (cut short when the walk stopped at `.overrun`).
    public var value: Range<Int>

    @inlinable init(code: UInt8, value: Range<Int>) {
      self.code = code
      self.value = value
    }
  }

  // Inlinable, so a walk in another module is specialised to its bytes: the generic walk
  // allocates a coroutine frame for every byte it reads.
  @usableFromInline let bytes: Bytes
  @usableFromInline var position: Int
  @usableFromInline let end: Int
  @usableFromInline let padAndEnd: Bool
  @usableFromInline var stopReason = Stop.exhausted
  /// Why the walk stopped (`.exhausted` while it goes on).
  public var stop: Stop { stopReason }

  /// Walks `range` of `bytes` (all of them by default).
  @inlinable public init(_ bytes: Bytes, range: Range<Int>? = nil, padAndEnd: Bool) {
    self.bytes = bytes
    let range = range ?? bytes.startIndex..<bytes.endIndex
    position = range.lowerBound
    end = range.upperBound
    self.padAndEnd = padAndEnd
  }

  /// The next option, or nil where the walk stops.
  @inlinable public mutating func next() -> Option? {
    while position < end {
      let code = bytes[position]
      if padAndEnd && code == 0 {
        position += 1
        continue
      }
      if padAndEnd && code == 255 {
        stopReason = .endOption
        position = end
        return nil
      }
      guard position + 1 < end else {
        stopReason = .missingLength(code: code, offset: position)
        position = end
        return nil
      }
      let length = Int(bytes[position + 1])
      let start = position + 2
      guard start + length <= end else {
        stopReason = .overrun(code: code, length: length, available: end - start)
        position = end
        return Option(code: code, value: start..<end)
      }
      position = start + length
      return Option(code: code, value: start..<position)
    }
    return nil
  }
}
