import Dissect

/// One relay layer as correlation sees it (RFC 8415 §9.1): the hop count, link and peer
/// addresses, and the Interface-Id the relay added, if any.
public struct DHCPv6RelayHop: Sendable, Equatable {
  public var messageType: UInt8
  public var hopCount: UInt8
  public var linkAddress: IPv6Address
  public var peerAddress: IPv6Address
  public var interfaceID: [UInt8]?
}

/// An address (IA Address) or a delegated prefix (IA Prefix) with its lifetimes.
public struct DHCPv6Lease: Sendable, Equatable {
  public var address: IPv6Address
  /// The prefix length of a delegated prefix; nil for an address.
  public var prefixLength: UInt8?
  public var preferredLifetime: UInt32
  public var validLifetime: UInt32
}

/// A Status Code option (13): its code and the server's words.
public struct DHCPv6Status: Sendable, Equatable {
  public var code: UInt16
  public var message: String
  public var name: String { DHCPv6Option.statusName(code) }
  public var isSuccess: Bool { code == 0 }
}

/// The fields of a DHCPv6 packet that correlation needs.
public struct DHCPv6Sighting: Sendable, Timestamped {
  public var frame: Int
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var source: IPv6Address
  public var destination: IPv6Address
  public var sourceMAC: UInt64?
  /// The innermost message.
  public var messageType: UInt8
  public var xid: UInt32
  /// Relay layers, outermost first.
  public var layers: [DHCPv6RelayHop]
  public var clientDUID: [UInt8]?
  public var serverDUID: [UInt8]?
  public var addresses: [DHCPv6Lease] = []
  public var prefixes: [DHCPv6Lease] = []
  /// The message's own Status Code (option 13 at its top level).
  public var status: DHCPv6Status?
  /// The first failing Status Code inside an IA (e.g. NoAddrsAvail for IA_NA).
  public var iaStatus: DHCPv6Status?
  public var rapidCommit = false

  public var isFromClient: Bool { DHCPv6Sighting.clientTypes.contains(messageType) }
  public var isReply: Bool {
    messageType == DHCPv6MessageType.advertise || messageType == DHCPv6MessageType.reply
  }
  static let clientTypes: Set<UInt8> = [1, 3, 4, 5, 6, 8, 9, 11]

  /// nil for a damaged message, or one that is not part of a client's exchange (RECONFIGURE,
  /// leasequery).
  public init?(_ p: DHCPv6Packet) {
    let m = p.message
    guard m.malformation == nil else { return nil }
    frame = p.frame
    fileIndex = p.fileIndex
    timestamp = p.timestamp
    source = p.source
    destination = p.destination
    sourceMAC = p.sourceMAC
    messageType = m.messageType
    xid = m.transactionID
    layers = m.relays.map { layer in
      DHCPv6RelayHop(
        messageType: layer.messageType, hopCount: layer.hopCount, linkAddress: layer.linkAddress,
        peerAddress: layer.peerAddress,
        interfaceID: layer.options.first { $0.code == DHCPv6Option.interfaceID }.map { Array(m.value($0)) })
    }
    guard Self.clientTypes.contains(messageType) || messageType == 2 || messageType == 7 else { return nil }
    for option in m.options {
      let v = m.value(option)
      switch option.code {
      case DHCPv6Option.clientID: clientDUID = Array(v)
      case DHCPv6Option.serverID: serverDUID = Array(v)
      case DHCPv6Option.statusCode: status = Self.status(v)
      case DHCPv6Option.rapidCommit: rapidCommit = true
      case DHCPv6Option.iaNA, DHCPv6Option.iaTA, DHCPv6Option.iaPD:
        let start = v.startIndex + (option.code == DHCPv6Option.iaTA ? 4 : 12)
        if start <= v.endIndex { readIA(v[start...]) }
      default: break
      }
    }
  }

  /// The addresses, prefixes and status codes inside an IA.
  private mutating func readIA(_ v: ArraySlice<UInt8>) {
    for (code, value) in Self.options(v) {
      switch code {
      case DHCPv6Option.iaAddress where value.count >= 24:
        let s = value.startIndex
        addresses.append(
          DHCPv6Lease(
            address: IPv6Address(value, at: s)!, prefixLength: nil, preferredLifetime: Self.u32(value, s + 16),
            validLifetime: Self.u32(value, s + 20)))
        for (inner, status) in Self.options(value[(s + 24)...]) where inner == DHCPv6Option.statusCode {
          if let st = Self.status(status), !st.isSuccess, iaStatus == nil { iaStatus = st }
        }
      case DHCPv6Option.iaPrefix where value.count >= 25:
        let s = value.startIndex
        prefixes.append(
          DHCPv6Lease(
            address: IPv6Address(value, at: s + 9)!, prefixLength: value[s + 8],
            preferredLifetime: Self.u32(value, s), validLifetime: Self.u32(value, s + 4)))
      case DHCPv6Option.statusCode:
        if let st = Self.status(value), !st.isSuccess, iaStatus == nil { iaStatus = st }
      default: break
      }
    }
  }

  static func options(_ v: ArraySlice<UInt8>) -> [(UInt16, ArraySlice<UInt8>)] {
    var result: [(UInt16, ArraySlice<UInt8>)] = []
    var i = v.startIndex
    while v.endIndex - i >= 4 {
      let code = UInt16(v[i]) << 8 | UInt16(v[i + 1])
      let length = Int(v[i + 2]) << 8 | Int(v[i + 3])
      guard i + 4 + length <= v.endIndex else { break }
      result.append((code, v[(i + 4)..<(i + 4 + length)]))
      i += 4 + length
    }
    return result
  }

  static func status(_ v: ArraySlice<UInt8>) -> DHCPv6Status? {
    guard v.count >= 2 else { return nil }
    let s = v.startIndex
    return DHCPv6Status(
      code: UInt16(v[s]) << 8 | UInt16(v[s + 1]), message: String(decoding: v[(s + 2)...], as: UTF8.self))
  }

  static func u32(_ v: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    UInt32(v[at]) << 24 | UInt32(v[at + 1]) << 16 | UInt32(v[at + 2]) << 8 | UInt32(v[at + 3])
  }

  /// The client's link-layer address from its DUID (DUID-LLT and DUID-LL of Ethernet).
  public static func mac(fromDUID duid: [UInt8]) -> HardwareAddress? {
    guard duid.count >= 4 else { return nil }
    let type = Int(duid[0]) << 8 | Int(duid[1])
    let hardware = Int(duid[2]) << 8 | Int(duid[3])
    guard hardware == 1 else { return nil }
    if type == 1, duid.count == 14 { return HardwareAddress(Array(duid[8...])) }
    if type == 3, duid.count == 10 { return HardwareAddress(Array(duid[4...])) }
    return nil
  }
}
