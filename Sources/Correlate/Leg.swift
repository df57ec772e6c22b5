import Dissect

/// Which hop of a (possibly relayed) exchange a packet travelled.
public enum Leg: String, Sendable, CaseIterable {
  case clientRelay = "client-relay"
  case relayServer = "relay-server"
  case serverRelay = "server-relay"
  case relayClient = "relay-client"
  case clientServer = "client-server"
  case serverClient = "server-client"
  /// DHCPv6: between two relays of a chain, either way.
  case relayRelay = "relay-relay"

  /// One end of a leg: who sent or received the packet.
  public enum Party: Sendable {
    case client, relay, server
  }

  /// Who sent the packet on this leg, and who it went to: what every drawing of a ladder
  /// turns into lanes.
  public var ends: (from: Party, to: Party) {
    switch self {
    case .clientRelay: return (.client, .relay)
    case .relayServer: return (.relay, .server)
    case .serverRelay: return (.server, .relay)
    case .relayClient: return (.relay, .client)
    case .clientServer: return (.client, .server)
    case .serverClient: return (.server, .client)
    case .relayRelay: return (.relay, .relay)
    }
  }

  /// Sent by the client itself (as opposed to a relay's copy).
  public var isClientSide: Bool { self == .clientRelay || self == .clientServer }
  /// Sent by a server (as opposed to a relay passing it on).
  public var isServerSide: Bool { self == .serverRelay || self == .serverClient }
  /// Seen by, or delivered to, the client.
  public var reachesClient: Bool { self == .relayClient || self == .serverClient }

  /// Classifies by op, giaddr and ports. A client's packet with giaddr 0 is provisionally
  /// client-server; it becomes client-relay when the transaction turns out to be relayed.
  @inline(__always) public static func classify(_ p: PacketSummary) -> Leg {
    if p.isReply {
      if p.destinationPort == 67 { return .serverRelay }
      return p.giaddr.isZero ? .serverClient : .relayClient
    }
    // Requests: a relay fills in giaddr (RFC 1542 §4.1); a relay-to-relay or 67→67 hop too.
    if !p.giaddr.isZero || (p.sourcePort == 67 && p.destinationPort == 67) { return .relayServer }
    return .clientServer
  }
}

extension Array where Element == SequenceEntry {
  /// The relay addresses (giaddr) of these packets, in the order first seen.
  var relayAgents: [IPv4Address] {
    var agents: [IPv4Address] = []
    for e in self where !e.giaddr.isZero && !agents.contains(e.giaddr) { agents.append(e.giaddr) }
    return agents
  }

  /// Settles the provisional legs once the whole transaction is known: in a relayed one, the
  /// client's broadcasts (and packets to the relay) went client→relay, not client→server.
  mutating func resolveRelayedLegs() {
    guard contains(where: { !$0.giaddr.isZero }) else { return }
    for i in indices where self[i].leg == .clientServer {
      let d = self[i].destination
      if d == .broadcast || (!d.isZero && contains { $0.giaddr == d }) { self[i].leg = .clientRelay }
    }
  }
}

/// One packet of a transaction, as the report shows it.
public struct SequenceEntry: Sendable, Timestamped {
  public var frame: Int
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var messageType: UInt8?
  public var op: UInt8
  public var leg: Leg
  public var source: IPv4Address
  public var destination: IPv4Address
  public var sourcePort: UInt16
  public var destinationPort: UInt16
  public var giaddr: IPv4Address
  public var yiaddr: IPv4Address
  public var ciaddr: IPv4Address
  public var hops: UInt8
  public var secs: UInt16
  public var ipIdentification: UInt16
  public var hasOption82: Bool
  /// Option 54: the server a request names, or the server a reply comes from.
  public var serverIdentifier: IPv4Address?
  public var leaseSeconds: UInt32?
  /// Option 50.
  public var requestedAddress: IPv4Address?
  public var interface: CaptureInterface?
  /// Another capture of a packet already in the sequence (the `any` device, or a second
  /// interface of a pcapng): listed, but not counted.
  public var isDuplicate = false

  public var typeName: String { MessageType.name(messageType) }
  public var isRequest: Bool { op == 1 }

  @inline(__always) public init(_ p: PacketSummary) {
    frame = p.frame
    fileIndex = p.fileIndex
    timestamp = p.timestamp
    messageType = p.messageType
    op = p.op
    leg = Leg.classify(p)
    source = p.source
    destination = p.destination
    sourcePort = p.sourcePort
    destinationPort = p.destinationPort
    giaddr = p.giaddr
    yiaddr = p.yiaddr
    ciaddr = p.ciaddr
    hops = p.hops
    secs = p.secs
    ipIdentification = p.ipIdentification
    hasOption82 = p.hasOption82
    serverIdentifier = p.serverIdentifier
    leaseSeconds = p.leaseSeconds
    requestedAddress = p.requestedAddress
    interface = p.interface
  }

  /// The server this packet was sent to (requests) or came from (replies), if it says.
  public var serverAddress: IPv4Address? {
    switch leg {
    case .relayServer: return destination
    case .clientServer: return destination == .broadcast || destination.isZero ? nil : destination
    case .serverRelay, .serverClient: return source
    case .relayClient: return serverIdentifier
    case .clientRelay, .relayRelay: return nil
    }
  }

  /// Two bits of 64 from the fields `isSamePacket` compares exactly: the same packet has the
  /// same two.
  @inline(__always) var fingerprint: UInt64 {
    var h = UInt64(source.value) << 32 | UInt64(destination.value)
    h ^= UInt64(ipIdentification) << 48 | UInt64(secs) << 32 | UInt64(messageType ?? 0) << 8 | UInt64(op)
    h = (h ^ (h >> 31)) &* 0x9E37_79B9_7F4A_7C15
    return 1 << (h >> 58) | 1 << ((h >> 52) & 63)
  }

  /// Whether `other` is the same physical packet captured again: same addresses, ports,
  /// IP identification, type and secs, within a fraction of a second.
  func isSamePacket(as other: SequenceEntry) -> Bool {
    source == other.source && destination == other.destination && sourcePort == other.sourcePort
      && destinationPort == other.destinationPort && ipIdentification == other.ipIdentification
      && messageType == other.messageType && secs == other.secs && op == other.op
      && giaddr == other.giaddr && hops == other.hops
      && abs(timestamp.totalNanoseconds - other.timestamp.totalNanoseconds) < 200_000_000
  }
}
