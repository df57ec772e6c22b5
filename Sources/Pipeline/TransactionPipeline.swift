import Capture
import Correlate
import Dissect
import Glibc
import Report

/// analyze's and sniff's path from closed transactions to the report: analysis, summary,
/// rendering, and the sink.
public struct ReportPipeline: ~Copyable {
  public var report: TransactionReport
  public var summary = Summary()
  let sink: FileSink
  let maximumTracked: Int
  /// With a packet filter (`-f`), transactions it left without their client's or their
  /// servers' packets are counted in the summary.
  public var packetFilter: String? {
    didSet { summary.oneSidedByFilter = packetFilter == nil ? nil : 0 }
  }
  /// Offline, transactions are reported in the order they began (within a window); live,
  /// as they end.
  var startOrder: StartOrder?
  /// Called before report output goes to the sink while capturing live (sniff erases its
  /// status line there).
  public var beforeOutput: (() -> Void)?
  /// Also writes the summary to standard error (a rotated report).
  public var footerToStandardError = false
  /// Sees every transaction as it ends, before the report's selection (sniff's metrics).
  public var observer: ((TransactionRecord) -> Void)?
  public var observer6: ((DHCPv6TransactionRecord) -> Void)?
  /// Rendered records wait here and go to the sink in large writes.
  var output = ReportWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)
  /// With this set (analyze), the reading thread frees what it allocated: records it analysed
  /// are kept after they are reported (`takeSpent`), to go back with the batches; glibc frees
  /// another thread's block under that thread's arena lock, and the threads then wait on each
  /// other in malloc.
  var keepsSpent = false
  private var spent = ClosedBatch(reservingCapacity: 0)

  public init(report: TransactionReport, sink: FileSink, maximumTracked: Int) {
    self.report = report
    self.sink = sink
    self.maximumTracked = maximumTracked
  }

  /// Adds what a reader counted to the summary; fragments count as other traffic.
  public mutating func add(_ counts: ReadCounts) {
    summary.frames += counts.frames
    summary.dhcpPackets += counts.dhcp
    summary.otherPackets += counts.other + counts.fragments
    summary.malformedPackets += counts.malformed
    summary.icmpErrors += counts.icmpErrors
    summary.dhcpv6Packets += counts.dhcpv6
    for (reason, n) in zip(Malformed.Reason.allCases, counts.malformedByReason) where n > 0 {
      summary.malformedByReason[reason, default: 0] += n
    }
  }

  /// Each transaction is read in place, field by field through its pointer: a copy of one
  /// (which reading a whole element out of an array makes, even to read one field) would
  /// retain and release its arrays. Those the reading thread analysed come with their
  /// records, which move out of the batch.
  mutating func emit(_ batch: inout ClosedBatch) {
    var analyzed: [TransactionRecord] = []
    swap(&analyzed, &batch.analyzed)
    let analyzedByReader = !analyzed.isEmpty
    batch.dhcpv4.withUnsafeBufferPointer { closed in
      for i in closed.indices {
        let transaction = closed.baseAddress! + i
        if !analyzedByReader {
          emit(transaction)
        } else {
          emit(
            transaction.pointee.wasEvicted, analyzed.removeLast(), madeByReader: keepsSpent,
            clock: transaction.pointee.observedUntil, oldestOpen: transaction.pointee.oldestOpenStart)
        }
      }
    }
    for closed in batch.dhcpv6 { emit(closed) }
  }

  public mutating func emit(_ closed: ClosedTransaction) { withUnsafePointer(to: closed) { emit($0) } }

  /// Analyses `closed` on this thread. The record's sequence shares the closed transaction's
  /// entries, which go back with their batch; whichever thread lets go of them last frees them
  /// (copying them here, so that this thread freed only its own, cost more than it saved).
  private mutating func emit(_ closed: UnsafePointer<ClosedTransaction>) {
    let record = ClosedTransaction.analyzed(at: closed)
    emit(
      closed.pointee.wasEvicted, consume record, madeByReader: false, clock: closed.pointee.observedUntil,
      oldestOpen: closed.pointee.oldestOpenStart)
  }

  mutating func emit(_ closed: ClosedDHCPv6) {
    let record = closed.record
    if record.finding("evicted") != nil { countEviction() }
    summary.add(record)
    observer6?(record)
    countOneSided(record.sequence.map(\.leg))
    guard startOrder != nil else { return render(.dhcpv6(record)) }
    startOrder!.add(.dhcpv6(record), clock: closed.observedUntil, oldestOpen: closed.oldestOpenStart)
    while let next = startOrder!.popReleasable() { render(next) }
  }

  mutating func emit(
    _ wasEvicted: Bool, _ record: consuming TransactionRecord, madeByReader: Bool, clock: Timestamp,
    oldestOpen: Timestamp?
  ) {
    if wasEvicted { countEviction() }
    summary.add(record)
    observer?(record)
    if packetFilter != nil { countOneSided(record.sequence.map(\.leg)) }
    let start = record.firstSeen
    if startOrder?.closed(start: start, clock: clock, oldestOpen: oldestOpen) ?? true {
      render(consume record, madeByReader: madeByReader)
    } else {
      startOrder!.hold(.dhcpv4(consume record, madeByReader: madeByReader), start: start)
    }
    while let next = startOrder?.popReleasable() { render(next) }
  }

  /// The cap closed a transaction early: warned about once, counted always.
  private mutating func countEviction() {
    if summary.evicted == 0 {
      flush()
      printError(
        "warning: more than \(maximumTracked) transactions open at once; closing the oldest as incomplete (--max-tracked)"
      )
    }
    summary.evicted += 1
  }

  /// With a packet filter: a transaction it left without the client's packets, or without
  /// the relays' and servers'.
  private mutating func countOneSided(_ legs: [Leg]) {
    guard packetFilter != nil else { return }
    if !legs.contains(where: \.isClientSide) || !legs.contains(where: { !$0.isClientSide }) {
      summary.oneSidedByFilter! += 1
    }
  }

  /// Records reported since the last call, once there are a batch's worth.
  mutating func takeSpent() -> ClosedBatch? {
    guard spent.analyzed.count >= PacketFeed<ClosedBatch>.batchSize else { return nil }
    defer { spent = ClosedBatch(reservingCapacity: 0) }
    return spent
  }

  private mutating func render(_ transaction: consuming ReportedTransaction) {
    switch consume transaction {
    case .dhcpv4(let record, let madeByReader): render(record, madeByReader: madeByReader)
    case .dhcpv6(let record):
      report.render(record, into: &output)
      if output.out.count >= FileSink.drainSize { sink.drain(&output) }
    }
  }

  private mutating func render(_ record: consuming TransactionRecord, madeByReader: Bool) {
    report.render(record, into: &output)
    if madeByReader { spent.analyzed.append(record) }
    if output.out.count >= FileSink.drainSize { sink.drain(&output) }
  }

  /// Makes everything reported so far visible (live capture).
  public mutating func flush() {
    if !output.out.isEmpty { beforeOutput?() }
    sink.drain(&output)
    sink.flush()
  }

  /// One line for a packet as it arrives (`sniff --packets`), before the transaction reports.
  public mutating func writeLine(_ packet: PacketSummary) {
    PacketLine.write(packet, style: report.style, into: &output)
  }

  public mutating func writeLine(_ packet: DHCPv6Packet) {
    PacketLine.write(packet, style: report.style, into: &output)
  }

  public mutating func finish() {
    while let next = startOrder?.popFirst() { render(next) }
    report.footer(summary, into: &output)
    flush()
    if footerToStandardError {
      var copy = ReportWriter(capacity: 1 << 12)
      report.footer(summary, into: &copy)
      copy.out.withUnsafeBytes { _ = FileSink.writeAll(STDERR_FILENO, $0) }
    }
  }
}

