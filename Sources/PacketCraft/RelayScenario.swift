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

  func message(_ type: UInt8, secs: UInt16 = 0) -> BOOTPBuilder {
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
    var f = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    f.sourceMAC = clientMAC
    f.identification = ipID
    return f.frame(b.build())
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
    var f = FrameBuilder()
    f.source = relayServerSide
    f.destination = server
    f.sourcePort = 67
    f.destinationPort = 67
    f.identification = ipID
    f.sourceMAC = [0x02, 0, 0, 0, 0xEE, 0x01]
    f.destinationMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    return f.frame(b.build())
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
    var f = FrameBuilder()
    f.source = server
    f.destination = relayClientSide
    f.sourcePort = 67
    f.destinationPort = destinationPort
    f.identification = ipID
    f.sourceMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    f.destinationMAC = [0x02, 0, 0, 0, 0xEE, 0x01]
    return f.frame(b.build())
  }

  /// The relay passing a reply on to the client (port 68), option 82 removed unless asked.
  public func relayToClient(
    _ type: UInt8, server: IPv4Address, yiaddr: IPv4Address, lease: UInt32 = 600, keepOption82: Bool = false,
    ipID: UInt16 = 11
  ) -> [UInt8] {
    let b = relayedReply(
      type, server: server, yiaddr: yiaddr, lease: lease, giaddr: relayClientSide, option82: keepOption82)
    var f = FrameBuilder()
    f.source = relayClientSide
    f.destination = type == MessageType.nak ? .broadcast : yiaddr
    f.sourcePort = 67
    f.destinationPort = 68
    f.identification = ipID
    f.sourceMAC = [0x02, 0, 0, 0, 0xEE, 0x02]
    f.destinationMAC = clientMAC
    return f.frame(b.build())
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
    var f = FrameBuilder()
    f.source = server
    f.destination = yiaddr.isZero ? .broadcast : yiaddr
    f.sourcePort = 67
    f.destinationPort = 68
    f.identification = ipID
    f.sourceMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    f.destinationMAC = clientMAC
    return f.frame(b.build())
  }

  /// A unicast message from a bound client straight to a server (renew, release, inform).
  public func clientUnicast(
    _ type: UInt8, from client: IPv4Address, to server: IPv4Address, serverID: Bool = true, ipID: UInt16 = 21
  ) -> [UInt8] {
    var b = message(type)
    b.ciaddr = client
    if serverID { b.add(54, address: server) }
    var f = FrameBuilder()
    f.source = client
    f.destination = server
    f.identification = ipID
    f.sourceMAC = clientMAC
    f.destinationMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    return f.frame(b.build())
  }
}
