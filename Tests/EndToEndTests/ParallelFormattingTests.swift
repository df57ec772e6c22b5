import Correlate
import Foundation
import Pipeline
import Report
import Testing

/// decode formats on two threads: the reading thread takes a batch whenever the formatting
/// thread is behind. Which thread formats a batch must never show in the output; the test pins
/// it through the pipeline's `WorkSharing`.
@Suite struct ParallelFormattingTests {
  @Test func formattingOnTheReadingThreadChangesNothing() throws {
    let generator = URL(fileURLWithPath: dhcpscopeBinary).deletingLastPathComponent().path + "/dhcpscope-gen"
    try #require(FileManager.default.isExecutableFile(atPath: generator), "dhcpscope-gen not built beside dhcpscope")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpscope-parallel-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // About 3 000 packets: three of the feed's batches, so records cross batch boundaries
    // (and the JSON array's commas with them).
    let capture = directory.appendingPathComponent("load.pcap").path
    let made = try run(generator, ["load", "--transactions", "400", "-o", capture])
    try #require(made.status == 0, "\(made.stderr)")

    for format in [OutputFormat.json, .jsonl, .text, .csv] {
      let formattingThread = try decode(capture, format: format, formatting: .consumingThreadOnly, in: directory)
      let readingThread = try decode(capture, format: format, formatting: .readingThreadOnly, in: directory)
      #expect(formattingThread.split(separator: "\n").count > 2_500, "\(format): too little output to cross batches")
      #expect(readingThread == formattingThread, "\(format) differs when the reading thread formats")
    }
  }

  @Test func analysingOnTheReadingThreadChangesNothing() throws {
    let generator = URL(fileURLWithPath: dhcpscopeBinary).deletingLastPathComponent().path + "/dhcpscope-gen"
    try #require(FileManager.default.isExecutableFile(atPath: generator), "dhcpscope-gen not built beside dhcpscope")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpscope-shared-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // 3 000 transactions: three of the feed's batches of closed transactions, with
    // retransmissions, a silent server, NAKs and releases among them.
    let capture = directory.appendingPathComponent("load.pcap").path
    let made = try run(generator, ["load", "--transactions", "3000", "-o", capture])
    try #require(made.status == 0, "\(made.stderr)")

    for format in [OutputFormat.json, .jsonl, .text, .csv] {
      let consumingThread = try analyze(capture, format: format, analysis: .consumingThreadOnly, in: directory)
      let readingThread = try analyze(capture, format: format, analysis: .readingThreadOnly, in: directory)
      #expect(consumingThread.split(separator: "\n").count > 3_000, "\(format): too little output to cross batches")
      #expect(readingThread == consumingThread, "\(format) differs when the reading thread analyses")
    }
  }

  /// analyze's pipeline, run here with the analysis pinned to one thread; its output.
  func analyze(_ capture: String, format: OutputFormat, analysis: WorkSharing, in directory: URL) throws -> String {
    let path = directory.appendingPathComponent("analyze.out").path
    let inputs = try InputSet([capture], filter: nil)
    let report = TransactionReport(format: format, files: inputs.files)
    let sink = try FileSink(path: path)
    let intact = FileAnalysis.run(
      inputs, configuration: CorrelatorConfiguration(), report: report, sink: sink, analysis: analysis)
    try sink.finish()
    #expect(intact)
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  /// decode's pipeline, run here with formatting pinned to one thread; its output.
  func decode(
    _ capture: String, format: OutputFormat, formatting: WorkSharing, in directory: URL
  ) throws -> String {
    let path = directory.appendingPathComponent("decode.out").path
    let inputs = try InputSet([capture], filter: nil)
    let report = PacketReport(format: format, files: inputs.files)
    let sink = try FileSink(path: path)
    let intact = FileDecode.run(inputs, report: report, sink: sink, formatting: formatting)
    try sink.finish()
    #expect(intact)
    return try String(contentsOfFile: path, encoding: .utf8)
  }
}
