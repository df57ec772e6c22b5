import ArgumentParser
import Capture
import Correlate
import Dissect
import Glibc
import Monitoring
import Pipeline
import Report
import Synchronization

/// Set by SIGINT/SIGTERM; the capture loop checks it at least every read timeout (100 ms).
/// A lock-free atomic, so the signal handler may set it.
private let stopRequested = Atomic<Bool>(false)

struct SniffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sniff",
    abstract: "Capture live and report each transaction as it ends (SIGINT/SIGTERM to stop).")

  @OptionGroup var common: CommonOptions
  @OptionGroup var correlation: CorrelationOptions
  @OptionGroup var selection: SelectionOptions

  @Option(
    name: [.customShort("i"), .long],
    help: ArgumentHelp("Interface to capture on (a name from 'dhcpscope interfaces', or any).", valueName: "interface"),
    completion: .shellCommand("ls /sys/class/net 2>/dev/null; echo any"))
  var interface: String

  @Option(name: [.customShort("c"), .long], help: ArgumentHelp("Stop after this many packets.", valueName: "n"))
  var count: Int?

  @Option(name: .long, help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
  var duration: Double?

  @Option(
    name: [.customShort("w"), .long],
    help: ArgumentHelp("Also save the captured packets to this pcap file ('-': stdout).", valueName: "file"),
    completion: .file(extensions: ["pcap"]))
  var write: String?

  @Option(
    name: [.customShort("Z"), .customLong("relinquish-privileges")],
    help: ArgumentHelp(
      "After opening the interface and outputs, drop privileges to this user (as tcpdump -Z).", valueName: "user"))
  var user: String?

  @Option(
    name: [.customShort("G"), .customLong("rotate-seconds")],
    help: ArgumentHelp(
      "With -w or -o: a new file every so many seconds, the name an strftime pattern (as tcpdump -G).",
      valueName: "seconds"))
  var rotateSeconds: Int?

  @Option(
    name: [.customShort("C"), .customLong("file-size")],
    help: ArgumentHelp(
      "With -w or -o: a new file once this one holds this many million bytes (as tcpdump -C).", valueName: "MB"))
  var fileSize: Int?

  @Option(
    name: [.customShort("W"), .customLong("file-count")],
    help: ArgumentHelp(
      "With -C: cycle through this many files; with -G alone: stop after this many (as tcpdump -W).", valueName: "n"))
  var fileCount: Int?

  @Option(
    name: [.customShort("B"), .customLong("buffer-size")],
    help: ArgumentHelp("The kernel's capture buffer in KiB (as tcpdump -B).", valueName: "KiB"))
  var bufferKiB: Int?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Serve Prometheus metrics at http://ADDRESS:PORT/metrics while capturing ([IPv6]:PORT; :PORT for all).",
      valueName: "address:port"))
  var metrics: String?

  @Flag(name: .long, help: "Also print a line per DHCP packet as it arrives (text format).")
  var packets = false

  func validate() throws {
    try common.requirePacketFormat("sniff")
    if packets && common.format != .text {
      throw ValidationError("--packets prints text lines: use it with --format text")
    }
    if let bufferKiB, !(1...4_194_304).contains(bufferKiB) {
      throw ValidationError("-B needs a buffer size in KiB between 1 and 4194304")
    }
    for (name, value) in [("-G", rotateSeconds), ("-C", fileSize), ("-W", fileCount)] {
      if let value, value <= 0 { throw ValidationError("\(name) must be positive") }
      if value != nil && (write == nil || write == "-") && (common.output == nil || common.output == "-") {
        throw ValidationError("\(name) rotates the -w capture and the -o report: give -w FILE or -o FILE")
      }
    }
    if rotation.isEnabled, let output = common.output, output != "-", common.format != .jsonl {
      // Other formats have a header or a closing bracket that a cut would break.
      throw ValidationError("-G and -C rotate the -o report as JSON Lines: use --format jsonl")
    }
    if fileCount != nil && rotateSeconds == nil && fileSize == nil { throw ValidationError("-W needs -C or -G") }
    if let count, count <= 0 { throw ValidationError("--count must be positive") }
    if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
    if interface.isEmpty { throw ValidationError("-i needs an interface name") }
    if let metrics, MetricsServer.parse(metrics) == nil {
      throw ValidationError("--metrics needs ADDRESS:PORT, e.g. 127.0.0.1:9167")
    }
    try refuseOverwriting(inputs: [], outputs: [write, common.output])
  }

  func run() throws {
    let capture: LiveCapture
    do {
      capture = try LiveCapture(device: interface, userFilter: common.filter, bufferKiB: bufferKiB)
      guard LinkType.isSupported(capture.linkType) else {
        throw CaptureError.unsupportedLinkType(source: interface, linkType: capture.linkType)
      }
    } catch let error as CaptureError {
      printError("\(error)")
      if case .badFilter = error { throw UsageFailure() }
      throw InputFailure()
    }
    if let write {
      do { try capture.save(to: write, rotation: rotation) } catch {
        printError("\(error)")
        throw InputFailure()
      }
    }
    // With the capture on standard output (`-w -`), the report goes to standard error, as
    // tcpdump's own messages do.
    let sink =
      write == "-" && common.output == nil
      ? FileSink(descriptor: STDERR_FILENO, owned: false) : try common.openSink(rotation: rotation)
    // The metrics' port is bound before privileges go (it may be below 1024).
    let exported = metrics.map { _ in DHCPMetrics(version: DHCPScope.version) }
    var server: MetricsServer?
    if let metrics, let exported {
      do { server = try MetricsServer(address: metrics, registry: exported.registry) } catch {
        printError("\(error)")
        throw InputFailure()
      }
    }
    // As tcpdump -Z: the outputs are opened first, then handed to the user with the device.
    if let user {
      // The files open now: with rotation, their names come from the templates.
      let output = sink.rotatingPath ?? common.output
      try dropPrivileges(
        to: user, handingOver: [capture.savePath, output].compactMap { $0 }.filter { $0 != "-" })
    }
    signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
    // A parent may have started us with these signals blocked (the mask is inherited).
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, SIGINT)
    sigaddset(&unblock, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &unblock, nil)
    writeStandardError("dhcpscope: listening on \(interface), link-type \(LinkType.name(capture.linkType))\n")

    var analysis = LiveAnalysis(
      configuration: correlation.configuration,
      report: TransactionReport(
        format: common.format, files: InputFiles(paths: [interface], nanosecondPrecision: [false]),
        selection: try selection.selection(), summaryOnly: selection.summaryOnly,
        style: common.style),
      sink: sink)
    analysis.packetLines = packets
    // A rotated report's summary is in its last file; stderr gets it too, so nobody has to
    // find that file.
    analysis.pipeline.footerToStandardError = rotation.isEnabled && common.output != nil && common.output != "-"
    if let exported {
      analysis.pipeline.observer = { exported.record($0) }
      analysis.pipeline.observer6 = { exported.record($0) }
    }
    /// The counters and gauges of `--metrics` follow the capture's a few times a second.
    var metricsRefreshedAt = -Double.infinity
    func refreshMetrics(at time: Double) {
      guard let exported, time - metricsRefreshedAt >= 0.25 else { return }
      metricsRefreshedAt = time
      exported.refresh(
        counts: analysis.counts, openTransactions: analysis.openTransactions, capture: capture.counters())
    }
    // On a terminal, a status line on stderr says the capture is alive while nothing ends;
    // it is erased before report output. Not when the report itself goes to stderr.
    let status = isatty(STDERR_FILENO) == 1 && !(write == "-" && common.output == nil) ? StatusLine() : nil
    if let status { analysis.pipeline.beforeOutput = { status.erase() } }
    let started = monotonicSeconds()
    var failed = false
    var saveFailed = false
    while !stopRequested.load(ordering: .relaxed) {
      if let duration, monotonicSeconds() - started >= duration { break }
      if let count, analysis.counts.frames >= count { break }
      if capture.saveLimitReached || sink.rotationLimitReached { break }
      let event: LiveCapture.Event
      do { event = try capture.next() } catch let error as CaptureError {
        if case .cannotWrite = error { saveFailed = true }
        printError("\(error)")
        failed = true
        break
      } catch {
        printError("\(error)")
        failed = true
        break
      }
      switch event {
      case .idle: analysis.tick(now())
      case .frame(let frame): analysis.add(frame, linkType: capture.linkType, now: now())
      }
      let time = monotonicSeconds()
      status?.show(
        "\(analysis.counts.frames) packets, \(analysis.counts.dhcp) DHCP, \(analysis.openTransactions) open transactions",
        at: time)
      refreshMetrics(at: time)
    }
    status?.erase()
    if !saveFailed, let problem = capture.closeSaveFile() {
      printError("\(problem)")
      failed = true
    }
    analysis.finish(capture: capture.counters())
    metricsRefreshedAt = -Double.infinity
    refreshMetrics(at: monotonicSeconds())
    server?.stop()
    try sink.finish()
    if failed { throw InputFailure() }
  }

  var rotation: SaveRotation { SaveRotation(seconds: rotateSeconds, megabytes: fileSize, files: fileCount) }

  func now() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
  }

  /// Elapsed time for --duration: immune to wall-clock steps.
  func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// As tcpdump -Z: give up root once the device and the outputs are open; the output files
  /// change owner to the user, as tcpdump leaves them.
  func dropPrivileges(to name: String, handingOver files: [String]) throws {
    guard let entry = getpwnam(name) else {
      printError("-Z \(name): no such user")
      throw InputFailure()
    }
    let uid = entry.pointee.pw_uid
    let gid = entry.pointee.pw_gid
    for file in files where chown(file, uid, gid) != 0 {
      printError("-Z \(name): cannot hand \(file) over: \(String(cString: strerror(errno)))")
      throw InputFailure()
    }
    guard initgroups(name, gid) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
      printError("-Z \(name): cannot change to that user: \(String(cString: strerror(errno)))")
      throw InputFailure()
    }
  }
}

extension LiveCapture {
  /// libpcap's counters in the summary's terms.
  func counters() -> CaptureCounters? {
    statistics().map {
      CaptureCounters(received: Int($0.received), dropped: Int($0.dropped), interfaceDropped: Int($0.interfaceDropped))
    }
  }
}

/// sniff's live status on a terminal's stderr: redrawn in place at most once a second.
final class StatusLine {
  private var shownAt = -Double.infinity
  private var visible = false

  /// `text` is only built when the line is redrawn, not for every packet.
  func show(_ text: @autoclosure () -> String, at time: Double) {
    guard time - shownAt >= 1 else { return }
    shownAt = time
    visible = true
    writeStandardError("\r\u{1B}[K" + text())
  }

  /// Clears the line, so report output starts on a clean one.
  func erase() {
    guard visible else { return }
    visible = false
    writeStandardError("\r\u{1B}[K")
  }
}
