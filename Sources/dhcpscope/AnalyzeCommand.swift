import ArgumentParser
import Correlate
import Dissect
import Report

/// Options of the commands that reconstruct transactions.
struct CorrelationOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("Seconds an unanswered message waits before it counts as timed out.", valueName: "seconds"))
  var timeout: Double = 10

  @Flag(name: .long, help: "Report only transactions with a problem.")
  var onlyProblems = false

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

  func validate() throws {
    try refuseOverwriting(inputs: inputs.all, outputs: [common.output])
  }

  func run() throws {
    let inputs = try OpenedInputs(self.inputs.all, filter: common.filter)
    var failed = inputs.failed
    let sink = try common.openSink()
    let configuration = correlation.configuration
    var pipeline = ReportPipeline(
      report: TransactionReport(format: common.format, files: inputs.files, onlyProblems: correlation.onlyProblems),
      sink: sink, maximumTracked: configuration.maximumTracked)
    sink.write(pipeline.report.header())

    // libpcap, the dissector and the correlator run on a second thread; this one analyses
    // the transactions it closes and writes their report.
    let feed = PacketFeed<[ClosedTransaction]>(inputs.readers) { readers, output in
      var correlation = CorrelationStage(stream: TransactionStream(configuration: configuration), output: output)
      if readers.count == 1 {
        // One file needs no merging, and its summaries are read in place.
        var summary = PacketSummary()
        do {
          while try readers[0].nextSummary(into: &summary) { correlation.push(summary) }
        } catch {
          output.damaged("\(error)")
        }
      } else {
        readPackets(
          from: &readers, read: { try $0.nextSummary() }, mergedBy: \.timestamp, packet: { correlation.push($0) },
          damaged: output.damaged)
      }
      correlation.stream.finishClosed(output.add)
    }
    while let batch = feed.next() {
      switch batch {
      case .items(let transactions): pipeline.emit(transactions)
      case .damaged(let message):
        pipeline.flush()
        printError(message)
        failed = true
      case .finished(let readers): for r in readers { pipeline.add(r.counts) }
      case .rendered: preconditionFailure("analyze formats on this thread only")
      }
    }
    pipeline.finish()
    try sink.finish()
    if failed { throw InputFailure() }
  }
}

/// The reading thread's correlation: packets in, closed transactions out to the feed. A
/// struct rather than a closure over the stream, whose captured variable Swift checked for
/// exclusive access at run time on every packet.
struct CorrelationStage {
  var stream: TransactionStream
  let output: PacketFeed<[ClosedTransaction]>.Output

  mutating func push(_ packet: PacketSummary) {
    stream.push(packet)
    while let closed = stream.popClosed() { output.add(closed) }
  }
}

/// Closed transactions in, report out: analysis, summary, rendering, and the sink.
struct ReportPipeline {
  var report: TransactionReport
  var summary = Summary()
  let sink: FileSink
  let maximumTracked: Int
  /// Rendered records wait here and go to the sink in large writes.
  var output = JSONWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)

  init(report: TransactionReport, sink: FileSink, maximumTracked: Int) {
    self.report = report
    self.sink = sink
    self.maximumTracked = maximumTracked
  }

  /// Adds what a reader counted to the summary; fragments count as other traffic.
  mutating func add(_ counts: ReadCounts) {
    summary.frames += counts.frames
    summary.dhcpPackets += counts.dhcp
    summary.otherPackets += counts.other + counts.fragments
    summary.malformedPackets += counts.malformed
    for (reason, n) in zip(Malformed.Reason.allCases, counts.malformedByReason) where n > 0 {
      summary.malformedByReason[reason, default: 0] += n
    }
  }

  /// Each transaction is read in place: copying one out would retain and release its arrays.
  mutating func emit(_ batch: [ClosedTransaction]) {
    for i in batch.indices { emit(batch[i].wasEvicted, batch[i].analyzed()) }
  }

  mutating func emit(_ closed: ClosedTransaction) { emit(closed.wasEvicted, closed.analyzed()) }

  mutating func emit(_ wasEvicted: Bool, _ record: TransactionRecord) {
    if wasEvicted {
      if summary.evicted == 0 {
        printError(
          "warning: more than \(maximumTracked) transactions open at once; closing the oldest as incomplete (--max-tracked)"
        )
      }
      summary.evicted += 1
    }
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
    report.footer(summary, into: &output)
    flush()
  }
}