/// The reading thread's correlation: packets in, closed transactions out to the feed. DHCPv6
/// is correlated apart, and analysed here (it is rare next to DHCPv4).
struct CorrelationStage {
  var stream: TransactionStream
  var dhcpv6: DHCPv6Correlator

  init(configuration: CorrelatorConfiguration) {
    stream = TransactionStream(configuration: configuration)
    dhcpv6 = DHCPv6Correlator(configuration: configuration)
  }

  mutating func push(_ packet: PacketSummary, to output: inout PacketFeed<ClosedBatch>.Output) {
    stream.push(packet)
    handOver(until: packet.timestamp, to: &output)
  }

  /// Reads the next DHCP packet of `reader` straight into the reorder window, and correlates
  /// it with the DHCPv6 messages passed over on the way, which came before it; false at the
  /// end of the input.
  mutating func pushNext(from reader: inout PacketReader, to output: inout PacketFeed<ClosedBatch>.Output) throws
    -> Bool
  {
    guard let time = try stream.hold(reading: { try reader.nextSummary(into: &$0) }) else { return false }
    if !reader.pendingDHCPv6.isEmpty { push(reader.takeDHCPv6(), to: &output) }
    stream.correlateReady()
    handOver(until: time, to: &output)
    return true
  }

  /// Passes what closed by `time` to the feed.
  private mutating func handOver(until time: Timestamp, to output: inout PacketFeed<ClosedBatch>.Output) {
    while stream.hasClosed, var closed = stream.popClosed() {
      // The start order waits for the oldest transaction open in either family.
      if dhcpv6.openCount > 0 { closed.oldestOpenStart = Self.earliest(closed.oldestOpenStart, dhcpv6.oldestOpenStart) }
      output.add(consume closed)
    }
    if dhcpv6.openCount > 0 {
      dhcpv6.advance(to: time)
      drainDHCPv6(to: &output)
    }
  }

