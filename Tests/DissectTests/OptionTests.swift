import Dissect
import PacketCraft
import Testing

func decode(_ code: UInt8, _ bytes: [UInt8], vendorClass: String? = nil) -> DecodedOption {
  OptionDecoder.decode(code: code, bytes: bytes[...], vendorClass: vendorClass)
}

func ip(_ s: String) -> OptionValue { .address(IPv4Address(s)!) }

@Suite struct OptionTests {
  @Test func addressesNumbersTextAndFlags() {
    #expect(decode(1, [255, 255, 255, 0]).value == ip("255.255.255.0"))
    #expect(decode(1, [255, 255, 255, 0]).name == "Subnet Mask")
    #expect(decode(2, [0xFF, 0xFF, 0xF1, 0xF0]).value == .number(-3600))
    #expect(decode(3, [192, 0, 2, 1, 192, 0, 2, 2]).value == .list([ip("192.0.2.1"), ip("192.0.2.2")]))
    #expect(decode(12, Array("host\0".utf8)).value == .text("host"))
    #expect(decode(19, [1]).value == .flag(true))
    #expect(decode(26, [5, 0xDC]).value == .number(1500))
    #expect(decode(33, [203, 0, 113, 0, 192, 0, 2, 1]).value == .list([.list([ip("203.0.113.0"), ip("192.0.2.1")])]))
    #expect(decode(46, [8]).value == .text("H-node"))
    #expect(decode(25, [0, 68, 1, 0x28]).value == .list([.number(68), .number(296)]))
  }

