import Dissect

/// The whole correlation stage: packets in (roughly in time order), finished transactions
/// out. A bounded reorder window puts packets in time order before the correlator sees them.
public struct TransactionStream {
  private var reorder: ReorderBuffer<PacketSummary>
  public private(set) var correlator: Correlator

  /// How long packets wait to be put in time order when reading files.
  public static let reorderWindowSeconds = 2.0

  public init(
    configuration: CorrelatorConfiguration = CorrelatorConfiguration(),
    reorderWindowSeconds: Double = reorderWindowSeconds
  ) {
    reorder = ReorderBuffer(windowSeconds: reorderWindowSeconds, blank: PacketSummary())
    correlator = Correlator(configuration: configuration)
  }

  public mutating func add(_ packet: PacketSummary) -> [TransactionRecord] {
    push(packet)
    return takeFinished()
  }

  /// Adds a packet; the transactions that ended by then wait for `popClosed`.
  public mutating func push(_ packet: PacketSummary) {
    reorder.push(packet, at: packet.timestamp)
    correlateReady()
  }

  /// Adds the packet `read` writes in place into the reorder window (false: there was none),
  /// without correlating anything yet (`correlateReady`); returns its time.
  public mutating func hold(reading read: (inout PacketSummary) throws -> Bool) rethrows -> Timestamp? {
    try reorder.push { try read(&$0) ? $0.timestamp : nil }
  }

  /// Correlates the packets the reorder window lets go; the transactions that ended by then
  /// wait for `popClosed`.
  public mutating func correlateReady() {
    reorder.releaseReady { correlator.push(at: $0) }
  }

  /// The oldest ended transaction not yet taken, not yet analysed.
  public mutating func popClosed() -> ClosedTransaction? { correlator.popFinished() }

  /// Whether a transaction waits for `popClosed` (see `Correlator.hasFinished`).
  @inlinable public var hasClosed: Bool { correlator.hasFinished }

  private mutating func takeFinished() -> [TransactionRecord] {
    var records: [TransactionRecord] = []
    while let closed = correlator.popFinished() { records.append(closed.analyzed()) }
    return records
  }

  /// Lets time pass without a packet (live capture): releases held packets, fires timeouts;
  /// what closed waits for `popClosed`.
  public mutating func advance(to now: Timestamp) {
    reorder.advance(to: now)
    correlateReady()
    let reorderSlack = now.adding(seconds: -Double(reorder.windowNanoseconds) / 1e9)
    correlator.advanceClock(to: reorderSlack)
  }

  /// `advance`, and the analysed records of what closed.
  public mutating func tick(_ now: Timestamp) -> [TransactionRecord] {
    advance(to: now)
    return takeFinished()
  }

  /// End of input: everything held is correlated and every open transaction closed.
  public mutating func finish() -> [TransactionRecord] {
    var finished: [TransactionRecord] = []
    finishClosed { finished.append($0.analyzed()) }
    return finished
  }

  /// `finish`, handing each transaction over as it closes, so the reorder window's packets and
  /// the open transactions are never all held as records at once.
  public mutating func finishClosed(_ emit: (ClosedTransaction) -> Void) {
    while let p = reorder.popFirst() {
      correlator.push(p)
      while let closed = correlator.popFinished() { emit(closed) }
    }
    correlator.finish(emit)
  }

  /// Every record of a finite packet sequence, in the order they finish.
  public static func records(
    of packets: [DHCPPacket], configuration: CorrelatorConfiguration = CorrelatorConfiguration()
  ) -> [TransactionRecord] {
    records(of: packets.map(PacketSummary.init), configuration: configuration)
  }

  public static func records(
    of packets: [PacketSummary], configuration: CorrelatorConfiguration = CorrelatorConfiguration()
  ) -> [TransactionRecord] {
    var stream = TransactionStream(configuration: configuration)
    var out: [TransactionRecord] = []
    for p in packets { out += stream.add(p) }
    return out + stream.finish()
  }
}