  mutating func push(_ packets: [DHCPv6Packet], to output: inout PacketFeed<ClosedBatch>.Output) {
    for packet in packets {
      if let sighting = DHCPv6Sighting(packet) { dhcpv6.push(sighting) }
    }
    drainDHCPv6(to: &output)
  }

  mutating func drainDHCPv6(to output: inout PacketFeed<ClosedBatch>.Output) {
    while let record = dhcpv6.popClosed() {
      output.add(
        ClosedDHCPv6(
          record: record, observedUntil: record.lastSeen,
          oldestOpenStart: Self.earliest(dhcpv6.oldestOpenStart, stream.correlator.oldestOpenStart)))
    }
  }

  mutating func finish(to output: inout PacketFeed<ClosedBatch>.Output) {
    stream.finishClosed { output.add($0) }
    dhcpv6.finish()
    drainDHCPv6(to: &output)
  }

  static func earliest(_ a: Timestamp?, _ b: Timestamp?) -> Timestamp? {
    guard let a else { return b }
    guard let b else { return a }
    return min(a, b)
  }
}

/// analyze: capture files in, transaction report out.
public enum FileAnalysis {
  /// Reads `inputs` (merged in time order), correlates and reports every transaction to
  /// `sink`, header to footer. Returns false when a file was damaged (its message printed,
  /// and everything read before the damage reported).
  public static func run(
    _ inputs: sending InputSet, configuration: CorrelatorConfiguration, report: TransactionReport, sink: FileSink,
    packetFilter: String? = nil, align: Bool = true, analysis: WorkSharing = .shared
  ) -> Bool {
    var intact = true
    let files = report.files
    var readers = inputs.readers
    let indexes = readers.map(\.fileIndex)
    // Several files are several capture points: each clock's offset from the first file's is
    // estimated in a first pass, and (unless --no-align) taken out as the files are read.
    let clocks = readers.count > 1 ? ClockAlignment.estimate(files.paths, filter: packetFilter) : []
    if align {
      for i in readers.indices where readers[i].fileIndex < clocks.count {
        readers[i].clockOffsetNanoseconds = clocks[readers[i].fileIndex].offsetNanoseconds ?? 0
      }
    }
    var pipeline = ReportPipeline(report: report, sink: sink, maximumTracked: configuration.maximumTracked)
    pipeline.packetFilter = packetFilter
    pipeline.keepsSpent = true
    pipeline.startOrder = StartOrder(
      windowSeconds: configuration.timeoutSeconds + configuration.graceSeconds + TransactionStream.reorderWindowSeconds)
    sink.write(pipeline.report.header())
    // libpcap, the dissector and the correlator run on a second thread; this one analyses
    // the transactions it closes and writes their report. When this thread is behind, the
    // reading thread analyses a batch itself before handing it over.
    for i in readers.indices { readers[i].collectsDHCPv6 = true }
    let feed = PacketFeed<ClosedBatch>(readers) { readers, output in
      if analysis != .consumingThreadOnly { output.prepare = { $0.analyze() } }
      output.shareEveryBatch = analysis == .readingThreadOnly
      var correlation = CorrelationStage(configuration: configuration)
      if readers.count == 1 {
        // One file needs no merging, and its summaries are read straight into the reorder
        // window.
        do {
          while try correlation.pushNext(from: &readers[0], to: &output) {}
        } catch {
          output.damaged("\(error)")
        }
        correlation.push(readers[0].takeDHCPv6(), to: &output)
      } else {
        readPackets(
          from: &readers,
          read: { reader in
            let summary = try reader.nextSummary()
            correlation.push(reader.takeDHCPv6(), to: &output)
            return summary
          }, mergedByTime: true,
          packet: { correlation.push($0, to: &output) }, damaged: { output.damaged($0) })
      }
      correlation.finish(to: &output)
    }
    while let batch = feed.next() {
      switch consume batch {
      case .items(var transactions):
        pipeline.emit(&transactions)
        feed.giveBack(transactions)
        if let spent = pipeline.takeSpent() { feed.giveBack(spent) }
      case .damaged(let message):
        pipeline.flush()
        printError(message)
        intact = false
      case .finished(let counts):
        for c in counts { pipeline.add(c) }
        pipeline.summary.captures = captures(files, indexes: indexes, counts: counts, clocks: clocks, aligned: align)
        if clocks.isEmpty, !pipeline.summary.captures.isEmpty {
          pipeline.summary.captures[0].first = pipeline.summary.firstPacket
          pipeline.summary.captures[0].last = pipeline.summary.lastPacket
        }
      case .rendered: preconditionFailure("analyze formats on this thread only")
      }
    }
    pipeline.finish()
    return intact
  }

