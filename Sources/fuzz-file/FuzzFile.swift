// libFuzzer target for the whole file path: the input is written to a file that libpcap reads,
// then every packet goes through the dissector, the correlator and the JSON report, as
// `dhcpscope analyze` does. Built only by `make fuzz` (with -sanitize=fuzzer); SwiftPM names
// an executable's entry point `<module>_main`, so that function hands over to libFuzzer.
import Capture
import Correlate
import Dissect
import Glibc
import Report

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  let scratchPath = "/tmp/dhcpscope-fuzz-file-\(getpid()).pcap"

  func fuzzOneFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let file = fopen(scratchPath, "wb") else { return 0 }
    if let data, size > 0 { fwrite(data, 1, size, file) }
    fclose(file)
    guard let capture = try? CaptureFile(path: scratchPath) else { return 0 }
    var dissector = PacketDissector()
    var stream = TransactionStream(configuration: CorrelatorConfiguration(timeoutSeconds: 10, maximumTracked: 64))
    var report = TransactionReport(format: .jsonl, files: InputFiles(paths: ["fuzz"], nanosecondPrecision: [false]))
    var summary = Summary()
    var records: [TransactionRecord] = []
    while let frame = try? capture.next() {
      let t = Timestamp(seconds: frame.seconds, nanoseconds: frame.nanoseconds)
      if case .dhcp(let p) = dissector.dissect(
        frame.bytes, linkType: capture.linkType, timestamp: t, frame: frame.number, fileIndex: 0)
      {
        _ = PacketReport(format: .jsonl, files: InputFiles(paths: ["fuzz"], nanosecondPrecision: [false])).header()
        records += stream.add(p)
      }
    }
    records += stream.finish()
    for r in records {
      summary.add(r)
      _ = report.render(r)
    }
    _ = report.footer(summary)
    return 0
  }

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
