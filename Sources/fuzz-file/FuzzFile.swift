// libFuzzer target for the whole file path: the input is written to a file that goes through
// the pipeline exactly as `decode` (JSON and text) and `analyze` (JSON Lines and text, DHCPv4
// and DHCPv6 correlation, summary) run it, into /dev/null. Built only by `make fuzz` (with
// -sanitize=fuzzer); SwiftPM names an executable's entry point `<module>_main`, so that
// function hands over to libFuzzer.
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
  // Not a capture libpcap opens: nothing more to try (and no message per input).
  guard (try? PacketReader(path: scratchPath, fileIndex: 0, userFilter: nil)) != nil else { return 0 }
  for format in [OutputFormat.jsonl, .text] {
    decode(format)
    analyze(format)
  }
  return 0
}

func decode(_ format: OutputFormat) {
  guard let inputs = try? InputSet([scratchPath], filter: nil), let sink = try? FileSink(path: "/dev/null") else {
    return
  }
  let files = inputs.files
  _ = FileDecode.run(inputs, report: PacketReport(format: format, files: files), sink: sink)
  try? sink.finish()
}

func analyze(_ format: OutputFormat) {
  guard let inputs = try? InputSet([scratchPath], filter: nil), let sink = try? FileSink(path: "/dev/null") else {
    return
  }
  let files = inputs.files
  _ = FileAnalysis.run(
    inputs, configuration: CorrelatorConfiguration(timeoutSeconds: 10, maximumTracked: 64),
    report: TransactionReport(format: format, files: files), sink: sink)
  try? sink.finish()
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
