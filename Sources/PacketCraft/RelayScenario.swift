import Dissect

/// Frames of a relayed (or direct) exchange between one client, a relay and servers, with
/// the addresses of the project's lab: clients on 192.0.2.0/24 behind relay 192.0.2.1, whose
/// server side is 198.51.100.1. Used for crafted fixtures and the load generator.
public struct RelayScenario {
  public var xid: UInt32
  public var clientMAC: [UInt8]
  public var relayClientSide = IPv4Address("192.0.2.1")!
  public var relayServerSide = IPv4Address("198.51.100.1")!
  public var circuitID: [UInt8] = Array("r-c".utf8)
  public var hostName = "crafted-client"

  public init(xid: UInt32, clientMAC: [UInt8] = [0x02, 0, 0, 0, 0xC0, 0x01]) {
    self.xid = xid
    self.clientMAC = clientMAC
  }

  static let serverMAC: [UInt8] = [0x02, 0, 0, 0, 0x5E, 0x01]
  static let relayServerSideMAC: [UInt8] = [0x02, 0, 0, 0, 0xEE, 0x01]
  static let relayClientSideMAC: [UInt8] = [0x02, 0, 0, 0, 0xEE, 0x02]

  /// `message` in UDP, IPv4 and Ethernet between the given ends.
  public func frame(
    _ message: BOOTPBuilder, from source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address,
    _ destinationPort: UInt16, ipID: UInt16, sourceMAC: [UInt8], destinationMAC: [UInt8]
  ) -> [UInt8] {
    var f = FrameBuilder()
    f.source = source
    f.destination = destination
    f.sourcePort = sourcePort
    f.destinationPort = destinationPort
    f.identification = ipID
    f.sourceMAC = sourceMAC
    f.destinationMAC = destinationMAC
    return f.frame(message.build())
  }

  public func message(_ type: UInt8, secs: UInt16 = 0) -> BOOTPBuilder {
    var b = BOOTPBuilder(type: type, xid: xid)
    b.chaddr = clientMAC
    b.secs = secs
    return b
  }

  /// What the client broadcasts: DISCOVER or REQUEST (with the chosen server and address).
  public func clientBroadcast(
    _ type: UInt8, secs: UInt16 = 0, requested: IPv4Address? = nil, server: IPv4Address? = nil,
    ipID: UInt16 = 0, extra: [UInt8] = []
  ) -> [UInt8] {
    var b = message(type, secs: secs)
    if let requested { b.add(50, address: requested) }
    if let server { b.add(54, address: server) }
    b.add(12, text: hostName)
    b.add(55, [1, 3, 6, 15])
    b.options += extra
    return frame(
      b, from: .zero, 68, to: .broadcast, 67, ipID: ipID, sourceMAC: clientMAC,
      destinationMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
  }

  /// The relay's copy to a server: giaddr set, hops incremented, option 82 appended.
  public func relayToServer(
    _ type: UInt8, server: IPv4Address, secs: UInt16 = 0, requested: IPv4Address? = nil,
    serverID: IPv4Address? = nil, hops: UInt8 = 1, option82: Bool = true, ipID: UInt16 = 7
  ) -> [UInt8] {
    var b = message(type, secs: secs)
    b.giaddr = relayClientSide
    b.hops = hops
    if let requested { b.add(50, address: requested) }
    if let serverID { b.add(54, address: serverID) }
    b.add(12, text: hostName)
    b.add(55, [1, 3, 6, 15])
    if option82 { b.add(82, BOOTPBuilder.option(1, circuitID)) }
    return frame(
      b, from: relayServerSide, 67, to: server, 67, ipID: ipID, sourceMAC: Self.relayServerSideMAC,
      destinationMAC: Self.serverMAC)
  }

  /// A reply on its way through a relay: hops 1, giaddr set, lease options unless a NAK.
  func relayedReply(
    _ type: UInt8, server: IPv4Address, yiaddr: IPv4Address, lease: UInt32, giaddr: IPv4Address, option82: Bool
  ) -> BOOTPBuilder {
    var b = message(type)
    b.op = 2
    b.giaddr = giaddr
    b.hops = 1
    b.add(54, address: server)
    if type != MessageType.nak {
      b.yiaddr = yiaddr
      b.add(51, uint32: lease)
      b.add(1, address: IPv4Address("255.255.255.0")!)
      b.add(3, address: relayClientSide)
    }
    if option82 { b.add(82, BOOTPBuilder.option(1, circuitID)) }
    return b
  }

  /// A server's reply to the relay (port 67, giaddr kept, option 82 echoed).
  public func serverToRelay(
    _ type: UInt8, server: IPv4Address, yiaddr: IPv4Address, lease: UInt32 = 600, option82: Bool = true,
    giaddr: IPv4Address? = nil, destinationPort: UInt16 = 67, ipID: UInt16 = 9
  ) -> [UInt8] {
    let b = relayedReply(
      type, server: server, yiaddr: yiaddr, lease: lease, giaddr: giaddr ?? relayClientSide, option82: option82)
    return frame(
      b, from: server, 67, to: relayClientSide, destinationPort, ipID: ipID, sourceMAC: Self.serverMAC,
      destinationMAC: Self.relayServerSideMAC)
  }

  /// The relay passing a reply on to the client (port 68), option 82 removed unless asked.
  public func relayToClient(
    _ type: UInt8, server: IPv4Address, yiaddr: IPv4Address, lease: UInt32 = 600, keepOption82: Bool = false,
    ipID: UInt16 = 11
  ) -> [UInt8] {
    let b = relayedReply(
      type, server: server, yiaddr: yiaddr, lease: lease, giaddr: relayClientSide, option82: keepOption82)
    return frame(
      b, from: relayClientSide, 67, to: type == MessageType.nak ? .broadcast : yiaddr, 68, ipID: ipID,
      sourceMAC: Self.relayClientSideMAC, destinationMAC: clientMAC)
  }

  /// A server answering a client on its own segment (no relay).
  public func serverToClient(
    _ type: UInt8, server: IPv4Address, yiaddr: IPv4Address, lease: UInt32? = 600, ipID: UInt16 = 13
  ) -> [UInt8] {
    var b = message(type)
    b.op = 2
    b.yiaddr = yiaddr
    b.add(54, address: server)
    if let lease { b.add(51, uint32: lease) }
    b.add(1, address: IPv4Address("255.255.255.0")!)
    return frame(
      b, from: server, 67, to: yiaddr.isZero ? .broadcast : yiaddr, 68, ipID: ipID, sourceMAC: Self.serverMAC,
      destinationMAC: clientMAC)
  }

  /// A unicast message from a bound client straight to a server (renew, release, inform).
  public func clientUnicast(
    _ type: UInt8, from client: IPv4Address, to server: IPv4Address, serverID: Bool = true, ipID: UInt16 = 21
  ) -> [UInt8] {
    var b = message(type)
    b.ciaddr = client
    if serverID { b.add(54, address: server) }
    return frame(
      b, from: client, 68, to: server, 67, ipID: ipID, sourceMAC: clientMAC, destinationMAC: Self.serverMAC)
  }
}
