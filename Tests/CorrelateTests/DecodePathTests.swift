import Capture
import Dissect
import PacketCraft
import Testing

/// `decode` locates packets into a `LocatedPackets` batch and decodes each into one reused
/// `DHCPPacket`. Whatever came before, every packet must decode as `PacketDissector.dissect`
/// decodes it alone.
@Suite struct DecodePathTests {
  /// Messages that leave state behind in a reused message (`unusualPayloads`), each followed
  /// by a plain one, and the first again at the end.
  static func unusualFrames() -> [[UInt8]] {
    var plain = BOOTPBuilder(type: MessageType.offer, xid: 7)
    plain.add(54, [198, 51, 100, 2])
    let unusual = unusualPayloads()
    return (unusual + [unusual[0]]).flatMap { [$0, plain.build()] }.map {
      FrameBuilder(from: "198.51.100.2", 67, to: "192.0.2.1", 67).frame($0)
    }
  }

  @Test func reusedPacketDecodesLikeAFreshOne() throws {
    var frames: [(bytes: [UInt8], linkType: Int, number: Int)] = Self.unusualFrames().enumerated().map {
      ($0.element, 1, $0.offset + 1)
    }
    for path in try allFixtureCaptures() {
      let file = try CaptureFile(path: path)
      while let frame = try file.next() {
        frames.append((Array(frame.bytes), file.linkType, frame.number))
      }
    }
    var alone = PacketDissector()
    var batching = PacketDissector()
    var expected: [DHCPPacket] = []
    var batch = LocatedPackets()
    let t = Timestamp(seconds: 1, nanoseconds: 0)
    for f in frames {
      f.bytes.withUnsafeBytes { bytes in
        let frame = LinkFrame(bytes, linkType: f.linkType, timestamp: t, number: f.number)
        if case .dhcp(let p) = alone.dissect(frame) {
          expected.append(p)
        }
        _ = batching.locate(frame, appendingTo: &batch)
      }
    }
    #expect(batch.count == expected.count)
    #expect(expected.count > 300)
    var packet = DHCPPacket()
    for (i, e) in expected.enumerated() where i < batch.count {
      batch.decode(i, into: &packet)
      let m = packet.message
      #expect(
        m == e.message && PacketSummary(packet) == PacketSummary(e),
        "packet \(i), frame \(e.frame): \(m.warnings) vs \(e.message.warnings)")
    }
  }
}