  @Test func dhcpOptions50To61() {
    #expect(decode(50, [192, 0, 2, 9]).value == ip("192.0.2.9"))
    #expect(decode(51, [0, 0, 0x0E, 0x10]).value == .number(3600))
    #expect(decode(52, [3]).value == .text("file and sname"))
    #expect(decode(53, [5]).value == .text("ACK"))
    #expect(decode(54, [198, 51, 100, 2]).value == ip("198.51.100.2"))
    #expect(decode(55, [1, 3, 6]).value == .list([.number(1), .number(3), .number(6)]))
    #expect(decode(56, Array("no leases".utf8)).value == .text("no leases"))
    #expect(decode(57, [2, 0x40]).value == .number(576))
    #expect(decode(58, [0, 0, 1, 0x2C]).value == .number(300))
    #expect(decode(59, [0, 0, 2, 0x0D]).value == .number(525))
    #expect(decode(60, Array("MSFT 5.0".utf8)).value == .text("MSFT 5.0"))
    #expect(
      decode(61, [1, 2, 0, 0, 0, 0xC0, 1]).value
        == .record([.init("type", .number(1)), .init("hardware_address", .text("02:00:00:00:c0:01"))]))
    #expect(
      decode(61, [255, 0, 0, 0, 9, 0, 1]).value
        == .record([.init("type", .number(255)), .init("iaid", .number(9)), .init("duid", .hex([0, 1]))]))
  }

  @Test func pxeVendorOptionsAndGenericOnes() {
    let pxe = decode(43, [6, 1, 8, 1, 4, 224, 0, 1, 2, 255], vendorClass: "PXEClient:Arch:00000")
    #expect(pxe.suboptions?.map(\.name) == ["PXE discovery control", "PXE mtftp IP"])
    #expect(pxe.suboptions?[1].value == ip("224.0.1.2"))
    let generic = decode(43, [1, 2, 0x61, 0x62])
    #expect(generic.suboptions?.first?.value == .text("ab"))
    #expect(decode(43, [1, 9, 0]).value == .hex([1, 9, 0]))  // not sub-options: raw
  }

  @Test func tftpAndBootfile() {
    #expect(decode(66, Array("tftp.example".utf8)).value == .text("tftp.example"))
    #expect(decode(67, Array("pxelinux.0".utf8)).value == .text("pxelinux.0"))
    #expect(decode(150, [198, 51, 100, 7]).value == .list([ip("198.51.100.7")]))
  }

  @Test func userClassRFC3004AndBareString() {
    #expect(decode(77, [4] + Array("iPXE".utf8) + [2] + Array("ab".utf8)).value == .list([.text("iPXE"), .text("ab")]))
    #expect(decode(77, Array("gPXE".utf8)).value == .text("gPXE"))
  }

  @Test func clientFQDNFlagsAndBothNameEncodings() {
    let encoded = decode(81, [0x05, 0, 0, 4] + Array("host".utf8) + [3] + Array("lab".utf8) + [0])
    guard case .record(let fields) = encoded.value else {
      Issue.record("81 is a record")
      return
    }
    #expect(fields.first { $0.name == "name" }?.value == .text("host.lab"))
    #expect(fields.first { $0.name == "server_updates" }?.value == .flag(true))
    #expect(fields.first { $0.name == "encoded" }?.value == .flag(true))
    #expect(fields.first { $0.name == "no_updates" }?.value == .flag(false))
    let ascii = decode(81, [0x00, 255, 255] + Array("pc.lab".utf8))
    guard case .record(let f2) = ascii.value else { return }
    #expect(f2.first { $0.name == "name" }?.value == .text("pc.lab"))
    #expect(f2.first { $0.name == "rcode1" }?.value == .number(255))
  }

  @Test func relayAgentInformationAllSubOptions() {
    let bytes: [UInt8] =
      [1, 3, 0x72, 0x2D, 0x63] + [2, 3, 0, 0x11, 0x22] + [4, 4, 0, 0, 0, 1] + [5, 4, 192, 0, 2, 0]
      + [6, 3, 0x73, 0x75, 0x62] + [7, 2, 1, 2] + [8, 1, 9] + [9, 2, 0, 1] + [10, 1, 0x80] + [11, 4, 192, 0, 2, 1]
      + [12, 2, 7, 7] + [151, 1, 0] + [152, 0]
    let o = decode(82, bytes)
    let subs = o.suboptions ?? []
    #expect(subs.map(\.code) == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 151, 152])
    #expect(
      subs.map(\.name) == [
        "Agent Circuit ID", "Agent Remote ID", "DOCSIS Device Class", "Link Selection", "Subscriber ID",
        "RADIUS Attributes", "Authentication", "Vendor-Specific Information", "Relay Agent Flags",
        "Server Identifier Override", "Relay Agent Identifier", "Virtual Subnet Selection",
        "Virtual Subnet Selection Control",
      ])
    #expect(subs[0].value == .text("r-c"))
    #expect(subs[1].value == .text("0x001122"))
    #expect(subs[3].value == ip("192.0.2.0"))
    #expect(subs[4].value == .text("sub"))
    #expect(subs[8].value == .number(128))
    #expect(subs[9].value == ip("192.0.2.1"))
    #expect(Array(subs[0].raw) == [0x72, 0x2D, 0x63])
    #expect(o.warnings.isEmpty)
  }

  @Test func authenticationAndPXEClientOptions() {
    guard case .record(let auth) = decode(90, [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0xAB]).value else {
      Issue.record("90 is a record")
      return
    }
    #expect(auth.first { $0.name == "replay_detection" }?.value == .hex([0, 0, 0, 0, 0, 0, 0, 5]))
    #expect(decode(93, [0, 7, 0, 9]).value == .list([.text("EFI BC"), .text("EFI x86-64")]))
    #expect(decode(94, [1, 2, 1]).value == .record([.init("type", .number(1)), .init("version", .text("2.1"))]))
    #expect(
      decode(97, [0] + (0..<16).map { UInt8($0) }).value
        == .record([.init("type", .number(0)), .init("uuid", .text("00010203-0405-0607-0809-0a0b0c0d0e0f"))]))
    #expect(decode(97, [0, 1]).warnings.isEmpty == false)
  }

  @Test func autoConfigSubnetSelectionDomainSearchSIP() {
    #expect(decode(116, [1]).value == .number(1))
    #expect(decode(118, [192, 0, 2, 0]).value == ip("192.0.2.0"))
    let search = decode(
      119, [3] + Array("lab".utf8) + [7] + Array("example".utf8) + [0, 3] + Array("eng".utf8) + [0xC0, 0x00])
    #expect(search.value == .list([.text("lab.example"), .text("eng.lab.example")]))
    #expect(decode(120, [1, 198, 51, 100, 5]).value == .list([ip("198.51.100.5")]))
    #expect(decode(120, [0, 3] + Array("sip".utf8) + [0]).value == .list([.text("sip")]))
  }

  @Test func classlessRoutesBothCodes() {
    let routes: [UInt8] = [24, 203, 0, 113, 192, 0, 2, 1, 0, 192, 0, 2, 254, 32, 1, 2, 3, 4, 5, 6, 7, 8]
    for code: UInt8 in [121, 249] {
      #expect(
        decode(code, routes).value
          == .list([
            .record([.init("destination", .text("203.0.113.0/24")), .init("router", ip("192.0.2.1"))]),
            .record([.init("destination", .text("0.0.0.0/0")), .init("router", ip("192.0.2.254"))]),
            .record([.init("destination", .text("1.2.3.4/32")), .init("router", ip("5.6.7.8"))]),
          ]))
    }
    #expect(decode(121, [33, 1, 2, 3, 4, 5, 1, 2, 3, 4]).warnings.isEmpty == false)
    #expect(decode(121, [24, 1, 2]).warnings.isEmpty == false)
  }

  @Test func vendorIdentifyingOptions() {
    let vivco = decode(124, [0, 0, 0x0D, 0xE9, 6, 5] + Array("cable".utf8))
    #expect(vivco.suboptions?.first?.code == 3561)
    #expect(vivco.suboptions?.first?.value == .list([.text("cable")]))
    let vivso = decode(125, [0, 0, 0x0D, 0xE9, 5, 1, 3] + Array("abc".utf8) + [0, 0, 0, 9, 3, 2, 1, 0xFF])
    #expect(vivso.suboptions?.map(\.code) == [3561, 9])
    #expect(vivso.suboptions?.first?.suboptions?.first?.value == .text("abc"))
    #expect(vivso.suboptions?.last?.suboptions?.first?.value == .text("0xff"))
    #expect(decode(125, [0, 0, 0x0D, 0xE9, 50]).warnings.isEmpty == false)
  }

  @Test func leasequeryAndLaterOptions() {
    #expect(decode(145, [1]).value == .list([.number(1)]))
    #expect(
      decode(151, [0] + Array("ok".utf8)).value
        == .record([.init("code", .number(0)), .init("status", .text("Success")), .init("message", .text("ok"))]))
    for code: UInt8 in [152, 153, 154, 155] {
      #expect(decode(code, [0, 0, 0, 30]).value == .number(30))
    }
    #expect(decode(156, [2]).value == .text("ACTIVE"))
    #expect(decode(252, Array("http://wpad/wpad.dat".utf8)).value == .text("http://wpad/wpad.dat"))
    #expect(decode(80, []).value == OptionValue.none)
  }

  @Test func unknownOptionsKeepRawHex() {
    let o = decode(224, [0xCA, 0xFE])
    #expect(o.value == .hex([0xCA, 0xFE]))
    #expect(Array(o.raw) == [0xCA, 0xFE])
  }
}