  /// `summary.captures`: each file's packets and span, and its clock's offset (one file: its
  /// own span, offset 0).
  static func captures(
    _ files: InputFiles, indexes: [Int], counts: [ReadCounts], clocks: [ClockAlignment.FileClock], aligned: Bool
  ) -> [CaptureFileSummary] {
    func milliseconds(_ ns: Int64?) -> Double? { ns.map { Double($0) / 1e6 } }
    return zip(indexes, counts).map { index, count in
      let clock = index < clocks.count ? clocks[index] : nil
      return CaptureFileSummary(
        file: files.path(index), point: files.point(index), packets: count.dhcp + count.dhcpv6, first: clock?.first,
        last: clock?.last, clockOffsetMilliseconds: clock.map { milliseconds($0.offsetNanoseconds) } ?? 0,
        offsetUncertaintyMilliseconds: clock.map { milliseconds($0.uncertaintyNanoseconds) } ?? 0,
        matchedMessages: clock?.matchedMessages ?? 0, aligned: aligned)
    }
  }

  /// The analysed transactions of capture files, read as `run` reads them, in the order they
  /// close (for tests and tools that want records rather than a report).
  public static func records(
    of paths: [String], configuration: CorrelatorConfiguration = CorrelatorConfiguration(), align: Bool = true
  ) throws -> [TransactionRecord] {
    var stream = TransactionStream(configuration: configuration)
    var records: [TransactionRecord] = []
    let offsets =
      align && paths.count > 1 ? ClockAlignment.estimate(paths, filter: nil).map { $0.offsetNanoseconds ?? 0 } : []
    for summary in try read(paths, offsets: offsets, { try $0.nextSummary() }) {
      stream.push(summary)
      while let closed = stream.popClosed() { records.append(closed.analyzed()) }
    }
    stream.finishClosed { records.append($0.analyzed()) }
    return records
  }

  /// The analysed DHCPv6 transactions of capture files, in the order they close.
  /// `offsets`: each file's clock offset (`ClockAlignment`), taken out as it is read.
  public static func dhcpv6Records(
    of paths: [String], configuration: CorrelatorConfiguration = CorrelatorConfiguration(), offsets: [Int64] = []
  ) throws -> [DHCPv6TransactionRecord] {
    var sightings: [DHCPv6Sighting] = []
    for (index, path) in paths.enumerated() {
      var reader = try PacketReader(path: path, fileIndex: index, userFilter: nil)
      reader.collectsDHCPv6 = true
      if index < offsets.count { reader.clockOffsetNanoseconds = offsets[index] }
      while try reader.nextSummary() != nil { sightings += reader.takeDHCPv6().compactMap(DHCPv6Sighting.init) }
      sightings += reader.takeDHCPv6().compactMap(DHCPv6Sighting.init)
    }
    var correlator = DHCPv6Correlator(configuration: configuration)
    var records: [DHCPv6TransactionRecord] = []
    for s in sightings.inTimeOrder() {
      correlator.push(s)
      while let r = correlator.popClosed() { records.append(r) }
    }
    correlator.finish()
    while let r = correlator.popClosed() { records.append(r) }
    return records
  }

