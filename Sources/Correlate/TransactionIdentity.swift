import Dissect

/// The identity options of one transaction, each kept once per kind of message it came in:
/// what the analysis reads to say who the client is (`ClientIdentity`), what the relay agent
/// added (option 82), and what the server said (option 56).
///
/// The correlator records every packet's `IdentityOptions` here as it arrives; only the first
/// value of each option per source is stored, so a transaction costs one small array however
/// many packets repeat the same host name.
public struct TransactionIdentity: Sendable {
  /// The kind of message an option came in.
  public enum Source: UInt8, Sendable, CaseIterable {
    /// A request the client sent itself.
    case client
    /// A relay agent's copy of a request, sent to a server.
    case relay
    /// The first NAK (its option 56, if it has one).
    case nak
    /// Any reply.
    case reply
  }

  /// Source, code, length and value, one option after another.
  private var bytes: [UInt8] = []
  /// One bit per source and entry of `IdentityOptions.codes` already stored (or, for the NAK,
  /// looked at).
  private var stored: UInt32 = 0

  public init() {}

  private static func bit(_ source: Source, _ codeIndex: Int) -> UInt32 {
    1 << (UInt32(source.rawValue) * 8 + UInt32(codeIndex))
  }

  /// Records the options of one packet that is not a duplicate capture of another.
  mutating func record(_ entry: SequenceEntry, _ options: UnsafePointer<IdentityOptions>) {
    if entry.isRequest {
      record(options, from: entry.leg.isClientSide ? .client : .relay)
    } else {
      if entry.messageType == MessageType.nak {
        let nakSeen = Self.bit(.nak, 7)
        if stored & nakSeen == 0 {
          stored |= nakSeen
          record(options, from: .nak)
        }
      }
      record(options, from: .reply)
    }
  }

  private mutating func record(_ options: UnsafePointer<IdentityOptions>, from source: Source) {
    let storedCodes = UInt8(truncatingIfNeeded: stored >> (UInt32(source.rawValue) * 8))
    let newCodes = options.pointee.kept & ~storedCodes
    guard newCodes != 0 else { return }
    // The first packet's options set the size: room for them three times over (the client's
    // request, the relay's copy, the reply), so a relayed exchange allocates once. Beyond that
    // the array grows as arrays do.
    if bytes.capacity == 0 { bytes.reserveCapacity(3 * (options.pointee.byteCount + newCodes.nonzeroBitCount)) }
    IdentityOptions.withUnsafeBytes(at: options) { kept in
      var i = 0
      while i + 2 <= kept.count {
        let code = kept[i]
        let length = Int(kept[i + 1])
        defer { i += 2 + length }
        guard let index = IdentityOptions.index(of: code) else { continue }
        let bit = Self.bit(source, index)
        guard stored & bit == 0 else { continue }
        stored |= bit
        bytes.append(source.rawValue)
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: kept[i..<i + 2 + length]))
      }
    }
  }

  /// The first value of option `code` that came from `source`, lent to `body`; nil when
  /// there is none. The bytes are lent, not sliced: a slice would retain the array.
  public func withValue<Result>(
    _ code: UInt8, from source: Source, _ body: (UnsafeRawBufferPointer) -> Result
  ) -> Result? {
    guard let index = IdentityOptions.index(of: code), stored & Self.bit(source, index) != 0 else { return nil }
    return bytes.withUnsafeBytes { all in
      var i = 0
      while i + 3 <= all.count {
        let end = i + 3 + Int(all[i + 2])
        if all[i] == source.rawValue && all[i + 1] == code {
          return body(UnsafeRawBufferPointer(rebasing: all[(i + 3)..<end]))
        }
        i = end
      }
      return nil
    }
  }
}
