import Capture
import Dissect
import PacketCraft

extension CraftedFixtures {
  /// Fixtures for the analysis's conclusions: payloads that are not BOOTP, a timeout while
  /// the client retransmits, spoofed server identifiers, a NAK with the server's reason and
  /// the client's identity, an ACK without an address, and option values peers decode.
  func writeVerdictFixtures() throws {
    let server = Self.serverA
    let lease = IPv4Address("192.0.2.120")!

    // Replies on UDP 67→68 that are not BOOTP: op 0, 3 and 255, empty, 100 bytes, a bad cookie.
    var f = FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.120", 68)
    var bad: [(Double, [UInt8])] = []
    for (i, op) in [UInt8(0), 3, 255].enumerated() {
      var m = BOOTPBuilder(type: MessageType.ack, xid: 0xBAD0_0010 + UInt32(i), op: op)
      m.yiaddr = .zero
      f.identification = UInt16(i + 1)
      bad.append((Double(i) * 0.01, f.frame(m.build())))
    }
    f.identification = 4
    bad.append((0.03, f.frame([])))
    f.identification = 5
    bad.append((0.04, f.frame(Array(BOOTPBuilder(type: MessageType.ack, xid: 0xBAD0_0014, op: 2).build().prefix(100)))))
    var cookie = BOOTPBuilder(type: MessageType.ack, xid: 0xBAD0_0015, op: 2)
    cookie.cookie = 0xDEAD_BEEF
    f.identification = 6
    bad.append((0.05, f.frame(cookie.build())))
    try write("not-bootp.pcap", bad)

    // Through a relay to a server that never answers: DISCOVER every 3 s for 12 s. The first
    // waited longer than the 10 s default: a timeout, not "incomplete".
    var s = RelayScenario(xid: 0x7100_0001)
    var frames: [(Double, [UInt8])] = []
    for k in 0..<5 {
      let t = Double(k) * 3
      frames.append((t, s.clientBroadcast(MessageType.discover, secs: UInt16(k * 3), ipID: UInt16(k + 1))))
      frames.append(
        (t + 0.001, s.relayToServer(MessageType.discover, server: server, secs: UInt16(k * 3), ipID: UInt16(101 + k))))
    }
    frames.append((12.5, s.clientBroadcast(MessageType.discover, secs: 12, ipID: 6)))
    try write("relayed-timeout.pcap", frames)

    // ACKs from 20 source addresses, every one naming server 198.51.100.2 (option 54).
    frames = []
    for k in 0..<20 {
      let c = RelayScenario(xid: 0x5000_0000 + UInt32(k), clientMAC: [0x02, 0x5B, 0, 0, 0, UInt8(k)])
      var ack = c.message(MessageType.ack)
      ack.op = 2
      ack.yiaddr = IPv4Address(0xC000_0264 + UInt32(k))  // 192.0.2.100 + k
      ack.add(54, address: server)
      ack.add(51, uint32: 600)
      var frame = FrameBuilder()
      frame.source = IPv4Address(0xCB00_7100 + UInt32(k + 1))  // 203.0.113.1 + k
      frame.destination = ack.yiaddr
      frame.sourcePort = 67
      frame.destinationPort = 68
      frames.append((Double(k) * 0.01, frame.frame(ack.build())))
    }
    try write("spoofed-server-id.pcap", frames)

    // A relayed INIT-REBOOT REQUEST that says who the client is, NAKed with the server's
    // reason; option 82 with a binary circuit id and a text remote id.
    s = RelayScenario(xid: 0x7A40_0001, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x07])
    s.circuitID = [0x00, 0x04, 0x00, 0x64, 0x00, 0x13]
    let requested = IPv4Address("192.0.2.200")!
    var identity = BOOTPBuilder.option(61, [0] + Array("cisco-cc00.0ac4.0000-Fa0/0".utf8))
    identity += BOOTPBuilder.option(60, Array("MSFT 5.0".utf8))
    identity += BOOTPBuilder.option(81, [0x01, 0, 0] + [6] + Array("laptop".utf8) + [7] + Array("example".utf8) + [0])
    var request = s.message(MessageType.request)
    request.add(50, address: requested)
    request.add(12, text: "laptop-7")
    request.options += identity
    var relayed = request
    relayed.giaddr = s.relayClientSide
    relayed.hops = 1
    relayed.add(82, BOOTPBuilder.option(1, s.circuitID) + BOOTPBuilder.option(2, Array("switch-7".utf8)))
    var nak = s.message(MessageType.nak)
    nak.op = 2
    nak.giaddr = s.relayClientSide
    nak.add(54, address: server)
    nak.add(56, text: "requested address not available")
    nak.add(82, BOOTPBuilder.option(1, s.circuitID) + BOOTPBuilder.option(2, Array("switch-7".utf8)))
    var toClient = nak
    toClient.options =
      BOOTPBuilder.option(53, [MessageType.nak]) + BOOTPBuilder.option(54, address: server)
      + BOOTPBuilder.option(56, Array("requested address not available".utf8))
    try write(
      "nak-with-message.pcap",
      [
        (
          0,
          s.frame(
            request, from: .zero, 68, to: .broadcast, 67, ipID: 1, sourceMAC: s.clientMAC,
            destinationMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        ),
        (
          0.001,
          s.frame(
            relayed, from: s.relayServerSide, 67, to: server, 67, ipID: 2, sourceMAC: [2, 0, 0, 0, 0xEE, 1],
            destinationMAC: [2, 0, 0, 0, 0xAA, 1])
        ),
        (
          0.004,
          s.frame(
            nak, from: server, 67, to: s.relayClientSide, 67, ipID: 3, sourceMAC: [2, 0, 0, 0, 0xAA, 1],
            destinationMAC: [2, 0, 0, 0, 0xEE, 1])
        ),
        (
          0.005,
          s.frame(
            toClient, from: s.relayClientSide, 67, to: .broadcast, 68, ipID: 4, sourceMAC: [2, 0, 0, 0, 0xEE, 2],
            destinationMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        ),
      ])

    // A direct DORA whose ACK carries yiaddr 0.0.0.0.
    s = RelayScenario(xid: 0xAC00_0001, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x08])
    try write(
      "ack-without-address.pcap",
      [
        (0, s.clientBroadcast(MessageType.discover)),
        (0.01, s.serverToClient(MessageType.offer, server: server, yiaddr: lease)),
        (0.02, s.clientBroadcast(MessageType.request, requested: lease, server: server)),
        (0.03, s.serverToClient(MessageType.ack, server: server, yiaddr: .zero)),
      ])

    // Option values: option 43 of an Aruba and a Cisco access point, and client messages
    // that break RFC 2131 (DECLINE without 50/54, RELEASE with ciaddr 0, INFORM with 50/51).
    var aruba = BOOTPBuilder(type: MessageType.offer, xid: 0x0A00_0001, op: 2)
    aruba.add(60, text: "ArubaAP")
    aruba.add(43, text: "192.0.2.10")
    var cisco = BOOTPBuilder(type: MessageType.offer, xid: 0x0A00_0002, op: 2)
    cisco.add(60, text: "Cisco AP c3700")
    cisco.add(
      43, [241, 8] + BOOTPBuilder.bytes(IPv4Address("192.0.2.11")!) + BOOTPBuilder.bytes(IPv4Address("192.0.2.12")!))
    let decline = BOOTPBuilder(type: MessageType.decline, xid: 0x0A00_0003)
    let release = BOOTPBuilder(type: MessageType.release, xid: 0x0A00_0004)
    var inform = BOOTPBuilder(type: MessageType.inform, xid: 0x0A00_0005)
    inform.ciaddr = lease
    inform.add(50, address: lease)
    inform.add(51, uint32: 600)
    let toClientFrame = FrameBuilder(from: "198.51.100.2", 67, to: "255.255.255.255", 68)
    let fromClientFrame = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    try write(
      "option-values.pcap",
      [
        (0, toClientFrame.frame(aruba.build())), (0.01, toClientFrame.frame(cisco.build())),
        (0.02, fromClientFrame.frame(decline.build())), (0.03, fromClientFrame.frame(release.build())),
        (0.04, fromClientFrame.frame(inform.build())),
      ])

    // Start order: a relayed DORA begins at 0 s and ends at 4 s (the server answers after 3 s);
    // another client's RELEASE, sent at 0.2 s, ends at once. The RELEASE closes first (its
    // grace period is over at 2.2 s); the report lists the DORA first.
    let dora = RelayScenario(xid: 0x0B00_0001)
    let leaving = RelayScenario(xid: 0x0B00_0002, clientMAC: [0x02, 0, 0, 0, 0xC0, 0x0B])
    try write(
      "start-order.pcap",
      [
        (0, dora.clientBroadcast(MessageType.discover, ipID: 1)),
        (0.001, dora.relayToServer(MessageType.discover, server: server, ipID: 2)),
        (0.2, leaving.clientUnicast(MessageType.release, from: IPv4Address("192.0.2.121")!, to: server, ipID: 3)),
        (3.0, dora.serverToRelay(MessageType.offer, server: server, yiaddr: lease, ipID: 4)),
        (3.001, dora.relayToClient(MessageType.offer, server: server, yiaddr: lease, ipID: 5)),
        (3.5, dora.clientBroadcast(MessageType.request, ipID: 6)),
        (3.501, dora.relayToServer(MessageType.request, server: server, ipID: 7)),
        (4.0, dora.serverToRelay(MessageType.ack, server: server, yiaddr: lease, ipID: 8)),
        (4.001, dora.relayToClient(MessageType.ack, server: server, yiaddr: lease, ipID: 9)),
      ])
  }
}