  /// The packet summaries of capture files, merged in time order as `run` merges them.
  public static func summaries(of paths: [String]) throws -> [PacketSummary] {
    try read(paths) { try $0.nextSummary() }
  }

  /// The decoded packets of capture files, merged in time order as `run` merges them.
  public static func packets(of paths: [String]) throws -> [DHCPPacket] {
    try read(paths) { try $0.nextPacket() }
  }

  private static func read<Packet>(
    _ paths: [String], offsets: [Int64] = [], _ next: (inout PacketReader) throws -> Packet?
  ) throws -> [Packet] where Packet: Timestamped {
    var readers = try paths.enumerated().map { try PacketReader(path: $1, fileIndex: $0, userFilter: nil) }
    for i in readers.indices where i < offsets.count { readers[i].clockOffsetNanoseconds = offsets[i] }
    var packets: [Packet] = []
    var damage: String?
    readPackets(
      from: &readers, read: next, mergedByTime: true, packet: { packets.append($0) },
      damaged: { damage = damage ?? $0 })
    if let damage { throw DamagedInput(description: damage) }
    return packets
  }
}

/// A capture file broke partway (its message as `analyze` prints it).
public struct DamagedInput: Error, CustomStringConvertible {
  public var description: String
}

/// sniff: live frames in, transaction report out. The caller owns the capture loop (and its
/// stop conditions); this does the rest, as `FileAnalysis` does for files.
public struct LiveAnalysis: ~Copyable {
  public var pipeline: ReportPipeline
  private var stream: TransactionStream
  private var dhcpv6: DHCPv6Correlator
  private var dissector = PacketDissector()
  public private(set) var counts = ReadCounts()
  /// Writes a line per DHCP packet as it arrives (`--packets`).
  public var packetLines = false
  /// Transactions open now (for a status line and the metrics).
  public var openTransactions: Int { stream.correlator.openCount + dhcpv6.openCount }

  public init(configuration: CorrelatorConfiguration, report: TransactionReport, sink: FileSink) {
    // Live packets arrive nearly in order: a short reorder window keeps reports prompt.
    stream = TransactionStream(configuration: configuration, reorderWindowSeconds: 0.2)
    dhcpv6 = DHCPv6Correlator(configuration: configuration)
    pipeline = ReportPipeline(report: report, sink: sink, maximumTracked: configuration.maximumTracked)
    sink.write(pipeline.report.header())
    sink.flush()
  }

  /// One captured frame, then whatever timed out by `now`.
  public mutating func add(_ frame: CapturedFrame, linkType: Int, now: Timestamp) {
    let result = dissector.summarize(frame.linkFrame(linkType: linkType, fileIndex: 0))
    if let packet = counts.tally(result) {
      if packetLines { pipeline.writeLine(packet) }
      stream.push(packet)
    } else if case .dhcpv6(let packet) = result {
      if packetLines { pipeline.writeLine(packet) }
      if let sighting = DHCPv6Sighting(packet) { dhcpv6.push(sighting) }
    }
    tick(now)
  }

  /// Timeouts fire by the clock while no packet arrives.
  public mutating func tick(_ now: Timestamp) {
    stream.advance(to: now)
    while let closed = stream.popClosed() { pipeline.emit(closed) }
    dhcpv6.advance(to: now)
    emitDHCPv6()
    pipeline.flush()
  }

  private mutating func emitDHCPv6() {
    while let record = dhcpv6.popClosed() {
      pipeline.emit(ClosedDHCPv6(record: record, observedUntil: record.lastSeen, oldestOpenStart: nil))
    }
  }

  /// Closes every open transaction and writes the summary.
  public mutating func finish(capture: CaptureCounters?) {
    pipeline.add(counts)
    pipeline.summary.capture = capture
    stream.finishClosed { pipeline.emit($0) }
    dhcpv6.finish()
    emitDHCPv6()
    pipeline.finish()
  }
}
