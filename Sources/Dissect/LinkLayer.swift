/// Link-layer header types (the numbers `pcap_datalink` returns) that dhcpscope understands.
public enum LinkType {
  public static let null: Int = 0  // BSD loopback, 4-byte address family in host byte order
  public static let ethernet: Int = 1
  public static let rawDLT12: Int = 12  // DLT_RAW on most platforms
  public static let rawDLT14: Int = 14  // DLT_RAW on OpenBSD
  public static let raw: Int = 101  // LINKTYPE_RAW as written in files
  public static let loop: Int = 108  // OpenBSD loopback, address family in network byte order
  public static let linuxSLL: Int = 113
  public static let ipv4: Int = 228
  public static let linuxSLL2: Int = 276

  public static func isSupported(_ type: Int) -> Bool {
    [null, ethernet, rawDLT12, rawDLT14, raw, loop, linuxSLL, ipv4, linuxSLL2].contains(type)
  }

  public static func name(_ type: Int) -> String {
    switch type {
    case null: return "NULL (BSD loopback)"
    case ethernet: return "EN10MB (Ethernet)"
    case rawDLT12, rawDLT14, raw: return "RAW (IP)"
    case loop: return "LOOP (OpenBSD loopback)"
    case linuxSLL: return "LINUX_SLL (Linux cooked v1)"
    case ipv4: return "IPV4"
    case linuxSLL2: return "LINUX_SLL2 (Linux cooked v2)"
    default: return "linktype \(type)"
    }
  }
}

/// Where a Linux cooked capture says a packet was seen: the interface index (SLL2 only) and
/// the packet type, which tells the direction.
public struct CaptureInterface: Hashable, Sendable {
  public var index: UInt32?
  public var packetType: UInt16

  public init(index: UInt32?, packetType: UInt16) {
    self.index = index
    self.packetType = packetType
  }

  /// tcpdump's words for the Linux packet types.
  public var direction: String { Self.directionName(packetType).map(\.description) ?? "type-\(packetType)" }

  /// tcpdump's word for a Linux packet type (nil: another type, `type-N`); a static string,
  /// so reports copy it without building a `String`.
  public static func directionName(_ packetType: UInt16) -> StaticString? {
    switch packetType {
    case 0: return "in"  // PACKET_HOST
    case 1: return "in-broadcast"
    case 2: return "in-multicast"
    case 3: return "in-otherhost"
    case 4: return "out"  // PACKET_OUTGOING
    default: return nil
    }
  }
}

/// What the link layer says about a frame: where the network-layer packet starts, and the
/// tags and capture interface found on the way.
public struct LinkHeader {
  public var networkOffset: Int
  public var etherType: UInt16
  public var vlanIDs: [UInt16] = []
  public var interface: CaptureInterface?
  public var sourceMAC: UInt64?  // Ethernet source, 48 bits, for leg classification
}

public enum LinkError: Error, Equatable {
  case truncated(String)
  case unsupportedLinkType(Int)
  case tooManyTags(Int)
}

enum EtherType {
  static let ipv4: UInt16 = 0x0800
  static let ipv6: UInt16 = 0x86DD
  static let vlan: UInt16 = 0x8100
  static let qinq: UInt16 = 0x88A8
  static let qinqOld: UInt16 = 0x9100
  static func isTag(_ t: UInt16) -> Bool { t == vlan || t == qinq || t == qinqOld }
}

/// The deepest tag stack followed; a frame with more is hostile or broken.
let maximumVLANTags = 8

/// Finds the network-layer packet inside a frame of the given link type.
@inline(__always) public func parseLinkHeader(_ bytes: UnsafeRawBufferPointer, linkType: Int) -> Result<
  LinkHeader, LinkError
> {
  var cursor = ByteCursor(bytes)
  var header: LinkHeader
  switch linkType {
  case LinkType.ethernet:
    guard bytes.count >= 14 else { return .failure(.truncated("Ethernet header")) }
    var mac: UInt64 = 0
    for i in 6..<12 { mac = mac << 8 | UInt64(bytes[i]) }
    cursor.skip(12)
    header = LinkHeader(networkOffset: 0, etherType: cursor.readUInt16()!)
    header.sourceMAC = mac
  case LinkType.linuxSLL:
    guard bytes.count >= 16 else { return .failure(.truncated("Linux cooked (SLL) header")) }
    let packetType = cursor.readUInt16()!
    cursor.skip(12)
    header = LinkHeader(networkOffset: 0, etherType: cursor.readUInt16()!)
    header.interface = CaptureInterface(index: nil, packetType: packetType)
  case LinkType.linuxSLL2:
    guard bytes.count >= 20 else { return .failure(.truncated("Linux cooked v2 (SLL2) header")) }
    let protocolType = cursor.readUInt16()!
    cursor.skip(2)
    let index = cursor.readUInt32()!
    cursor.skip(2)  // ARPHRD type
    let packetType = UInt16(cursor.readUInt8()!)
    cursor.skip(9)  // address length and address
    header = LinkHeader(networkOffset: 0, etherType: protocolType)
    header.interface = CaptureInterface(index: index, packetType: packetType)
  case LinkType.rawDLT12, LinkType.rawDLT14, LinkType.raw, LinkType.ipv4:
    guard let first = bytes.first else { return .failure(.truncated("raw IP packet")) }
    header = LinkHeader(networkOffset: 0, etherType: first >> 4 == 6 ? EtherType.ipv6 : EtherType.ipv4)
  case LinkType.null, LinkType.loop:
    guard bytes.count >= 4 else { return .failure(.truncated("loopback header")) }
    // The family is in the writer's byte order for NULL; 2 (AF_INET) is the same everywhere.
    let raw = bytes.loadUnaligned(as: UInt32.self)
    let family = linkType == LinkType.loop ? UInt32(bigEndian: raw) : raw
    let swapped = family.byteSwapped
    let isIPv4 = family == 2 || swapped == 2
    cursor.skip(4)
    header = LinkHeader(networkOffset: 0, etherType: isIPv4 ? EtherType.ipv4 : EtherType.ipv6)
  default:
    return .failure(.unsupportedLinkType(linkType))
  }
  // 802.1Q / 802.1ad tags, stacked (Q-in-Q), may follow Ethernet or a cooked header.
  var tags = 0
  while EtherType.isTag(header.etherType) {
    tags += 1
    guard tags <= maximumVLANTags else { return .failure(.tooManyTags(tags)) }
    guard let tci = cursor.readUInt16(), let inner = cursor.readUInt16() else {
      return .failure(.truncated("802.1Q tag"))
    }
    header.vlanIDs.append(tci & 0x0FFF)
    header.etherType = inner
  }
  header.networkOffset = cursor.offset
  return .success(header)
}