@Suite struct CursorTests {
  @Test func bigEndianReadsAndShortInput() {
    let bytes: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A]
    bytes.withUnsafeBytes { raw in
      var c = ByteCursor(raw)
      #expect(c.readUInt16() == 0x1234)
      #expect(c.readUInt16() == 0x5678)
      #expect(c.readUInt32() == nil)  // only one byte left: nil, not a trap
      #expect(c.readUInt8() == 0x9A)
      #expect(c.readUInt8() == nil)
      #expect(c.isAtEnd)
      var d = ByteCursor(raw, offset: 1)
      #expect(d.readUInt32() == 0x3456_789A)
      #expect(d.readSlice(1) == nil)
    }
  }
}

/// The one option walk: where it stops, and what it returns before stopping.
@Suite struct OptionWalkTests {
  func walk(_ bytes: [UInt8], padAndEnd: Bool) -> (codes: [UInt8], values: [[UInt8]], stop: OptionWalk<[UInt8]>.Stop) {
    var walk = OptionWalk(bytes, padAndEnd: padAndEnd)
    var codes: [UInt8] = []
    var values: [[UInt8]] = []
    while let option = walk.next() {
      codes.append(option.code)
      values.append(Array(bytes[option.value]))
    }
    return (codes, values, walk.stop)
  }

  @Test func padsAreSkippedAndTheEndOptionStops() {
    let r = walk([0, 0, 53, 1, 5, 0, 255, 12, 1, 65], padAndEnd: true)
    #expect(r.codes == [53])
    #expect(r.values == [[5]])
    #expect(r.stop == .endOption)
  }

  @Test func withoutPadAndEndEveryCodeHasALength() {
    let r = walk([1, 2, 0x61, 0x62, 0, 1, 7], padAndEnd: false)
    #expect(r.codes == [1, 0])
    #expect(r.values == [[0x61, 0x62], [7]])
    #expect(r.stop == .exhausted)
  }

  @Test func aCodeWithNoLengthByteStops() {
    let r = walk([53, 1, 5, 12], padAndEnd: true)
    #expect(r.codes == [53])
    #expect(r.stop == .missingLength(code: 12, offset: 3))
  }

  @Test func anOverrunIsReturnedCutShortThenStops() {
    let r = walk([12, 5, 0x61, 0x62], padAndEnd: true)
    #expect(r.codes == [12])
    #expect(r.values == [[0x61, 0x62]])
    #expect(r.stop == .overrun(code: 12, length: 5, available: 2))
  }
}
