import Dissect
import PacketCraft
import Testing

@Suite struct FragmentTests {
  var big: [UInt8] {
    var b = BOOTPBuilder(type: MessageType.offer, xid: 0xF4A6_0001)
    b.add(43, [UInt8](repeating: 0xAA, count: 250))
    b.add(43, [UInt8](repeating: 0xBB, count: 250))
    b.add(43, [UInt8](repeating: 0xCC, count: 250))
    return b.build()
  }
  var builder: FrameBuilder {
    var f = FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.100", 68)
    f.identification = 0x77
    return f
  }

  func run(_ frames: [[UInt8]]) -> [DissectResult] {
    var d = PacketDissector()
    return frames.enumerated().map { i, f in
      dissectFrame(f, at: Timestamp(seconds: 100, nanoseconds: Int32(i)), frameNumber: i + 1, dissector: &d)
    }
  }

  @Test func reassemblesInAndOutOfOrder() throws {
    let pieces = builder.fragments(big, size: 400)
    #expect(pieces.count == 3)
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
      let results = run(order.map { pieces[$0] })
      guard case .dhcp(let p) = results.last! else {
        Issue.record("order \(order) did not reassemble")
        continue
      }
      #expect(p.frame == 3)
      #expect(p.message.xid == 0xF4A6_0001)
      #expect(p.message.option(43)?.length == 750)
      #expect(p.message.option(43)?.pieces == 3)
      for r in results.dropLast() {
        guard case .fragment = r else {
          Issue.record("expected fragment")
          continue
        }
      }
    }
  }

  @Test func overlappingFragmentsWarn() throws {
    let pieces = builder.fragments(big, size: 400)
    let results = run([pieces[0], pieces[0], pieces[1], pieces[2]])
    guard case .dhcp(let p) = results.last! else {
      Issue.record("did not reassemble")
      return
    }
    #expect(p.message.warnings.contains { $0.contains("overlap") })
  }

  @Test func incompleteDatagramsNeverReportAndExpire() {
    let pieces = builder.fragments(big, size: 400)
    var d = PacketDissector()
    _ = dissectFrame(pieces[0], at: Timestamp(seconds: 100, nanoseconds: 0), dissector: &d)
    #expect(d.reassembler.pendingCount == 1)
    // 60 s later (packet time) the half datagram is dropped.
    let other = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var o = other
    o.identification = 5
    _ = dissectFrame(o.fragments(big, size: 400)[0], at: Timestamp(seconds: 160, nanoseconds: 0), dissector: &d)
    #expect(d.reassembler.pendingCount == 1)
    #expect(d.reassembler.dropped == 1)
  }

  @Test func datagramsBeyond65535BytesAreDropped() {
    let f = builder
    let udpHeader = f.udp([])
    var d = PacketDissector()
    _ = dissectFrame(f.ethernet(f.ipv4(udpHeader + [1, 2, 3, 4, 5, 6, 7, 8], more: true)), dissector: &d)
    let late = f.ethernet(f.ipv4([UInt8](repeating: 0, count: 1000), fragmentOffset: 65_000, more: false))
    guard case .malformed(let why) = dissectFrame(late, dissector: &d) else {
      Issue.record("expected the oversized datagram to be dropped")
      return
    }
    #expect(why.reason == .fragmentsDropped && why.detail.contains("65535"))
    #expect(d.reassembler.pendingCount == 0)
  }

  @Test func pendingDatagramsAreCapped() {
    var d = PacketDissector()
    d.reassembler.maximumPending = 10
    for id in 0..<50 {
      var f = builder
      f.identification = UInt16(id)
      _ = dissectFrame(f.fragments(big, size: 400)[0], dissector: &d)
    }
    #expect(d.reassembler.pendingCount == 10)
    #expect(d.reassembler.dropped == 40)
  }
}
