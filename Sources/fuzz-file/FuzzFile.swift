// libFuzzer target for the whole file path: the input is written to a file that libpcap reads,
// then every packet goes through the dissector and decode's JSON and text writers, and through
// the summary, the correlator and the transaction report, as `decode` and `analyze` do. Built only by `make fuzz` (with -sanitize=fuzzer); SwiftPM names
// an executable's entry point `<module>_main`, so that function hands over to libFuzzer.
import Capture
import Correlate
import Dissect
import Glibc
import Report

let scratchPath = "/tmp/dhcpscope-fuzz-file-\(getpid()).pcap"

/// One input through the whole file path. Compiled in every build (so `swift build` keeps it
/// in step with the modules it calls); only `make fuzz` links it to libFuzzer.
func fuzzOneFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let file = fopen(scratchPath, "wb") else { return 0 }
  if let data, size > 0 { fwrite(data, 1, size, file) }
  fclose(file)
  guard let capture = try? CaptureFile(path: scratchPath) else { return 0 }
  let files = InputFiles(paths: ["fuzz"], nanosecondPrecision: [false])
  // decode's path (full dissection, JSON and text option writers) and analyze's (summary,
  // correlator, transaction report), each with its own fragment buffer as in the commands.
  var decodeDissector = PacketDissector()
  var analyzeDissector = PacketDissector()
  var decodeJSON = PacketReport(format: .jsonl, files: files)
  var decodeText = PacketReport(format: .text, files: files)
  var stream = TransactionStream(configuration: CorrelatorConfiguration(timeoutSeconds: 10, maximumTracked: 64))
  var report = TransactionReport(format: .jsonl, files: files)
  var summary = Summary()
  var output = JSONWriter()
  func emit(_ record: TransactionRecord) {
    summary.add(record)
    report.render(record, into: &output)
  }
  while let frame = try? capture.next() {
    let t = Timestamp(seconds: frame.seconds, nanoseconds: frame.nanoseconds)
    if case .dhcp(let p) = decodeDissector.dissect(
      frame.bytes, linkType: capture.linkType, timestamp: t, frame: frame.number, fileIndex: 0)
    {
      decodeJSON.render(p, into: &output)
      decodeText.render(p, into: &output)
    }
    if case .dhcp(let p) = analyzeDissector.summarize(
      frame.bytes, linkType: capture.linkType, timestamp: t, frame: frame.number, fileIndex: 0)
    {
      for record in stream.add(p) { emit(record) }
    }
    output.out.removeAll()
  }
  stream.finishClosed { emit($0.analyzed()) }
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
      fputs("fuzz-file: build it with `make fuzz`\n", stderr)
      exit(2)
    }
  }
#endif
