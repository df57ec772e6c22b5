import ArgumentParser
import Report

extension OutputFormat: ExpressibleByArgument {}

/// Options every command shares, named as the contract and tcpdump users expect.
struct CommonOptions: ParsableArguments {
  @Option(name: .long, help: "Output format: text, json, jsonl or csv.")
  var format: OutputFormat = .text

  @Option(name: .long, help: "BPF expression added to the built-in 'udp port 67 or udp port 68'.")
  var filter: String?

  @Option(name: .long, help: "Seconds an unanswered message waits before it counts as timed out.")
  var timeout: Double = 10

  @Option(name: .short, help: "Write the report to this file instead of standard output.")
  var output: String?

  func validate() throws {
    guard timeout > 0, timeout.isFinite, timeout <= 86_400 else {
      throw ValidationError("--timeout must be a number of seconds between 0 and 86400")
    }
    if let filter, filter.isEmpty { throw ValidationError("--filter needs a BPF expression") }
  }

  func openSink() throws -> FileSink {
    do {
      return try FileSink(path: output)
    } catch {
      printError("\(error)")
      throw InputFailure()
    }
  }
}
