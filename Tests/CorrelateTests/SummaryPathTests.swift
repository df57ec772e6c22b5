import Correlate
import Dissect
import PacketCraft
import Testing

/// `analyze` reads packets through `PacketDissector.summarize`, which skips the full decoder for
/// common messages. Both paths must agree on every packet.
@Suite struct SummaryPathTests {
  @Test func fastSummaryMatchesFullDecoderOnEveryFixture() throws {
    var compared = 0
    for path in try allFixtureCaptures() {
      let full = try readPackets([path]).map(PacketSummary.init)
      let fast = try readSummaries([path])
      #expect(full.count == fast.count, "\(path)")
      for (f, s) in zip(full, fast) where f != s {
        Issue.record("\(path) frame \(f.frame): full \(f) fast \(s)")
      }
      compared += full.count
    }
    #expect(compared > 300)
  }

  /// Messages the fast path hands to the full decoder: overload, repeated options (RFC 3396),
  /// a cut option, a short message.
  @Test func unusualMessagesAgreeToo() {
    var overloaded = BOOTPBuilder(type: MessageType.ack, xid: 1)
    overloaded.add(52, [1])
    overloaded.file = [54, 4, 198, 51, 100, 2, 255]
    var repeated = BOOTPBuilder(type: MessageType.ack, xid: 2)
    repeated.add(51, [0, 0])
    repeated.add(51, [1, 0])
    var cut = BOOTPBuilder(type: MessageType.discover, xid: 3)
    cut.minimumSize = 0
    cut.add(54, [198, 51])
    let cutBytes = Array(cut.build(end: false).dropLast(1))
    let short = Array(BOOTPBuilder(type: nil, xid: 4).build().prefix(100))
    var lengthZeroType = BOOTPBuilder(type: nil, xid: 5)
    lengthZeroType.add(53, [])
    for payload in [overloaded.build(), repeated.build(), cutBytes, short, lengthZeroType.build()] {
      let frame = FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.1", 67).frame(payload)
      var d1 = PacketDissector()
      var d2 = PacketDissector()
      let t = Timestamp(seconds: 1, nanoseconds: 0)
      frame.withUnsafeBytes { bytes in
        guard case .dhcp(let full) = d1.dissect(bytes, linkType: 1, timestamp: t, frame: 1, fileIndex: 0),
          case .dhcp(let fast) = d2.summarize(bytes, linkType: 1, timestamp: t, frame: 1, fileIndex: 0)
        else {
          Issue.record("not dissected")
          return
        }
        #expect(PacketSummary(full) == fast)
      }
    }
  }
}
