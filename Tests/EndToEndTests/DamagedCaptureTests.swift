import Foundation
import Testing

/// A corpus of damaged captures made from the fixtures: cut anywhere, garbled headers, absurd
/// record lengths, random bytes, empty and text files, gzip that ends early. Every one must end
/// with exit 0 or 1 (never a crash or a hang), and decode and analyze must agree.
@Suite struct DamagedCaptureTests {
  struct Generator {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next() -> UInt64 {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
  }

  static func corpus() throws -> [(String, Data)] {
    var g = Generator()
    var out: [(String, Data)] = []
    let sources = [
      "single-any.pcap", "two-servers-multi.pcapng", "crafted/fragments.pcap", "crafted/options-zoo.pcap",
      "crafted/vlan.pcap", "crafted/malformed.pcap", "crafted/nanosecond.pcap", "crafted/single-any.pcap.gz",
    ]
    for name in sources {
      let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name)"))
      let base = name.replacingOccurrences(of: "/", with: "_")
      // Cut at many places, including inside the file header and record headers.
      for i in 0..<20 {
        let at = i < 6 ? [0, 3, 10, 23, 24, 30][i] : g.below(data.count)
        out.append(("\(base).cut\(at)", data.prefix(at)))
      }
      // Flip bytes, more often in the first 64 bytes where the headers are.
      for i in 0..<12 {
        var d = data
        for _ in 0..<(1 + g.below(4)) {
          let at = i % 2 == 0 ? g.below(min(64, d.count)) : g.below(d.count)
          d[at] = UInt8(truncatingIfNeeded: g.next())
        }
        out.append(("\(base).flip\(i)", d))
      }
      // Absurd record lengths right after the pcap file header.
      if !name.hasSuffix(".gz") && !name.hasSuffix(".pcapng") && data.count > 40 {
        for value: UInt32 in [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 65_536, 1] {
          var d = data
          withUnsafeBytes(of: value.littleEndian) { d.replaceSubrange(32..<36, with: $0) }
          out.append(("\(base).caplen\(value)", d))
        }
      }
    }
    out.append(("empty", Data()))
    out.append(("text", Data("this is not a capture\n".utf8)))
    for i in 0..<10 {
      out.append(("random\(i)", Data((0..<(g.below(4000) + 1)).map { _ in UInt8(truncatingIfNeeded: g.next()) })))
    }
    // A pcap magic followed by garbage, and a pcapng magic followed by garbage.
    for magic: [UInt8] in [[0xD4, 0xC3, 0xB2, 0xA1], [0x0A, 0x0D, 0x0D, 0x0A]] {
      for i in 0..<5 {
        out.append(
          (
            "magic\(magic[0])-\(i)",
            Data(magic + (0..<(g.below(500) + 20)).map { _ in UInt8(truncatingIfNeeded: g.next()) })
          ))
      }
    }
    return out
  }

  @Test func everyDamagedCaptureEndsWithZeroOrOne() throws {
    let dir = NSTemporaryDirectory() + "dhcpscope-damaged-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let corpus = try Self.corpus()
    #expect(corpus.count >= 300)
    var failures = 0
    for (name, data) in corpus {
      let path = "\(dir)/\(name)"
      try data.write(to: URL(fileURLWithPath: path))
      let decode = try run(dhcpscopeBinary, ["decode", "--format", "jsonl", path], timeout: 20)
      let analyze = try run(dhcpscopeBinary, ["analyze", "--format", "jsonl", path], timeout: 20)
      let ok = [0, 1].contains(decode.status) && [0, 1].contains(analyze.status) && decode.status == analyze.status
      if !ok {
        failures += 1
        Issue.record(
          "\(name): decode exit \(decode.status), analyze exit \(analyze.status)\n\(decode.stderr)\(analyze.stderr)")
        continue
      }
      if decode.status == 1 {
        // Both name the file, and both name the same place.
        #expect(decode.stderr.contains(path) && analyze.stderr.contains(path), "\(name): \(decode.stderr)")
        let place = { (s: String) in s.split(separator: "\n").first { $0.contains(path) }.map(String.init) ?? "" }
        #expect(place(decode.stderr) == place(analyze.stderr), "\(name): decode and analyze disagree")
      }
      // Everything printed before the damage is whole JSON.
      #expect((try? jsonLines(decode.stdout)) != nil, "\(name): decode printed broken JSON")
      // A file that opened gets its report (perhaps empty) before the error; one that is not a
      // capture, or of a link type dhcpscope cannot follow, gets none.
      if !analyze.stderr.contains("not a pcap or pcapng capture") && !analyze.stderr.contains("is not supported") {
        #expect((try? jsonLines(analyze.stdout))?.last?["summary"] != nil, "\(name): analyze printed no summary")
      }
    }
    #expect(failures == 0)
  }
}
