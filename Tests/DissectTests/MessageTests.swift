import Dissect
import PacketCraft
import Testing

func message(_ b: BOOTPBuilder, end: Bool = true) -> DHCPMessage {
  b.build(end: end).withUnsafeBytes { DHCPMessage(payload: $0) }
}

func decoded(_ m: DHCPMessage, _ code: UInt8) -> DecodedOption? {
  OptionDecoder.decodeAll(m).first { $0.code == UInt32(code) }
}

@Suite struct HeaderTests {
  @Test func everyFixedHeaderField() {
    var b = BOOTPBuilder(type: MessageType.request, xid: 0xDEAD_BEEF)
    b.htype = 1
    b.hlen = 6
    b.hops = 3
    b.secs = 12
    b.flags = 0x8000
    b.ciaddr = IPv4Address("192.0.2.10")!
    b.yiaddr = IPv4Address("192.0.2.11")!
    b.siaddr = IPv4Address("192.0.2.12")!
    b.giaddr = IPv4Address("192.0.2.1")!
    b.chaddr = [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
    b.sname = Array("server.example".utf8)
    b.file = Array("pxelinux.0".utf8)
    let m = message(b)
    #expect(m.op == 1 && m.opName == "BOOTREQUEST")
    #expect(m.htype == 1 && m.hlen == 6 && m.hops == 3)
    #expect(m.xid == 0xDEAD_BEEF)
    #expect(m.secs == 12)
    #expect(m.flags == 0x8000 && m.broadcast)
    #expect(m.ciaddr.description == "192.0.2.10")
    #expect(m.yiaddr.description == "192.0.2.11")
    #expect(m.siaddr.description == "192.0.2.12")
    #expect(m.giaddr.description == "192.0.2.1")
    #expect(m.clientHardwareAddress.description == "aa:bb:cc:dd:ee:ff")
    #expect(m.serverName == "server.example")
    #expect(m.bootFileName == "pxelinux.0")
    #expect(m.messageTypeName == "REQUEST")
    #expect(m.warnings.isEmpty)
  }

  @Test(arguments: Array(1...18))
  func messageTypeNames(type: Int) {
    let m = message(BOOTPBuilder(type: UInt8(type)))
    let expected = [
      "", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM", "FORCERENEW",
      "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE", "BULKLEASEQUERY", "LEASEQUERYDONE",
      "ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "TLS",
    ]
    #expect(m.messageTypeName == expected[type])
  }

  @Test func bootpWithoutOption53() {
    var b = BOOTPBuilder(type: nil)
    b.cookie = nil
    let m = message(b)
    #expect(m.messageType == nil)
    #expect(m.messageTypeName == "BOOTP")
    #expect(m.warnings.isEmpty)
  }
}

@Suite struct OverloadAndConcatenationTests {
  @Test func optionsInFileAndSnameAreDecodedInOrder() {
    var b = BOOTPBuilder(type: MessageType.offer)
    b.add(52, [3])
    b.file = BOOTPBuilder.option(67, text: "boot.efi") + [255]
    b.sname = BOOTPBuilder.option(66, text: "tftp") + [255]
    let m = message(b)
    #expect(m.options.map(\.code) == [53, 52, 67, 66])
    #expect(m.options.first { $0.code == 67 }?.area == .file)
    #expect(m.options.first { $0.code == 66 }?.area == .sname)
    #expect(m.serverName == "" && m.bootFileName == "")  // overloaded fields hold options
    #expect(decoded(m, 67)?.value == .text("boot.efi"))
    #expect(m.warnings.isEmpty)
  }

  @Test func overloadOnlyFile() {
    var b = BOOTPBuilder(type: MessageType.offer)
    b.add(52, [1])
    b.file = BOOTPBuilder.option(51, uint32: 60) + [255]
    b.sname = Array("named-server".utf8)
    let m = message(b)
    #expect(m.uint32Option(51) == 60)
    #expect(m.serverName == "named-server")
  }

  @Test func overloadPointingAtItselfIsIgnoredWithAWarning() {
    var b = BOOTPBuilder(type: MessageType.offer)
    b.add(52, [1])
    b.file = BOOTPBuilder.option(52, [3]) + BOOTPBuilder.option(12, text: "x") + [255]
    let m = message(b)
    #expect(m.options.filter { $0.code == 52 }.count == 1)
    #expect(m.warnings.contains { $0.contains("inside the overloaded file field") })
    #expect(m.option(12) != nil)
  }

  @Test func rfc3396SplitOptionsAreConcatenatedAtTheFirstPosition() {
    var b = BOOTPBuilder(type: MessageType.ack)
    b.add(12, text: "long-")
    b.add(54, address: IPv4Address("198.51.100.2")!)
    b.add(12, text: "host")
    b.add(52, [1])
    b.file = BOOTPBuilder.option(12, text: "-name") + [255]
    let m = message(b)
    #expect(m.options.map(\.code) == [53, 12, 54, 52])
    #expect(m.option(12)?.pieces == 3)
    #expect(decoded(m, 12)?.value == .text("long-host-name"))
    #expect(decoded(m, 12)?.pieces == 3)
  }

