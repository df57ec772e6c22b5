// libFuzzer target for the whole file path: the input is written to a file that libpcap reads
// through the pipeline's reader, as `decode` and `analyze` read it; every packet goes through
// decode's JSON and text writers, and through the correlator, the summary and the transaction
// report. Built only by `make fuzz` (with -sanitize=fuzzer); SwiftPM names an executable's
// entry point `<module>_main`, so that function hands over to libFuzzer.
import Correlate
import Dissect
import Glibc
import Pipeline
import Report

let scratchPath = "/tmp/dhcpscope-fuzz-file-\(getpid()).pcap"

/// One input through the whole file path. Compiled in every build (so `swift build` keeps it
/// in step with the modules it calls); only `make fuzz` links it to libFuzzer.
func fuzzOneFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let file = fopen(scratchPath, "wb") else { return 0 }
  if let data, size > 0 { fwrite(data, 1, size, file) }
  fclose(file)
  let files = InputFiles(paths: ["fuzz"], nanosecondPrecision: [false])
  var output = ReportWriter()
  // decode's path: full dissection, JSON and text option writers. Reading stops at the end or
  // where the file breaks.
  guard var decodeReader = try? PacketReader(path: scratchPath, fileIndex: 0, userFilter: nil) else { return 0 }
  var decodeJSON = PacketReport(format: .jsonl, files: files)
  var decodeText = PacketReport(format: .text, files: files)
  while let packet = try? decodeReader.nextPacket() {
    decodeJSON.render(packet, into: &output)
    decodeText.render(packet, into: &output)
    output.out.removeAll()
  }
  // analyze's path: summaries, correlator, analysis, summary and transaction report.
  guard var analyzeReader = try? PacketReader(path: scratchPath, fileIndex: 0, userFilter: nil) else { return 0 }
  var stream = TransactionStream(configuration: CorrelatorConfiguration(timeoutSeconds: 10, maximumTracked: 64))
  var report = TransactionReport(format: .jsonl, files: files)
  var summary = Summary()
  func emit(_ closed: ClosedTransaction) {
    let record = closed.analyzed()
    summary.add(record)
    report.render(record, into: &output)
    output.out.removeAll()
  }
  while let packet = try? analyzeReader.nextSummary() {
    stream.push(packet)
    while let closed = stream.popClosed() { emit(closed) }
  }
  stream.finishClosed(emit)
  report.footer(summary, into: &output)
  return 0
}

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  @_cdecl("fuzz_file_main")
  func fuzzFileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneFile(data, size) }
  }
#else
  /// Without `make fuzz` (which passes -DFUZZING and -sanitize=fuzzer) there is no libFuzzer.
  @main
  enum FuzzFileUnavailable {
    static func main() {
      writeStandardError("fuzz-file: build it with `make fuzz`\n")
      exit(2)
    }
  }
#endif
