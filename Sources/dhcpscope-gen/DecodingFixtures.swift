import Capture
import Dissect
import PacketCraft

extension CraftedFixtures {
  /// Fixtures for the decoder: every link type, option overload, RFC 3396 splits, VLAN tags,
  /// fragments, malformed options, and one message carrying every option family.
  func writeDecodingFixtures() throws {
    let lease = IPv4Address("192.0.2.120")!
    let server = IPv4Address("198.51.100.2")!
    let s = RelayScenario(xid: 0xDEC0_0001)
    let discover = s.clientBroadcast(MessageType.discover)
    let offer = s.serverToClient(MessageType.offer, server: server, yiaddr: lease)

    // Link types: the same DISCOVER/OFFER pair on each.
    let ipDiscover = Array(discover.dropFirst(14))
    let ipOffer = Array(offer.dropFirst(14))
    let f = FrameBuilder()
    try write(
      "linktype-sll.pcap", linkType: LinkType.linuxSLL,
      [(0, f.sll(ipDiscover, packetType: 1)), (0.01, f.sll(ipOffer, packetType: 4))])
    try write(
      "linktype-sll2.pcap", linkType: LinkType.linuxSLL2,
      [
        (0, f.sll2(ipDiscover, interfaceIndex: 3, packetType: 1)),
        (0.01, f.sll2(ipOffer, interfaceIndex: 5, packetType: 4)),
      ])
    try write("linktype-raw.pcap", linkType: LinkType.rawDLT12, [(0, ipDiscover), (0.01, ipOffer)])
    try write("linktype-null.pcap", linkType: LinkType.null, [(0, f.null(ipDiscover)), (0.01, f.null(ipOffer))])
    // A link type dhcpscope does not follow (IEEE 802.11, 105): rejected when opened.
    try write("linktype-ieee80211.pcap", linkType: 105, [(0, [0x08, 0x02, 0, 0] + ipDiscover)])
    try write("nanosecond.pcap", nano: true, [(0.000000123, discover), (0.010000456, offer)])

    // VLAN: one 802.1Q tag, then 802.1ad outer + 802.1Q inner (Q-in-Q).
    var tagged = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    tagged.vlanTags = [100]
    var stacked = tagged
    stacked.vlanTags = [200, 100]
    var disc = BOOTPBuilder(type: MessageType.discover, xid: 0xDEC0_0002)
    disc.add(12, text: "vlan-client")
    try write("vlan.pcap", [(0, tagged.frame(disc.build())), (0.5, stacked.frame(disc.build()))])

    // Option overload: option 52 = 3, with options in both file and sname fields.
    var overloaded = BOOTPBuilder(type: MessageType.offer, xid: 0xDEC0_0003)
    overloaded.yiaddr = lease
    overloaded.add(52, [3])
    overloaded.add(54, address: server)
    overloaded.file = BOOTPBuilder.option(67, text: "pxelinux.0") + BOOTPBuilder.option(51, uint32: 3600) + [255]
    overloaded.sname = BOOTPBuilder.option(66, text: "tftp.lab.example") + [255]
    // RFC 3396: option 121 split in two instances, and the hostname in three.
    var split = BOOTPBuilder(type: MessageType.ack, xid: 0xDEC0_0004)
    split.yiaddr = lease
    let routes: [UInt8] = [24, 10, 1, 2, 192, 0, 2, 1, 0, 192, 0, 2, 1, 32, 203, 0, 113, 9, 192, 0, 2, 254]
    split.add(121, Array(routes[0..<9]))
    split.add(12, text: "split-")
    split.add(54, address: server)
    split.add(121, Array(routes[9...]))
    split.add(12, text: "host-")
    split.add(12, text: "name")
    let replyFrame = FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.120", 68)
    try write(
      "overload-rfc3396.pcap", [(0, replyFrame.frame(overloaded.build())), (0.1, replyFrame.frame(split.build()))])

    // A 1,600-byte DHCP message (large option 43 and 125) in IPv4 fragments, out of order.
    var big = BOOTPBuilder(type: MessageType.offer, xid: 0xDEC0_0005)
    big.yiaddr = lease
    big.add(54, address: server)
    big.add(60, text: "PXEClient:Arch:00000")
    big.add(43, BOOTPBuilder.option(6, [8]) + BOOTPBuilder.option(10, [2] + Array("Booting...".utf8)) + [255])
    for i in 0..<6 {
      let suboptions: [UInt8] = (0..<50).flatMap { k -> [UInt8] in [UInt8(k + 1), 2, UInt8(i), UInt8(k)] }  // 200 bytes
      big.add(125, BOOTPBuilder.bytes(UInt32(4491)) + [UInt8(suboptions.count)] + suboptions)
    }
    var fragmenter = replyFrame
    fragmenter.identification = 0x4242
    let pieces = fragmenter.fragments(big.build(), size: 600)
    try write("fragments.pcap", [(0, pieces[0]), (0.001, pieces[2]), (0.002, pieces[1])])

    // Malformed: an option running past the end, no end option, a bad cookie, hlen 17, a
    // message cut short, and an option 119 with a compression-pointer loop.
    let frame = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var pastEnd = BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0001)
    pastEnd.minimumSize = 0
    pastEnd.options += [12, 40] + Array("short".utf8)
    var noEnd = BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0002)
    noEnd.minimumSize = 0
    noEnd.add(12, text: "no-end")
    var badCookie = BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0003)
    badCookie.cookie = 0xDEAD_BEEF
    var longHlen = BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0004)
    longHlen.hlen = 17
    var badLength = BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0006)
    badLength.add(50, [192, 0, 2])  // an address needs 4 bytes
    var loop = BOOTPBuilder(type: MessageType.ack, xid: 0xBAD0_0007)
    loop.add(119, [3] + Array("lab".utf8) + [0xC0, 0x04])  // points at itself
    let cut = Array(BOOTPBuilder(type: MessageType.discover, xid: 0xBAD0_0005).build().prefix(120))
    try write(
      "malformed.pcap",
      [
        (0, frame.frame(pastEnd.build(end: false))), (0.1, frame.frame(noEnd.build(end: false))),
        (0.2, frame.frame(badCookie.build())), (0.3, frame.frame(longHlen.build())), (0.4, frame.frame(cut)),
        (0.5, frame.frame(badLength.build())), (0.6, replyFrame.frame(loop.build())),
      ])

    // BOOTP (no option 53) and a leasequery with its answer.
    var bootp = BOOTPBuilder(type: nil, xid: 0xB007_0001)
    bootp.cookie = nil
    var bootReply = BOOTPBuilder(type: nil, xid: 0xB007_0001, op: 2)
    bootReply.cookie = nil
    bootReply.yiaddr = IPv4Address("192.0.2.66")!
    bootReply.file = Array("boot/kernel".utf8)
    var query = BOOTPBuilder(type: MessageType.leaseQuery, xid: 0x1EA5_0001)
    query.ciaddr = lease
    query.giaddr = IPv4Address("192.0.2.1")!
    query.chaddr = [0, 0, 0, 0, 0, 0]
    query.hlen = 0
    query.htype = 0
    var active = BOOTPBuilder(type: 13, xid: 0x1EA5_0001)
    active.ciaddr = lease
    active.giaddr = IPv4Address("192.0.2.1")!
    active.chaddr = [0, 0, 0, 0, 0, 0]
    active.hlen = 0
    active.htype = 0
    active.add(51, uint32: 300)
    active.add(151, [0] + Array("ok".utf8))
    active.add(152, uint32: 1_763_700_000)
    active.add(153, uint32: 30)
    active.add(91, uint32: 12)
    try write(
      "bootp-leasequery.pcap",
      [
        (0, frame.frame(bootp.build())),
        (0.01, FrameBuilder(from: "198.51.100.2", 67, to: "255.255.255.255", 68).frame(bootReply.build())),
        (1.0, FrameBuilder(from: "192.0.2.1", 67, to: "198.51.100.2", 67).frame(query.build())),
        (1.01, FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.1", 67).frame(active.build())),
      ])

    try write("options-zoo.pcap", [(0, replyFrame.frame(optionZoo().build()))])
  }

  /// One ACK carrying an instance of every option family the decoder knows.
  func optionZoo() -> BOOTPBuilder {
    var z = BOOTPBuilder(type: MessageType.ack, xid: 0x200_0001)
    z.yiaddr = IPv4Address("192.0.2.120")!
    z.add(1, address: IPv4Address("255.255.255.0")!)
    z.add(2, BOOTPBuilder.bytes(UInt32(bitPattern: -3600)))
    z.add(3, BOOTPBuilder.bytes(IPv4Address("192.0.2.1")!) + BOOTPBuilder.bytes(IPv4Address("192.0.2.2")!))
    z.add(15, text: "lab.example")
    z.add(19, [1])
    z.add(26, BOOTPBuilder.bytes(UInt16(1500)))
    z.add(33, BOOTPBuilder.bytes(IPv4Address("203.0.113.0")!) + BOOTPBuilder.bytes(IPv4Address("192.0.2.1")!))
    z.add(46, [8])
    z.add(51, uint32: 86_400)
    z.add(54, address: IPv4Address("198.51.100.2")!)
    z.add(58, uint32: 43_200)
    z.add(59, uint32: 75_600)
    z.add(60, text: "PXEClient:Arch:00007:UNDI:003016")
    z.add(61, [1, 0x02, 0, 0, 0, 0xC0, 0x01])
    z.add(43, BOOTPBuilder.option(6, [8]) + BOOTPBuilder.option(1, [224, 0, 1, 2]) + [255])
    z.add(66, text: "tftp.lab.example")
    z.add(67, text: "bootx64.efi")
    z.add(77, [4] + Array("iPXE".utf8))
    z.add(81, [0x05, 0, 0, 4] + Array("host".utf8) + [3] + Array("lab".utf8) + [0])
    z.add(
      82,
      BOOTPBuilder.option(1, Array("eth0/1/2:100".utf8)) + BOOTPBuilder.option(2, [0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        + BOOTPBuilder.option(5, [192, 0, 2, 0]) + BOOTPBuilder.option(6, Array("subscriber-7".utf8))
        + BOOTPBuilder.option(10, [0x80]) + BOOTPBuilder.option(11, [192, 0, 2, 1])
        + BOOTPBuilder.option(12, [1, 2, 3, 4]))
    z.add(90, [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xAB])
    z.add(93, BOOTPBuilder.bytes(UInt16(7)))
    z.add(94, [1, 3, 16])
    z.add(97, [0] + (0..<16).map { UInt8($0) })
    z.add(116, [1])
    z.add(118, address: IPv4Address("192.0.2.0")!)
    z.add(119, [3] + Array("lab".utf8) + [7] + Array("example".utf8) + [0, 3] + Array("eng".utf8) + [0xC0, 0x00])
    z.add(120, [1, 198, 51, 100, 5])
    z.add(121, [24, 203, 0, 113, 192, 0, 2, 1])
    z.add(249, [0, 192, 0, 2, 1])
    z.add(124, BOOTPBuilder.bytes(UInt32(3561)) + [6, 5] + Array("cable".utf8))
    z.add(125, BOOTPBuilder.bytes(UInt32(3561)) + [5, 1, 3] + Array("abc".utf8))
    z.add(145, [1])
    z.add(150, address: IPv4Address("198.51.100.7")!)
    z.add(151, [4] + Array("not allowed".utf8))
    z.add(152, uint32: 1_763_700_000)
    z.add(153, uint32: 10)
    z.add(154, uint32: 1_763_600_000)
    z.add(155, uint32: 1_763_700_000)
    z.add(252, text: "http://wpad.lab.example/wpad.dat")
    z.add(224, [0xCA, 0xFE])
    return z
  }
}
