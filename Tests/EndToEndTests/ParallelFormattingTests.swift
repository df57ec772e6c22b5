import Correlate
import Foundation
import Pipeline
import Report
import Testing

/// decode formats, and analyze analyses, on two threads: the reading thread takes a batch
/// whenever the other thread is behind. Which thread did the work must never show in the
/// output; the tests pin it through the pipeline's `WorkSharing`.
@Suite struct ParallelFormattingTests {
  @Test func formattingOnTheReadingThreadChangesNothing() throws {
    // About 3 000 packets: three of the feed's batches, so records cross batch boundaries
    // (and the JSON array's commas with them).
    try withLoadCapture(transactions: 400) { capture, directory in
      try expectSameWhicheverThread(minimumLines: 2_500) { format, sharing in
        try decode(capture, format: format, formatting: sharing, in: directory)
      }
    }
  }

  @Test func analysingOnTheReadingThreadChangesNothing() throws {
    // 3 000 transactions: three of the feed's batches of closed transactions, with
    // retransmissions, a silent server, NAKs and releases among them.
    try withLoadCapture(transactions: 3_000) { capture, directory in
      try expectSameWhicheverThread(minimumLines: 3_000) { format, sharing in
        try analyze(capture, format: format, analysis: sharing, in: directory)
      }
    }
  }

  /// Runs `command` in four formats with the shared work pinned to each thread in turn: the
  /// outputs must be the same, and long enough to cross batches.
  func expectSameWhicheverThread(
    minimumLines: Int, _ command: (OutputFormat, WorkSharing) throws -> String
  ) throws {
    for format in [OutputFormat.json, .jsonl, .text, .csv] {
      let consumingThread = try command(format, .consumingThreadOnly)
      let readingThread = try command(format, .readingThreadOnly)
      #expect(consumingThread.split(separator: "\n").count > minimumLines, "\(format): too little output")
      #expect(readingThread == consumingThread, "\(format) differs when the reading thread does the work")
    }
  }

  /// A relay capture of `transactions` transactions from `dhcpscope-gen load`, in a directory
  /// removed afterwards.
  func withLoadCapture(transactions: Int, _ body: (String, URL) throws -> Void) throws {
    let generator = URL(fileURLWithPath: dhcpscopeBinary).deletingLastPathComponent().path + "/dhcpscope-gen"
    try #require(FileManager.default.isExecutableFile(atPath: generator), "dhcpscope-gen not built beside dhcpscope")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dhcpscope-parallel-\(getpid())-\(transactions)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let capture = directory.appendingPathComponent("load.pcap").path
    let made = try run(generator, ["load", "--transactions", "\(transactions)", "-o", capture])
    try #require(made.status == 0, "\(made.stderr)")
    try body(capture, directory)
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
