import Foundation
import Testing

/// decode formats on two threads: the reading thread takes a batch whenever the formatting
/// thread is behind. Which thread formats a batch must never show in the output.
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

    var environment = ProcessInfo.processInfo.environment
    for format in ["json", "jsonl", "text", "csv"] {
      environment["DHCPSCOPE_FORMAT_ON_READER"] = "never"
      let formattingThread = try run(
        dhcpscopeBinary, ["decode", "--format", format, capture], environment: environment)
      environment["DHCPSCOPE_FORMAT_ON_READER"] = "always"
      let readingThread = try run(dhcpscopeBinary, ["decode", "--format", format, capture], environment: environment)
      #expect(formattingThread.status == 0 && readingThread.status == 0)
      #expect(
        formattingThread.stdout.split(separator: "\n").count > 2_500, "\(format): too little output to cross batches")
      #expect(readingThread.stdout == formattingThread.stdout, "\(format) differs when the reading thread formats")
    }
  }
}
