import Dissect
import PacketCraft
import Testing

@Suite struct LinkLayerTests {
  let payload = BOOTPBuilder(type: MessageType.discover, xid: 0xABCD_0001).build()
  var builder: FrameBuilder { FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67) }
  var ip: [UInt8] { builder.ipv4(builder.udp(payload)) }

  @Test func ethernet() throws {
    let p = try #require(dissectFrame(builder.ethernet(ip)))
    #expect(p.message.xid == 0xABCD_0001)
    #expect(p.vlanIDs.isEmpty)
    #expect(p.sourcePort == 68 && p.destinationPort == 67)
    #expect(p.destination == .broadcast)
    #expect(p.sourceMAC == 0x0200_0000_C001)
  }

  @Test func singleAndStackedVLANTags() throws {
    var b = builder
    b.vlanTags = [100]
    #expect(try #require(dissectFrame(b.ethernet(ip))).vlanIDs == [100])
    b.vlanTags = [200, 100]
    #expect(try #require(dissectFrame(b.ethernet(ip))).vlanIDs == [200, 100])
  }

  @Test func tooManyVLANTagsIsMalformedNotACrash() {
    var b = builder
    b.vlanTags = Array(repeating: 7, count: 40)
    var d = PacketDissector()
    guard case .malformed(let why) = dissectFrame(b.ethernet(ip), dissector: &d) else {
      Issue.record("expected malformed")
      return
    }
    #expect(why.reason == .tooManyVLANTags)
  }

  @Test func linuxCookedV1KeepsDirection() throws {
    let p = try #require(dissectFrame(builder.sll(ip, packetType: 4), linkType: LinkType.linuxSLL))
    #expect(p.interface == CaptureInterface(index: nil, packetType: 4))
    #expect(p.interface?.direction == "out")
  }

  @Test func linuxCookedV2KeepsInterfaceIndexAndDirection() throws {
    let p = try #require(dissectFrame(builder.sll2(ip, interfaceIndex: 7, packetType: 1), linkType: LinkType.linuxSLL2))
    #expect(p.interface?.index == 7)
    #expect(p.interface?.direction == "in-broadcast")
    #expect(p.message.xid == 0xABCD_0001)
  }

  @Test(arguments: [LinkType.raw, LinkType.rawDLT12, LinkType.rawDLT14, LinkType.ipv4])
  func rawIPv4(linkType: Int) throws {
    let p = try #require(dissectFrame(ip, linkType: linkType))
    #expect(p.message.messageType == MessageType.discover)
  }

  @Test func bsdLoopbackInEitherByteOrder() throws {
    #expect(dissectFrame([2, 0, 0, 0] + ip, linkType: LinkType.null) != nil)
    #expect(dissectFrame([0, 0, 0, 2] + ip, linkType: LinkType.null) != nil)
    #expect(dissectFrame([0, 0, 0, 2] + ip, linkType: LinkType.loop) != nil)
  }

  @Test func ipv4HeaderOptionsAreSkipped() throws {
    var b = builder
    b.ipOptions = [0x94, 0x04, 0, 0]  // router alert
    let p = try #require(dissectFrame(b.ethernet(b.ipv4(b.udp(payload)))))
    #expect(p.message.xid == 0xABCD_0001)
  }

  @Test func relayToRelayPorts67To67() throws {
    let b = FrameBuilder(from: "198.51.100.1", 67, to: "198.51.100.2", 67)
    let p = try #require(dissectFrame(b.frame(payload)))
    #expect(p.sourcePort == 67 && p.destinationPort == 67)
  }

  @Test func nonDHCPTrafficIsCountedAsOther() {
    var d = PacketDissector()
    let dns = FrameBuilder(from: "192.0.2.1", 5353, to: "192.0.2.2", 53)
    guard case .other = dissectFrame(dns.frame(payload), dissector: &d) else {
      Issue.record("DNS port traffic should be other")
      return
    }
    // ICMPv6 (a neighbor solicitation's first bytes), and UDP to a port that is not DHCPv6's.
    let v6 = IPv6FrameBuilder(from: "fe80::1", 5353, to: "ff02::fb", 5353)
    for frame in [v6.ethernet(v6.ipv6([135, 0, 0, 0, 0, 0, 0, 0], last: 58)), v6.frame(payload)] {
      guard case .other = dissectFrame(frame, dissector: &d) else {
        Issue.record("IPv6 that is not DHCPv6 should be other")
        return
      }
    }
  }

  @Test func truncatedHeadersAreMalformed() {
    var d = PacketDissector()
    guard case .malformed = dissectFrame([0, 1, 2], dissector: &d) else {
      Issue.record("a 3-byte Ethernet frame is malformed")
      return
    }
    guard case .malformed = dissectFrame([1, 2, 3], linkType: LinkType.linuxSLL2, dissector: &d) else {
      Issue.record("a 3-byte SLL2 frame is malformed")
      return
    }
  }
}

@Suite struct TransportTests {
  let payload = BOOTPBuilder(type: MessageType.request, xid: 0x1111_2222).build()

  @Test func lyingIPTotalLengthIsAWarning() throws {
    let b = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var ip = b.ipv4(b.udp(payload))
    ip[2] = 0xFF
    ip[3] = 0xFF
    let p = try #require(dissectFrame(b.ethernet(ip)))
    #expect(p.message.xid == 0x1111_2222)
    #expect(p.message.warnings.contains { $0.contains("IPv4 total length 65535") })
  }

  @Test func lyingUDPLengthIsAWarning() throws {
    let b = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var udp = b.udp(payload)
    udp[4] = 0x7F
    let p = try #require(dissectFrame(b.ethernet(b.ipv4(udp))))
    #expect(p.message.warnings.contains { $0.contains("UDP length") })
    #expect(p.message.xid == 0x1111_2222)
  }

  @Test func ethernetPaddingAfterTheIPPacketIsIgnored() throws {
    let b = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    let p = try #require(dissectFrame(b.frame(payload) + [0, 0, 0, 0]))
    #expect(p.message.payloadLength == payload.count)
    #expect(p.message.warnings.isEmpty)
  }

  @Test func badIHLIsMalformed() {
    let b = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var ip = b.ipv4(b.udp(payload))
    ip[0] = 0x4F  // 60-byte header claimed
    ip = Array(ip.prefix(40))
    var d = PacketDissector()
    guard case .malformed = dissectFrame(b.ethernet(ip), dissector: &d) else {
      Issue.record("expected malformed")
      return
    }
  }
}
