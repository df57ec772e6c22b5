import Correlate
import Dissect
import PacketCraft
import Report
import Testing

/// The report writers' word-at-a-time paths against byte-at-a-time definitions.
@Suite struct ReportWriterTests {
  static func naiveHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
  }

  static func written(_ body: (inout ReportWriter) -> Void) -> String {
    var w = ReportWriter(capacity: 64)
    body(&w)
    return w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }

  @Test func hexOfEveryByteValueAtEveryPosition() {
    let all = (0...255).map(UInt8.init) + (0...255).reversed().map(UInt8.init)
    // Every length up to 9 covers the four-byte steps and every tail; every start shifts
    // each byte value through each lane of a step.
    for start in 0..<4 {
      for length in [0, 1, 2, 3, 4, 5, 7, 8, 9, all.count - start] {
        let slice = all[start..<(start + length)]
        let got = Self.written { $0.plainHex(slice) }
        #expect(got == Self.naiveHex(slice), "start \(start) length \(length)")
        // A collection without contiguous storage takes the byte-at-a-time path.
        #expect(Self.written { $0.plainHex(slice.lazy.map { $0 }) } == got)
      }
    }
  }

  /// Bytes copied into the report at every length from 0 to past the word loop's limit, from
  /// every alignment: the copy ends with an overlapping word, or two half words, never a byte
  /// loop, and must still write each byte once, in place.
  @Test func copiesOfEveryLengthAndAlignment() {
    let source = (0..<80).map { UInt8(0x21 + ($0 * 37 + 11) % 90) }
    for start in 0..<8 {
      for length in 0...(source.count - start) {
        let slice = Array(source[start..<(start + length)])
        let got = slice.withUnsafeBytes { bytes in
          Self.written { w in
            w.raw("<")
            w.rawValue(bytes)
            w.raw(">")
          }
        }
        #expect(Array(got.utf8) == [UInt8(ascii: "<")] + slice + [UInt8(ascii: ">")], "start \(start) length \(length)")
      }
    }
  }

  /// Timestamps written from the cached second, and by digit pairs, read as the plain
  /// definition writes them: every fraction width, the second changing and coming back, and
  /// the times the cache does not hold (negative, more than 16 digits).
  @Test func timestampsAsThePlainDefinitionWritesThem() {
    let seconds: [Int64] = [
      0, 9, 10, 1_763_700_000, 1_763_700_001, 1_763_700_000, 9_999_999_999_999_999, 10_000_000_000_000_000, -1,
    ]
    let nanoseconds: [Int32] = [0, 1, 999, 1_000, 10_000, 123_456_789, 999_999_999]
    var w = ReportWriter(capacity: 64)
    var expected = ""
    for s in seconds {
      for n in nanoseconds {
        for nano in [false, true] {
          let t = Timestamp(seconds: s, nanoseconds: n)
          w.plainTimestamp(t, nanosecondPrecision: nano)
          w.raw(" ")
          expected += formatTimestamp(t, nanosecondPrecision: nano) + " "
        }
      }
    }
    #expect(w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == expected)
  }

  /// Integers by digit pairs read as Swift prints them, at every power of ten and either
  /// side of it.
  @Test func integersAsSwiftPrintsThem() {
    var values: [UInt64] = [0, UInt64.max, UInt64.max - 1]
    var power: UInt64 = 1
    for _ in 0..<20 {
      values += [power - 1, power, power + 1]
      power = power &* 10
    }
    for v in values {
      #expect(Self.written { $0.plainInt(v) } == String(v))
      if v <= UInt64(Int64.max) { #expect(Self.written { $0.plainInt(-Int64(v)) } == String(-Int64(v))) }
    }
    #expect(Self.written { $0.plainInt(Int64.min) } == String(Int64.min))
  }

  /// A sequence entry opened in one write reads as the same members written one by one: in
  /// an array after another entry, with members added after it, at times the second cache
  /// holds and does not (negative), with frame numbers of every width, duplicates, and
  /// capture interfaces with and without an index and of a packet type with no name.
  @Test func sequenceEntryInOneWriteAsMemberByMember() {
    let file = Array("\"a/b.pcap\"".utf8)
    let type = Array("\"DISCOVER\"".utf8)
    let leg = Array("\"client-relay\"".utf8)
    let source = IPv4Address(0xC000_0201)
    let destination = IPv4Address(0xFFFF_FFFF)
    let cases: [(Int, Timestamp, Bool, CaptureInterface?)] = [
      (1, Timestamp(seconds: 1_763_700_000, nanoseconds: 100), false, nil),
      (1_038_882, Timestamp(seconds: 5, nanoseconds: 0), true, CaptureInterface(index: 5, packetType: 4)),
      (2, Timestamp(seconds: 5, nanoseconds: 1), false, CaptureInterface(index: nil, packetType: 1)),
      (3, Timestamp(seconds: 5, nanoseconds: 2), true, CaptureInterface(index: UInt32.max, packetType: 77)),
      (Int.max, Timestamp(seconds: -3, nanoseconds: 7), true, nil),
      (-1, Timestamp(seconds: 0, nanoseconds: 0), false, nil),
    ]
    for nano in [false, true] {
      let fast = Self.written { w in
        w.beginArray()
        for (frame, t, duplicate, interface) in cases {
          file.withUnsafeBytes { f in
            type.withUnsafeBytes { ty in
              leg.withUnsafeBytes { l in
                w.openSequenceEntry(
                  frame: frame, file: f, timestamp: t, nanosecondPrecision: nano, type: ty, leg: l, source: source,
                  destination: destination, duplicate: duplicate, interface: interface)
              }
            }
          }
          w.key("point")
          w.string("p")
          w.endObject()
        }
        w.endArray()
      }
      let slow = Self.written { w in
        w.beginArray()
        for (frame, t, duplicate, interface) in cases {
          w.beginObject()
          w.key("frame")
          w.int(frame)
          w.key("file")
          file.withUnsafeBytes { w.rawValue($0) }
          w.key("ts")
          w.timestamp(t, nanosecondPrecision: nano)
          w.key("type")
          type.withUnsafeBytes { w.rawValue($0) }
          w.key("leg")
          leg.withUnsafeBytes { w.rawValue($0) }
          w.key("src")
          w.address(source)
          w.key("dst")
          w.address(destination)
          if duplicate {
            w.key("duplicate")
            w.bool(true)
          }
          if let interface {
            w.key("interface")
            w.interface(interface)
          }
          w.key("point")
          w.string("p")
          w.endObject()
        }
        w.endArray()
      }
      #expect(fast == slow)
      #expect(fast.hasPrefix("[{\"frame\":1,\"file\":\"a/b.pcap\",\"ts\":1763700000.000000"))
    }
  }

  /// Decimals as reports print milliseconds: up to three places, trailing zeros dropped, the
  /// sign kept, and values too large for three exact places through the slow path (which
  /// trapped on values past what an Int64 holds).
  @Test func decimalsToThreePlaces() {
    let cases: [(Double, String)] = [
      (0, "0"), (0.1, "0.1"), (2.258, "2.258"), (1000.5, "1000.5"), (-3.25, "-3.25"), (0.0004, "0"),
      (0.0005, "0.001"), (123_456.789, "123456.789"), (9.99, "9.99"), (1e12, "1000000000000"), (-0.05, "-0.05"),
      (99.999, "99.999"), (1e15, "1000000000000000"), (1e16, "1e+16"), (-3e300, "-3e+300"),
    ]
    for (value, expected) in cases {
      #expect(Self.written { $0.plainDecimal(value) } == expected, "\(value)")
    }
  }

  /// The ladder draws message types outside its table (32 and up) as it draws those in it:
  /// each arrow names its own type, and a type past the table is not taken for BOOTP (no
  /// type), whose row closes the table. Each row starts with its time, rounded to three
  /// places (a carry included) and right-aligned.
  @Test func ladderArrowsForTypesInAndPastTheTable() throws {
    let types: [UInt8?] = [MessageType.discover, 31, 32, 200, nil]
    var client = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    let frames = types.enumerated().map { i, type -> (Double, [UInt8]) in
      client.identification = UInt16(i + 1)
      return (
        [0, 0.012_345_6, 0.1, 1.5, 9.999_999_6][i],
        client.frame(BOOTPBuilder(type: type, xid: 0x0BAD_CAFE, op: 1).build())
      )
    }
    let records = TransactionStream.records(of: packets(frames))
    try #require(records.reduce(0) { $0 + $1.sequence.count } == types.count)
    var report = TransactionReport(
      format: .text, files: InputFiles(paths: ["t.pcap"], nanosecondPrecision: [false]), style: TextStyle(color: false))
    var w = ReportWriter(capacity: 1 << 12)
    for r in records { report.render(r, into: &w) }
    let text = w.out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    let arrows = text.split(separator: "\n").filter { $0.contains("─") }
    try #require(arrows.count == types.count, "\(text)")
    // Each row's time, milliseconds to three places, right-aligned in ten columns after three.
    let times = arrows.map { String($0.prefix(13)) }
    #expect(times == ["        0.000", "       12.346", "      100.000", "     1500.000", "    10000.000"], "\(text)")
    for type in types {
      #expect(
        arrows.filter { $0.contains(MessageType.name(type)) }.count == 1, "type \(String(describing: type)): \(text)")
    }
  }
}