  @Test func everyOptionCodeIsConcatenated() {
    var b = BOOTPBuilder(type: MessageType.ack)
    b.add(121, [24, 10, 1, 2])
    b.add(121, [192, 0, 2, 1])
    let m = message(b)
    #expect(
      decoded(m, 121)?.value
        == .list([
          .record([.init("destination", .text("10.1.2.0/24")), .init("router", .address(IPv4Address("192.0.2.1")!))])
        ]))
  }
}

@Suite struct WarningTests {
  @Test func optionRunningPastTheEnd() {
    var b = BOOTPBuilder(type: MessageType.discover)
    b.minimumSize = 0
    b.options += [12, 40] + Array("short".utf8)
    let m = message(b, end: false)
    #expect(m.warnings.contains { $0.contains("option 12 length 40 runs past the end") })
    #expect(m.messageType == MessageType.discover)  // the rest is still decoded
    #expect(m.option(12)?.length == 5)
  }

  @Test func missingEndOption() {
    var b = BOOTPBuilder(type: MessageType.discover)
    b.minimumSize = 0
    let m = message(b, end: false)
    #expect(m.warnings.contains { $0.contains("no end option") })
  }

  @Test func badMagicCookie() {
    var b = BOOTPBuilder(type: MessageType.discover, xid: 9)
    b.cookie = 0x0102_0304
    let m = message(b)
    #expect(m.warnings.contains { $0.contains("bad magic cookie 0x1020304") })
    #expect(m.xid == 9)
    #expect(m.options.isEmpty)
  }

  @Test func hlenOver16() {
    var b = BOOTPBuilder(type: MessageType.discover)
    b.hlen = 200
    let m = message(b)
    #expect(m.warnings.contains { $0.contains("hlen 200") })
    #expect(m.clientHardwareAddress.bytes.count == 16)
  }

  @Test func shortMessageIsZeroFilledAndWarned() {
    let bytes = Array(BOOTPBuilder(type: MessageType.discover, xid: 0x0A0B_0C0D).build().prefix(20))
    let m = bytes.withUnsafeBytes { DHCPMessage(payload: $0) }
    #expect(m.xid == 0x0A0B_0C0D)
    #expect(m.warnings.contains { $0.contains("shorter than the 236-byte fixed header") })
  }

  @Test func badOptionLengthForItsType() {
    var b = BOOTPBuilder(type: MessageType.discover)
    b.add(50, [1, 2, 3])
    b.add(51, [1])
    let m = message(b)
    #expect(decoded(m, 50)?.warnings.first?.contains("length 3 is invalid for an IPv4 address") == true)
    #expect(decoded(m, 50)?.value == .hex([1, 2, 3]))
    #expect(decoded(m, 51)?.warnings.isEmpty == false)
  }

  @Test func domainSearchPointerLoopsStop() {
    var b = BOOTPBuilder(type: MessageType.ack)
    b.add(119, [3] + Array("lab".utf8) + [0xC0, 0x00])  // the second label points back to itself
    let m = message(b)
    let o = decoded(m, 119)
    #expect(o?.warnings.contains { $0.contains("does not point backwards") } == true)
    var forward = BOOTPBuilder(type: MessageType.ack)
    forward.add(119, [0xC0, 0x05, 0, 0, 0, 1, 0x61, 0])  // a forward pointer
    #expect(decoded(message(forward), 119)?.warnings.isEmpty == false)
  }

  @Test func malformedSubOptionsWarn() {
    var b = BOOTPBuilder(type: MessageType.request)
    b.add(82, [1, 10, 0x61, 0x62])
    let o = decoded(message(b), 82)
    #expect(o?.warnings.contains { $0.contains("sub-option 1 length 10 runs past") } == true)
    #expect(o?.suboptions?.first?.value == .text("ab"))
  }

  @Test func randomBytesNeverTrap() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<3000 {
      let n = Int.random(in: 0..<600, using: &rng)
      var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
      if bytes.count > 240 && Bool.random(using: &rng) {
        bytes.replaceSubrange(236..<240, with: [0x63, 0x82, 0x53, 0x63])
      }
      let m = bytes.withUnsafeBytes { DHCPMessage(payload: $0) }
      _ = OptionDecoder.decodeAll(m)
      for linkType in [LinkType.ethernet, LinkType.linuxSLL2, LinkType.raw] {
        var d = PacketDissector()
        _ = dissectFrame(bytes, linkType: linkType, dissector: &d)
      }
    }
  }
}
