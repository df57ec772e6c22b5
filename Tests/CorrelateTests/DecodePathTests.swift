import Capture
import Dissect
import PacketCraft
import Testing

/// `decode` locates packets into a `LocatedPackets` batch and decodes each into one reused
/// `DHCPPacket`. Whatever came before, every packet must decode as `PacketDissector.dissect`
/// decodes it alone.
@Suite struct DecodePathTests {
  /// Messages that leave state behind in a reused message: overload, RFC 3396 concatenation
  /// (which grows the buffer), a cut option, a short message, plus a plain one between each.
  static func unusualFrames() -> [[UInt8]] {
    var overloaded = BOOTPBuilder(type: MessageType.ack, xid: 1)
    overloaded.add(52, [3])
    overloaded.file = [54, 4, 198, 51, 100, 2, 255]
    overloaded.sname = [12, 3, 0x61, 0x62, 0x63, 255]
    var repeated = BOOTPBuilder(type: MessageType.ack, xid: 2)
    repeated.add(51, [0, 0])
    repeated.add(51, [1, 0])
    var cut = BOOTPBuilder(type: MessageType.discover, xid: 3)
    cut.minimumSize = 0
    cut.add(54, [198, 51])
    let cutBytes = Array(cut.build(end: false).dropLast(1))
    let short = Array(BOOTPBuilder(type: nil, xid: 4).build().prefix(100))
    var plain = BOOTPBuilder(type: MessageType.offer, xid: 5)
    plain.add(54, [198, 51, 100, 2])
    let payloads = [overloaded.build(), repeated.build(), cutBytes, short, overloaded.build()]
    return payloads.flatMap { [$0, plain.build()] }.map {
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
        if case .dhcp(let p) = alone.dissect(bytes, linkType: f.linkType, timestamp: t, frame: f.number, fileIndex: 0) {
          expected.append(p)
        }
        _ = batching.locate(
          bytes, linkType: f.linkType, timestamp: t, frame: f.number, fileIndex: 0, appendingTo: &batch)
      }
    }
    #expect(batch.count == expected.count)
    #expect(expected.count > 300)
    func fields(_ o: DHCPOptionRef) -> [Int] {
      [Int(o.code), Int(o.start), Int(o.length), Int(o.pieces), Int(o.area.rawValue)]
    }
    var packet = DHCPPacket()
    for (i, e) in expected.enumerated() where i < batch.count {
      batch.decode(i, into: &packet)
      let m = packet.message
      let same =
        m.storage == e.message.storage && m.payloadLength == e.message.payloadLength
        && m.warnings == e.message.warnings && m.serverName == e.message.serverName
        && m.bootFileName == e.message.bootFileName
        && m.options.map(fields) == e.message.options.map(fields)
        && PacketSummary(packet) == PacketSummary(e)
      #expect(same, "packet \(i), frame \(e.frame): \(m.warnings) vs \(e.message.warnings)")
    }
  }
}
