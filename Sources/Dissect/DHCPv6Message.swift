/// DHCPv6 message types (RFC 8415 §7.3, RFC 5007, RFC 6977, RFC 7341).
public enum DHCPv6MessageType {
  public static let solicit: UInt8 = 1, advertise: UInt8 = 2, request: UInt8 = 3, confirm: UInt8 = 4
  public static let renew: UInt8 = 5, rebind: UInt8 = 6, reply: UInt8 = 7, release: UInt8 = 8
  public static let decline: UInt8 = 9, reconfigure: UInt8 = 10, informationRequest: UInt8 = 11
  public static let relayForward: UInt8 = 12, relayReply: UInt8 = 13

  static let names: [String] = [
    "", "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW", "REBIND", "REPLY", "RELEASE", "DECLINE",
    "RECONFIGURE", "INFORMATION-REQUEST", "RELAY-FORW", "RELAY-REPL", "LEASEQUERY", "LEASEQUERY-REPLY",
    "LEASEQUERY-DONE", "LEASEQUERY-DATA", "RECONFIGURE-REQUEST", "RECONFIGURE-REPLY", "DHCPV4-QUERY",
    "DHCPV4-RESPONSE",
  ]

  public static func name(_ type: UInt8) -> String {
    Int(type) < names.count && type != 0 ? names[Int(type)] : "UNKNOWN(\(type))"
  }

  public static func isRelay(_ type: UInt8) -> Bool { type == relayForward || type == relayReply }
}

/// One relay layer of a DHCPv6 message (RFC 8415 §9): a Relay-Forward or Relay-Reply whose
/// Relay Message option (9) holds the next layer.
public struct DHCPv6RelayLayer: Sendable, Equatable {
  public var messageType: UInt8
  public var hopCount: UInt8
  public var linkAddress: IPv6Address
  public var peerAddress: IPv6Address
  /// This layer's options, option 9 included (its content is the next layer).
  public var options: [DHCPv6OptionRef]
}

/// One option of a DHCPv6 message: its value is `message.bytes[range]`.
public struct DHCPv6OptionRef: Sendable, Equatable {
  public var code: UInt16
  public var range: Range<Int>
}

/// A DHCPv6 message with its relay layers unwrapped: the client's or server's message
/// inside, and each relay's layer from the outermost in. Holds the UDP payload and refers to
/// options by offset.
public struct DHCPv6Message: Sendable, Equatable {
  public let bytes: [UInt8]
  /// Outermost first; empty for a message a client or server sent directly.
  public var relays: [DHCPv6RelayLayer] = []
  /// The innermost message's type; a relay type when a layer lacks its Relay Message.
  public var messageType: UInt8 = 0
  /// The innermost message's 24-bit transaction id (0 for a relay layer without one inside).
  public var transactionID: UInt32 = 0
  /// The innermost message's options.
  public var options: [DHCPv6OptionRef] = []
  public var warnings: [String] = []
  /// Why the payload is not a usable DHCPv6 message (too short, no message inside), if so.
  public var malformation: Malformed?

  /// More relay layers than this is a loop or an attack; RFC 8415's HOP_COUNT_LIMIT is 8.
  public static let maximumLayers = 32

  public init(payload: UnsafeRawBufferPointer) {
    bytes = Array(payload.assumingMemoryBound(to: UInt8.self))
    var start = 0
    var end = bytes.count
    while true {
      guard end > start else {
        malformation = Malformed(.shortDHCPv6Message, "DHCPv6 message is empty")
        return
      }
      let type = bytes[start]
      if DHCPv6MessageType.isRelay(type) {
        guard end - start >= 34 else {
          malformation = Malformed(
            .shortDHCPv6Message,
            "\(DHCPv6MessageType.name(type)) is \(end - start) bytes, shorter than its 34-byte header")
          messageType = type
          return
        }
        let layerOptions = walk(from: start + 34, to: end)
        relays.append(
          DHCPv6RelayLayer(
            messageType: type, hopCount: bytes[start + 1], linkAddress: IPv6Address(bytes[...], at: start + 2)!,
            peerAddress: IPv6Address(bytes[...], at: start + 18)!, options: layerOptions))
        // The Relay Message is found by scanning, never by position.
        guard let inner = layerOptions.first(where: { $0.code == DHCPv6Option.relayMessage }) else {
          messageType = type
          malformation = Malformed(.noRelayMessage, "\(DHCPv6MessageType.name(type)) carries no Relay Message option")
          return
        }
        guard relays.count < Self.maximumLayers else {
          messageType = type
          malformation = Malformed(.noRelayMessage, "more than \(Self.maximumLayers) relay layers")
          return
        }
        (start, end) = (inner.range.lowerBound, inner.range.upperBound)
        continue
      }
      messageType = type
      guard end - start >= 4 else {
        malformation = Malformed(
          .shortDHCPv6Message, "DHCPv6 message is \(end - start) bytes, shorter than its 4-byte header")
        return
      }
      transactionID = UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3])
      options = walk(from: start + 4, to: end)
      return
    }
  }

  /// The options in `bytes[start..<end]`; a header or value cut short ends the walk with a
  /// warning.
  private mutating func walk(from start: Int, to end: Int) -> [DHCPv6OptionRef] {
    var result: [DHCPv6OptionRef] = []
    var i = start
    while i < end {
      guard end - i >= 4 else {
        warnings.append("DHCPv6 option header cut short: \(end - i) bytes left")
        break
      }
      let code = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
      let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
      guard i + 4 + length <= end else {
        warnings.append("DHCPv6 option \(code) claims \(length) bytes, \(end - i - 4) remain")
        result.append(DHCPv6OptionRef(code: code, range: (i + 4)..<end))
        break
      }
      result.append(DHCPv6OptionRef(code: code, range: (i + 4)..<(i + 4 + length)))
      i += 4 + length
    }
    return result
  }

  public func value(_ option: DHCPv6OptionRef) -> ArraySlice<UInt8> { bytes[option.range] }

  /// The first option `code` of the innermost message.
  public func option(_ code: UInt16) -> ArraySlice<UInt8>? {
    options.first { $0.code == code }.map { bytes[$0.range] }
  }

  public var messageTypeName: String { DHCPv6MessageType.name(messageType) }
}

/// A DHCPv6 message with where and when it was seen.
public struct DHCPv6Packet: Sendable {
  public var frame: Int
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var interface: CaptureInterface?
  public var vlanIDs: [UInt16]
  public var sourceMAC: UInt64?
  public var source: IPv6Address
  public var destination: IPv6Address
  public var sourcePort: UInt16
  public var destinationPort: UInt16
  public var hopLimit: UInt8
  public var message: DHCPv6Message
}
