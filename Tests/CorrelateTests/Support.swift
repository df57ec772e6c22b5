import Capture
import Correlate
import Dissect
import Foundation
import PacketCraft
import Pipeline

/// The repository's Fixtures directory, found from this file's path.
let fixtures: String = {
  var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)
  return parts.joined(separator: "/") + "/Fixtures"
}()

/// A fixture's path: names are relative to Fixtures.
func fixturePath(_ name: String) -> String { name.hasPrefix("/") ? name : "\(fixtures)/\(name)" }

/// Every packet of capture files, decoded, read and merged as analyze reads them.
func readPackets(_ names: [String]) throws -> [DHCPPacket] {
  try FileAnalysis.packets(of: names.map(fixturePath))
}

/// What `analyze` reads of capture files: their packet summaries, merged in time order.
func readSummaries(_ names: [String]) throws -> [PacketSummary] {
  try FileAnalysis.summaries(of: names.map(fixturePath))
}

func analyze(_ names: String..., timeout: Double = 10, maximumTracked: Int = 100_000) throws -> [TransactionRecord] {
  try FileAnalysis.records(
    of: names.map(fixturePath),
    configuration: CorrelatorConfiguration(timeoutSeconds: timeout, maximumTracked: maximumTracked))
}

/// Every capture under Fixtures (lab and crafted), as paths.
func allFixtureCaptures() throws -> [String] {
  var paths: [String] = []
  for dir in [fixtures, fixtures + "/crafted"] {
    for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") || name.hasSuffix(".pcap.gz") {
      paths.append(dir + "/" + name)
    }
  }
  return paths
}

/// What the lab recorded about a scenario (the address dhclient really got, and so on).
func labResult(_ scenario: String) throws -> [String: String] {
  let file = try String(contentsOfFile: "\(fixtures)/lab/\(scenario).env", encoding: .utf8)
  var result: [String: String] = [:]
  for line in file.split(separator: "\n") {
    let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
    result[kv[0]] = kv.count > 1 ? kv[1] : ""
  }
  return result
}

func addr(_ s: String) -> IPv4Address { IPv4Address(s)! }

/// Frames of a hand-made sequence, dissected with timestamps `base + t`.
func packets(_ frames: [(Double, [UInt8])]) -> [DHCPPacket] {
  var d = PacketDissector()
  return frames.enumerated().compactMap { i, f in
    let ns = Int64(f.0 * 1e9)
    let t = Timestamp(seconds: 1_700_000_000 + ns / 1_000_000_000, nanoseconds: Int32(ns % 1_000_000_000))
    if case .dhcp(let p) = dissectFrame(f.1, at: t, frameNumber: i + 1, dissector: &d) { return p }
    return nil
  }
}

/// BOOTP payloads that leave the common path: option overload (file alone, and file and
/// sname), repeated options (RFC 3396 concatenation, which grows the message's buffer), a cut
/// option, a message shorter than the fixed header, a message type of length zero.
func unusualPayloads() -> [[UInt8]] {
  var overloadedFile = BOOTPBuilder(type: MessageType.ack, xid: 1)
  overloadedFile.add(52, [1])
  overloadedFile.file = [54, 4, 198, 51, 100, 2, 255]
  var overloadedBoth = BOOTPBuilder(type: MessageType.ack, xid: 6)
  overloadedBoth.add(52, [3])
  overloadedBoth.file = overloadedFile.file
  overloadedBoth.sname = [12, 3, 0x61, 0x62, 0x63, 255]
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
  return [overloadedFile.build(), overloadedBoth.build(), repeated.build(), cutBytes, short, lengthZeroType.build()]
}
