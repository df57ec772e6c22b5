import Capture
import Correlate
import Dissect
import PacketCraft
import Pipeline
import Testing

/// `analyze` reads packets through `PacketDissector.summarize`, which skips the full decoder for
/// common messages. Both paths must agree on every packet.
@Suite struct SummaryPathTests {
  @Test func fastSummaryMatchesFullDecoderOnEveryFixture() throws {
    var compared = 0
    for path in try allFixtureCaptures() {
      // A capture of a link type the reader rejects (as analyze does) has nothing to compare.
      do { _ = try PacketReader(path: path, fileIndex: 0, userFilter: nil) } catch CaptureError.unsupportedLinkType {
        continue
      }
      // A payload that is not a BOOTP message is malformed to `summarize`, and never summarised.
      let full = try readPackets([path]).filter { $0.message.malformation == nil }.map(PacketSummary.init)
      // ICMP errors quoting a DHCP message are summaries only: the full decoder reports DHCP.
      let fast = try readSummaries([path]).filter { $0.icmpError == nil }
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
    for payload in unusualPayloads() {
      let frame = FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.1", 67).frame(payload)
      var d1 = PacketDissector()
      var d2 = PacketDissector()
      let t = Timestamp(seconds: 1, nanoseconds: 0)
      frame.withUnsafeBytes { bytes in
        let linkFrame = LinkFrame(bytes, linkType: 1, timestamp: t, number: 1)
        guard case .dhcp(let full) = d1.dissect(linkFrame) else {
          Issue.record("not dissected")
          return
        }
        let summarized = d2.summarize(linkFrame)
        if let problem = full.message.malformation {
          guard case .malformed(let why) = summarized else {
            Issue.record("a payload that is not BOOTP was summarised")
            return
          }
          #expect(why.reason == problem.reason)
          return
        }
        guard case .dhcp(let fast) = summarized else {
          Issue.record("not dissected")
          return
        }
        #expect(PacketSummary(full) == fast)
      }
    }
  }
}
