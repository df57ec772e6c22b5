import Dissect
import PacketCraft
import Testing

private typealias C = DHCPv6Craft

private func dissect(_ frame: [UInt8], dissector: inout PacketDissector, number: Int = 1) -> DissectResult {
  dissectFrame(frame, frameNumber: number, dissector: &dissector)
}

private func dhcpv6(_ frame: [UInt8]) -> DHCPv6Packet? {
  var d = PacketDissector()
  if case .dhcpv6(let p) = dissect(frame, dissector: &d) { return p }
  return nil
}

struct DHCPv6Tests {
  let up = IPv6FrameBuilder(from: "2001:db8:ff01::1", 547, to: "2001:db8:ff01::2", 547)
  let solicit = C.message(DHCPv6MessageType.solicit, xid: 0x12_3456, [C.option(1, C.duidLL(mac: [2, 0, 0, 0, 0, 1]))])

  @Test func addressesReadAndPrintAsRFC5952() {
    let cases = [
      ("2001:db8::1", "2001:db8::1"), ("::", "::"), ("::1", "::1"), ("fe80::", "fe80::"),
      ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:DB8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
      ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
    ]
    for (text, printed) in cases { #expect(IPv6Address(text)?.description == printed, "\(text)") }
    for bad in ["2001:db8::1::2", "1:2:3:4:5:6:7", "12345::", "g::1", "1:2:3:4:5:6:7:8:9"] {
      #expect(IPv6Address(bad) == nil, "\(bad)")
    }
    #expect(IPv6Address("fe80::1")!.isLinkLocal && !IPv6Address("2001:db8::1")!.isLinkLocal)
  }

  /// Option 9 is found by scanning a layer's options, wherever it is among them.
  @Test func relayLayersUnwrapWhereverTheRelayMessageIs() throws {
    let link = IPv6Address("2001:db8:1::1")!
    let peer = IPv6Address("fe80::1")!
    let inner = C.relay(DHCPv6MessageType.relayForward, hopCount: 0, link: link, peer: peer, inner: solicit)
    // The outer layer puts its Interface-Id after the Relay Message.
    let outer =
      [DHCPv6MessageType.relayForward, 1] + IPv6Address("2001:db8:ff10::2")!.bytes
      + IPv6Address("2001:db8:ff10::1")!.bytes + C.option(9, inner) + C.option(18, [7])
    let p = try #require(dhcpv6(up.frame(outer)))
    #expect(p.message.relays.map(\.hopCount) == [1, 0])
    #expect(p.message.relays.map(\.linkAddress) == [IPv6Address("2001:db8:ff10::2")!, link])
    #expect(p.message.relays[0].options.map(\.code) == [9, 18])
    #expect(p.message.messageType == DHCPv6MessageType.solicit && p.message.transactionID == 0x12_3456)
    #expect(p.message.malformation == nil && p.message.warnings.isEmpty)
  }

  @Test func damagedMessagesHaveTypedReasons() throws {
    #expect(dhcpv6(up.frame([1, 0]))?.message.malformation?.reason == .shortDHCPv6Message)
    #expect(dhcpv6(up.frame([12, 0, 1]))?.message.malformation?.reason == .shortDHCPv6Message)
    let noInner = [DHCPv6MessageType.relayForward, 0] + [UInt8](repeating: 0, count: 32) + C.option(18, [1])
    #expect(dhcpv6(up.frame(noInner))?.message.malformation?.reason == .noRelayMessage)
    // 40 nested layers: more than anyone relays through.
    var deep = solicit
    for _ in 0..<40 {
      deep = C.relay(DHCPv6MessageType.relayForward, hopCount: 0, link: .zero, peer: .zero, inner: deep)
    }
    let p = try #require(dhcpv6(up.frame(deep)))
    #expect(p.message.malformation?.reason == .noRelayMessage && p.message.relays.count == DHCPv6Message.maximumLayers)
    // An option that claims more bytes than remain: kept as far as it goes, with a warning.
    let cut = C.message(DHCPv6MessageType.solicit, xid: 1, []) + [0, 1, 0, 40, 0, 3]
    let q = try #require(dhcpv6(up.frame(cut)))
    #expect(q.message.options.map(\.code) == [1] && q.message.warnings.count == 1)
  }

  @Test func fragmentsAreReassembledAndExtensionHeadersFollowed() throws {
    var d = PacketDissector()
    let big = C.message(
      DHCPv6MessageType.solicit, xid: 0xF0_0001, [C.option(16, [UInt8](repeating: 0x41, count: 1500))])
    let pieces = up.fragments(big, size: 1000, identification: 7)
    guard case .fragment = dissect(pieces[0], dissector: &d) else {
      Issue.record("the first fragment waits")
      return
    }
    guard case .dhcpv6(let p) = dissect(pieces[1], dissector: &d, number: 2) else {
      Issue.record("the second completes it")
      return
    }
    #expect(p.frame == 2 && p.message.transactionID == 0xF0_0001 && p.message.options.map(\.code) == [16])
    var withHeaders = up
    withHeaders.extensionHeaders = [(0, [5, 2, 0, 0]), (43, [0, 0, 0, 0, 0, 0]), (60, [])]
    #expect(dhcpv6(withHeaders.frame(solicit))?.message.transactionID == 0x12_3456)
    // A chain of extension headers that runs past the packet is a bad IP header.
    let truncated = Array(withHeaders.ethernet(withHeaders.ipv6([], last: 17)).dropLast(8))
    guard case .malformed(let why) = dissect(truncated, dissector: &d) else {
      Issue.record("a cut extension header is malformed")
      return
    }
    #expect(why.reason == .badIPHeader)
  }

  /// Nested options decode as sub-options; every DUID type shows its fields.
  @Test func optionsDecodeByType() throws {
    let reply = C.message(
      DHCPv6MessageType.reply, xid: 9,
      [
        C.iaNA(iaid: 1, t1: 10, t2: 20, [C.iaAddress(IPv6Address("2001:db8:1::42")!, preferred: 30, valid: 40)]),
        C.option(2, C.duidLLT(mac: [2, 0, 0, 0, 0, 9], time: 1)), C.status(3, "no binding"),
      ])
    let p = try #require(dhcpv6(up.frame(reply)))
    let options = DHCPv6OptionDecoder.decodeAll(p.message.options, of: p.message)
    #expect(options.map(\.code) == [3, 2, 13])
    #expect(options[0].suboptions?.first?.code == 5)
    guard case .record(let fields) = options[0].suboptions?.first?.value else {
      Issue.record("IA Address is a record")
      return
    }
    #expect(fields.first { $0.name == "address" }?.value == .text("2001:db8:1::42"))
    guard case .record(let duid) = options[1].value, case .record(let status) = options[2].value else {
      Issue.record("DUID and status are records")
      return
    }
    #expect(duid.first { $0.name == "type_name" }?.value == .text("DUID-LLT"))
    #expect(status.first { $0.name == "name" }?.value == .text("NoBinding"))
  }
}
