import ArgumentParser
import Correlate
import Dissect
import Report

/// Options of the commands that reconstruct transactions.
struct CorrelationOptions: ParsableArguments {
  @Flag(name: .long, help: "Report only transactions with flags.")
  var onlyProblems = false

  @Option(name: .long, help: "Most transactions tracked at once; the oldest is closed beyond it.")
  var maxTracked: Int = 100_000

  func validate() throws {
    guard maxTracked > 0 else { throw ValidationError("--max-tracked must be positive") }
  }
}

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Reconstruct transactions (leg by leg, with timings and problems) from captures.")

  @OptionGroup var common: CommonOptions
  @OptionGroup var correlation: CorrelationOptions

  @Argument(help: "Capture files; several are merged in time order.")
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one capture file") }
  }

  func run() throws {
    let inputs = try OpenedInputs(files, filter: common.filter)
    var failed = inputs.failed
    let sink = try common.openSink()
    var pipeline = AnalysisPipeline(
      configuration: CorrelatorConfiguration(timeoutSeconds: common.timeout, maximumTracked: correlation.maxTracked),
      report: TransactionReport(format: common.format, files: inputs.files, onlyProblems: correlation.onlyProblems),
      sink: sink)
    sink.write(pipeline.report.header())

    // libpcap and the dissector run on a second thread, a batch ahead of the correlator.
    let feed = PacketFeed(inputs.readers, read: { try $0.nextSummary() }, time: \.timestamp)
    while let batch = feed.next() {
      switch batch {
      case .packets(let packets): for p in packets { pipeline.feed(p) }
      case .damaged(let message):
        pipeline.flush()
        printError(message)
        failed = true
      case .finished(let readers): for r in readers { pipeline.add(r.counts) }
      }
    }
    pipeline.finish()
    if failed { throw InputFailure() }
  }
}

/// Packets in, report out: the transaction stream, then the report and summary.
struct AnalysisPipeline {
  var stream: TransactionStream
  var report: TransactionReport
  var summary = Summary()
  let sink: FileSink
  /// Rendered records wait here and go to the sink in large writes.
  var output = JSONWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)
  var warnedAboutCap = false

  init(
    configuration: CorrelatorConfiguration, report: TransactionReport, sink: FileSink, reorderWindowSeconds: Double = 2
  ) {
    stream = TransactionStream(configuration: configuration, reorderWindowSeconds: reorderWindowSeconds)
    self.report = report
    self.sink = sink
  }

  /// Adds what a reader counted to the summary; fragments count as other traffic.
  mutating func add(_ counts: ReadCounts) {
    summary.frames += counts.frames
    summary.dhcpPackets += counts.dhcp
    summary.otherPackets += counts.other + counts.fragments
    summary.malformedPackets += counts.malformed
  }

  mutating func feed(_ packet: PacketSummary) {
    stream.push(packet)
    guard let first = stream.popFinished() else { return }
    warnOnceAboutCap()
    emit(first)
    while let record = stream.popFinished() { emit(record) }
  }

  /// Fires timeouts by the clock (live capture while no packet arrives).
  mutating func tick(_ now: Timestamp) { emit(stream.tick(now)) }

  mutating func emit(_ records: [TransactionRecord]) {
    warnOnceAboutCap()
    for r in records { emit(r) }
  }

  mutating func warnOnceAboutCap() {
    if stream.correlator.evicted > 0 && !warnedAboutCap {
      warnedAboutCap = true
      printError(
        "warning: more than \(stream.correlator.configuration.maximumTracked) transactions open at once; closing the oldest as incomplete (--max-tracked)"
      )
    }
  }

  mutating func emit(_ record: TransactionRecord) {
    summary.add(record)
    report.render(record, into: &output)
    if output.out.count >= FileSink.drainSize { sink.drain(&output) }
  }

  /// Makes everything reported so far visible (live capture).
  mutating func flush() {
    sink.drain(&output)
    sink.flush()
  }

  mutating func finish() {
    // Take the stream out (leaving an empty one) so it is uniquely held while it drains into
    // `emit`, which needs `self`.
    var draining = stream
    stream = TransactionStream(configuration: draining.correlator.configuration)
    draining.finish { emit($0) }
    summary.evicted = draining.correlator.evicted
    report.footer(summary, into: &output)
    flush()
  }
}
