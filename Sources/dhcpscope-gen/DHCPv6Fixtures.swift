import Capture
import Dissect
import PacketCraft

extension CraftedFixtures {
  /// DHCPv6 edge cases the lab's ISC software does not make: link layers, extension headers,
  /// fragments, every DUID type, status codes, and damaged messages.
  func writeDHCPv6Fixtures() throws {
    typealias C = DHCPv6Craft
    let clientLL = "fe80::ff:fe00:c601"
    let relayLink = IPv6Address("2001:db8:1::1")!
    let clientMAC: [UInt8] = [0x02, 0, 0, 0, 0xC6, 0x01]
    let clientID = C.option(1, C.duidEN(enterprise: 32473, identifier: [0xDE, 0xAD, 0xBE, 0xEF]))
    let serverID = C.option(2, C.duidUUID((0..<16).map { UInt8($0 * 17) }))

    // On a VLAN, behind Hop-by-Hop and Destination Options headers: a SOLICIT with the
    // options people meet, then a Rapid Commit REPLY; an ADVERTISE saying NoAddrsAvail.
    var up = IPv6FrameBuilder(from: clientLL, 546, to: "ff02::1:2", 547)
    up.vlanTags = [100]
    up.extensionHeaders = [(0, [5, 2, 0, 0]), (60, [])]  // Router Alert; empty options
    let solicit = C.message(
      DHCPv6MessageType.solicit, xid: 0x00AB_CDEF,
      [
        clientID, C.option(6, [0, 23, 0, 24, 0, 56]), C.option(8, [0, 150]), C.option(14, []),
        C.option(15, [0, 5] + Array("lab-a".utf8)), C.option(16, [0, 0, 0x7E, 0xD9, 0, 4] + Array("abcd".utf8)),
        C.option(17, [0, 0, 0x7E, 0xD9] + C.option(1, [1, 2, 3])),
        C.option(39, [1] + [4] + Array("host".utf8) + [3] + Array("lab".utf8)),
        C.option(20, []), C.option(200, [9, 9]),
        C.iaNA(iaid: 1, t1: 0, t2: 0), C.iaPD(iaid: 2, t1: 0, t2: 0),
      ])
    var down = IPv6FrameBuilder(from: "fe80::1", 547, to: clientLL, 546)
    down.vlanTags = [100]
    down.sourceMAC = [0x02, 0, 0, 0, 0xEE, 0x02]
    down.destinationMAC = clientMAC
    let rapidReply = C.message(
      DHCPv6MessageType.reply, xid: 0x00AB_CDEF,
      [
        C.iaNA(
          iaid: 1, t1: 300, t2: 480,
          [C.iaAddress(IPv6Address("2001:db8:1::42")!, preferred: 600, valid: 900, [C.status(0, "ok")])]),
        C.iaPD(
          iaid: 2, t1: 300, t2: 480,
          [C.iaPrefix(IPv6Address("2001:db8:4200::")!, length: 56, preferred: 600, valid: 900)]),
        clientID, serverID, C.option(14, []), C.option(7, [255]),
        C.option(23, IPv6Address("2001:db8::53")!.bytes + IPv6Address("2001:db8::54")!.bytes),
        C.option(24, [3] + Array("lab".utf8) + [7] + Array("example".utf8) + [0]),
        C.option(31, IPv6Address("2001:db8::123")!.bytes), C.option(32, [0, 0, 0x0E, 0x10]),
        C.option(56, C.option(1, IPv6Address("2001:db8::123")!.bytes)),
        C.option(82, [0, 0, 0, 60]), C.option(83, [0, 0, 0, 60]),
      ])
    let advertise = C.message(
      DHCPv6MessageType.advertise, xid: 0x0011_2233,
      [
        C.iaNA(iaid: 1, t1: 0, t2: 0, [C.status(2, "no addresses")]), clientID,
        C.option(2, C.duidLL(mac: [0x02, 0, 0, 0, 0x5E, 0x01])), C.status(2, "no addresses left"),
        C.option(7, [0, 1]),  // a Preference of the wrong length: a warning, shown as hex
      ])
    try write(
      "dhcpv6-vlan.pcap",
      [
        (0.000, up.frame(solicit)),
        (0.010, down.frame(rapidReply)),
        (1.000, down.frame(advertise)),
      ])

    // A relayed SOLICIT too big for one packet: two IPv6 fragments between relay and server,
    // reassembled; and the server's Relay-Reply with a Reconfigure inside (no Relay-Forward).
    var relayed = IPv6FrameBuilder(from: "2001:db8:ff01::1", 547, to: "2001:db8:ff01::2", 547)
    relayed.sourceMAC = [0x02, 0, 0, 0, 0xEE, 0x01]
    relayed.destinationMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    let big = C.message(
      DHCPv6MessageType.solicit, xid: 0x00F0_0001,
      [clientID, C.option(17, [0, 0, 0x7E, 0xD9] + C.option(2, [UInt8](repeating: 0x41, count: 1400)))])
    let forward = C.relay(
      DHCPv6MessageType.relayForward, hopCount: 0, link: relayLink, peer: IPv6Address(clientLL)!,
      options: [C.option(18, Array("r-c".utf8)), C.option(37, [0, 0, 0x7E, 0xD9] + Array("port7".utf8))], inner: big)
    var back = IPv6FrameBuilder(from: "2001:db8:ff01::2", 547, to: "2001:db8:ff01::1", 547)
    back.sourceMAC = [0x02, 0, 0, 0, 0x5E, 0x01]
    back.destinationMAC = [0x02, 0, 0, 0, 0xEE, 0x01]
    let reconfigure = C.relay(
      DHCPv6MessageType.relayReply, hopCount: 0, link: relayLink, peer: IPv6Address(clientLL)!,
      options: [C.option(18, Array("r-c".utf8))],
      inner: C.message(DHCPv6MessageType.reconfigure, xid: 0, [serverID, clientID, C.option(19, [5])]))
    let fragments = relayed.fragments(forward, size: 1000, identification: 0x0BAD_CAFE)
    try write(
      "dhcpv6-fragments.pcap",
      [(0.000, fragments[0]), (0.001, fragments[1]), (0.500, back.frame(reconfigure))])

    // Raw IPv6 (LINKTYPE_RAW): an INFORMATION-REQUEST and its REPLY, with DUID-LLT.
    let llt = C.option(1, C.duidLLT(mac: clientMAC, time: 0x3294_F1A2))
    let info = C.message(DHCPv6MessageType.informationRequest, xid: 0x0000_0007, [llt, C.option(6, [0, 23])])
    let infoReply = C.message(
      DHCPv6MessageType.reply, xid: 0x0000_0007, [llt, serverID, C.option(23, IPv6Address("2001:db8::53")!.bytes)])
    let rawUp = IPv6FrameBuilder(from: clientLL, 546, to: "ff02::1:2", 547)
    let rawDown = IPv6FrameBuilder(from: "fe80::1", 547, to: clientLL, 546)
    try write(
      "dhcpv6-raw.pcap", linkType: LinkType.rawDLT12,
      [(0.000, rawUp.ipv6(rawUp.udp(info))), (0.002, rawDown.ipv6(rawDown.udp(infoReply)))])

    // Damaged: a two-byte payload, and a Relay-Forward without its Relay Message.
    let short = up.frame([1, 0])
    let empty = relayed.frame(
      [DHCPv6MessageType.relayForward, 0] + relayLink.bytes + IPv6Address(clientLL)!.bytes + C.option(18, [1]))
    try write("dhcpv6-malformed.pcap", [(0.000, short), (0.001, empty)])
  }
}
