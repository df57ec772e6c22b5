import ArgumentParser
import Correlate
import Pipeline
import Report

/// Options of the commands that reconstruct transactions.
struct CorrelationOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("Seconds an unanswered message waits before it counts as timed out.", valueName: "seconds"))
  var timeout: Double = 10

  @Option(
    name: .long,
    help: ArgumentHelp("Most transactions tracked at once; the oldest is closed beyond it.", valueName: "n"))
  var maxTracked: Int = 100_000

  func validate() throws {
    guard timeout > 0, timeout.isFinite, timeout <= 86_400 else {
      throw ValidationError("--timeout must be a number of seconds between 0 and 86400")
    }
    guard maxTracked > 0 else { throw ValidationError("--max-tracked must be positive") }
  }

  var configuration: CorrelatorConfiguration {
    CorrelatorConfiguration(timeoutSeconds: timeout, maximumTracked: maxTracked)
  }
}

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Reconstruct transactions (leg by leg, with timings and problems) from captures.")

  @OptionGroup var inputs: InputOptions
  @OptionGroup var common: CommonOptions
  @OptionGroup var correlation: CorrelationOptions
  @OptionGroup var selection: SelectionOptions

  @Flag(
    name: .long,
    help: "Do not correct the clocks of several capture files by the offsets estimated from the traffic.")
  var noAlign = false

  func validate() throws {
    try refuseOverwriting(inputs: inputs.all, outputs: [common.output])
  }

  func run() throws {
    let inputs = try InputSet(self.inputs.all, filter: common.filter, points: self.inputs.points)
    let (files, someFailed) = (inputs.files, inputs.failed)
    let sink = try common.openSink()
    let intact = FileAnalysis.run(
      inputs, configuration: correlation.configuration,
      report: TransactionReport(
        format: common.format, files: files, selection: try selection.selection(), summaryOnly: selection.summaryOnly,
        style: common.style),
      sink: sink, packetFilter: common.filter, align: !noAlign)
    try sink.finish()
    if someFailed || !intact { throw InputFailure() }
  }
}
