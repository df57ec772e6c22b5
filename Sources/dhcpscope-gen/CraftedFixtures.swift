import ArgumentParser
import Capture
import Dissect
import PacketCraft

/// The hand-made edge cases in Fixtures/crafted: each is documented in Fixtures/README.md.
struct CraftedFixtures: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "fixtures", abstract: "Write the crafted fixtures.")

  @Argument(help: "Output directory.")
  var directory: String

  static let epoch: Int64 = 1_763_700_000
  static let serverA = IPv4Address("198.51.100.2")!
  static let serverB = IPv4Address("198.51.100.10")!

  func write(_ name: String, linkType: Int = LinkType.ethernet, nano: Bool = false, _ frames: [(Double, [UInt8])])
    throws
  {
    let w = try CaptureWriter(path: "\(directory)/\(name)", linkType: linkType, nanosecondPrecision: nano)
    for (t, bytes) in frames {
      let total = Int64((t * 1e9).rounded())
      w.write(bytes, seconds: Self.epoch + total / 1_000_000_000, nanoseconds: Int32(total % 1_000_000_000))
    }
    w.close()
  }

  func run() throws {
    let a = Self.serverA
    let b = Self.serverB
    let lease = IPv4Address("192.0.2.120")!
    let discover = MessageType.discover
    let offer = MessageType.offer
    let request = MessageType.request
    let ack = MessageType.ack

    // Sequential failover: ack never answers two DISCOVERs; 6 s later the relay tries B.
    var s = RelayScenario(xid: 0xF0F0_0001)
    try write(
      "failover.pcap",
      [
        (0.000, s.clientBroadcast(discover, secs: 0, ipID: 1)),
        (0.001, s.relayToServer(discover, server: a, secs: 0, ipID: 101)),
        (3.000, s.clientBroadcast(discover, secs: 3, ipID: 2)),
        (3.001, s.relayToServer(discover, server: a, secs: 3, ipID: 102)),
        (6.000, s.clientBroadcast(discover, secs: 6, ipID: 3)),
        (6.001, s.relayToServer(discover, server: b, secs: 6, ipID: 103)),
        (6.020, s.serverToRelay(offer, server: b, yiaddr: lease)),
        (6.021, s.relayToClient(offer, server: b, yiaddr: lease)),
        (6.100, s.clientBroadcast(request, secs: 6, requested: lease, server: b, ipID: 4)),
        (6.101, s.relayToServer(request, server: b, secs: 6, requested: lease, serverID: b, ipID: 104)),
        (6.110, s.serverToRelay(ack, server: b, yiaddr: lease)),
        (6.111, s.relayToClient(ack, server: b, yiaddr: lease)),
      ])

    // Retransmitted DISCOVER answered twice: the second OFFER arrives after the REQUEST.
    s = RelayScenario(xid: 0xF0F0_0002, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x02])
    try write(
      "retransmissions.pcap",
      [
        (0.000, s.clientBroadcast(discover, secs: 0, ipID: 1)),
        (0.001, s.relayToServer(discover, server: a, secs: 0, ipID: 101)),
        (2.000, s.clientBroadcast(discover, secs: 2, ipID: 2)),
        (2.001, s.relayToServer(discover, server: a, secs: 2, ipID: 102)),
        (2.500, s.serverToRelay(offer, server: a, yiaddr: lease, ipID: 201)),
        (2.501, s.relayToClient(offer, server: a, yiaddr: lease, ipID: 301)),
        (2.600, s.clientBroadcast(request, secs: 2, requested: lease, server: a, ipID: 3)),
        (2.601, s.relayToServer(request, server: a, secs: 2, requested: lease, serverID: a, ipID: 103)),
        (2.700, s.serverToRelay(offer, server: a, yiaddr: lease, ipID: 202)),
        (2.701, s.relayToClient(offer, server: a, yiaddr: lease, ipID: 302)),
        (2.800, s.serverToRelay(ack, server: a, yiaddr: lease, ipID: 203)),
        (2.801, s.relayToClient(ack, server: a, yiaddr: lease, ipID: 303)),
      ])

    // ack flood of DISCOVERs from 40 clients (distinct MACs and xids) that nobody answers.
    var flood: [(Double, [UInt8])] = []
    for round in 0..<3 {
      for c in 0..<40 {
        let f = RelayScenario(xid: 0xF100_0000 + UInt32(c), clientMAC: [0x02, 0xBA, 0xD0, 0, 0, UInt8(c)])
        flood.append(
          (Double(round) * 4 + Double(c) * 0.01, f.clientBroadcast(discover, secs: UInt16(round * 4), ipID: UInt16(c))))
      }
    }
    try write("discover-flood.pcap", flood)

    // ack direct DORA (no relay) whose client then declines the address.
    s = RelayScenario(xid: 0xF0F0_0003, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x03])
    var decline = BOOTPBuilder(type: MessageType.decline, xid: s.xid)
    decline.chaddr = s.clientMAC
    decline.add(50, address: lease)
    decline.add(54, address: a)
    try write(
      "decline.pcap",
      [
        (0.000, s.clientBroadcast(discover, ipID: 1)), (0.010, s.serverToClient(offer, server: a, yiaddr: lease)),
        (0.020, s.clientBroadcast(request, requested: lease, server: a, ipID: 2)),
        (0.030, s.serverToClient(ack, server: a, yiaddr: lease)),
        (1.500, FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67).frame(decline.build())),
      ])

    // DHCPINFORM from a configured host, answered with an ACK that assigns nothing.
    s = RelayScenario(xid: 0xF0F0_0004, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x04])
    let host = IPv4Address("192.0.2.77")!
    var informAck = BOOTPBuilder(type: ack, xid: s.xid)
    informAck.chaddr = s.clientMAC
    informAck.ciaddr = host
    informAck.add(54, address: a)
    informAck.add(6, address: IPv4Address("192.0.2.53")!)
    try write(
      "inform.pcap",
      [
        (0.000, s.clientUnicast(MessageType.inform, from: host, to: a, serverID: false)),
        (0.004, FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.77", 68).frame(informAck.build())),
      ])

    // ack relay that does not increment hops and leaves option 82 in the reply to the client.
    s = RelayScenario(xid: 0xF0F0_0005, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x05])
    try write(
      "relay-anomaly.pcap",
      [
        (0.000, s.clientBroadcast(discover, ipID: 1)),
        (0.001, s.relayToServer(discover, server: a, hops: 0, ipID: 101)),
        (0.010, s.serverToRelay(offer, server: a, yiaddr: lease)),
        (0.011, s.relayToClient(offer, server: a, yiaddr: lease, keepOption82: true)),
        (0.100, s.clientBroadcast(request, requested: lease, server: a, ipID: 2)),
        (0.101, s.relayToServer(request, server: a, requested: lease, serverID: a, hops: 0, ipID: 102)),
        (0.110, s.serverToRelay(ack, server: a, yiaddr: lease)),
        (0.111, s.relayToClient(ack, server: a, yiaddr: lease, keepOption82: true)),
      ])

    // ack renewal unicast to a server that has gone away: the client names it in option 54.
    s = RelayScenario(xid: 0xF0F0_0006, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x06])
    try write(
      "renew-unanswered.pcap",
      [
        (0.000, s.clientUnicast(request, from: lease, to: a, ipID: 1)),
        (4.000, s.clientUnicast(request, from: lease, to: a, ipID: 2)),
      ])

    try writeDecodingFixtures()
    try writeVerdictFixtures()
    try writeDHCPv6Fixtures()
  }
}
