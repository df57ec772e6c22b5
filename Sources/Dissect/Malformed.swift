/// Why a frame or a DHCP payload could not be taken as a packet: a stable code per kind of
/// damage (for summaries and scripts) with the particulars in words (for people).
public struct Malformed: Sendable, Equatable, Error {
  public enum Reason: String, Sendable, CaseIterable {
    case truncatedLinkHeader = "truncated-link-header"
    /// A link type the dissector does not follow (files and devices of one are refused when
    /// opened, so this is seen only by callers that skip that check).
    case unsupportedLinkType = "unsupported-link-type"
    case tooManyVLANTags = "too-many-vlan-tags"
    case badIPHeader = "bad-ip-header"
    case truncatedUDPHeader = "truncated-udp-header"
    case fragmentsDropped = "fragments-dropped"
    /// A UDP 67/68 payload shorter than BOOTP's 236-byte fixed header (RFC 2131 §2).
    case shortBOOTPHeader = "short-bootp-header"
    /// op is neither BOOTREQUEST (1) nor BOOTREPLY (2).
    case badOp = "bad-op"
    /// The vendor area starts with something other than RFC 1497's cookie 99.130.83.99 and
    /// is not RFC 951's all-zero area.
    case badMagicCookie = "bad-magic-cookie"
    /// A UDP 546/547 payload shorter than its DHCPv6 header (4 bytes; 34 for a relay layer).
    case shortDHCPv6Message = "short-dhcpv6-message"
    /// A Relay-Forward or Relay-Reply without the Relay Message option (9) it exists to carry.
    case noRelayMessage = "no-relay-message"
  }

  public var reason: Reason
  public var detail: String

  public init(_ reason: Reason, _ detail: String) {
    self.reason = reason
    self.detail = detail
  }

  /// What makes a UDP 67/68 payload unusable as BOOTP, or nil when it is a message. A message
  /// with such a flaw is still decoded and shown by `decode` (with this as a warning), but never
  /// becomes, or closes, a transaction.
  public static func inBOOTP(_ payload: UnsafeRawBufferPointer) -> Malformed? {
    let fixed = DHCPMessage.fixedHeaderLength
    guard payload.count >= fixed else {
      return Malformed(
        .shortBOOTPHeader, "BOOTP message is \(payload.count) bytes, shorter than the \(fixed)-byte fixed header")
    }
    if let problem = badOp(payload[0]) { return problem }
    if payload.count >= fixed + 4 {
      let cookie = payload.bigEndianUInt32(at: fixed)
      if cookie != DHCPMessage.magicCookie && !payload[fixed...].allSatisfy({ $0 == 0 }) {
        return Malformed(
          .badMagicCookie, "bad magic cookie 0x\(String(cookie, radix: 16)) (expected 0x63825363)")
      }
    }
    return nil
  }

  /// An op other than BOOTREQUEST (1) and BOOTREPLY (2).
  static func badOp(_ op: UInt8) -> Malformed? {
    op == 1 || op == 2 ? nil : Malformed(.badOp, "op \(op) is neither BOOTREQUEST (1) nor BOOTREPLY (2)")
  }
}

extension DHCPMessage {
  /// `Malformed.inBOOTP` of this message's payload: why `analyze` would not take it as a
  /// message (`decode` shows it with this reason).
  public var malformation: Malformed? {
    storage.withUnsafeBytes { Malformed.inBOOTP(UnsafeRawBufferPointer(rebasing: $0[..<payloadLength])) }
  }
}
