import Dissect

/// The whole correlation stage: packets in (roughly in time order), finished transactions
/// out. A bounded reorder window puts packets in time order before the correlator sees them.
public struct TransactionStream {
  private var reorder: ReorderBuffer<PacketSummary>
  public private(set) var correlator: Correlator

  public init(configuration: CorrelatorConfiguration = CorrelatorConfiguration(), reorderWindowSeconds: Double = 2) {
    reorder = ReorderBuffer(windowSeconds: reorderWindowSeconds)
    correlator = Correlator(configuration: configuration)
  }

  public mutating func add(_ packet: PacketSummary) -> [TransactionRecord] {
    var released: [PacketSummary] = []
    reorder.push(packet, at: packet.timestamp) { released.append($0) }
    var finished: [TransactionRecord] = []
    for p in released { finished += correlator.add(p) }
    return finished
  }

  /// Lets time pass without a packet (live capture): releases held packets, fires timeouts.
  public mutating func tick(_ now: Timestamp) -> [TransactionRecord] {
    var released: [PacketSummary] = []
    reorder.release(before: now) { released.append($0) }
    var finished: [TransactionRecord] = []
    for p in released { finished += correlator.add(p) }
    let reorderSlack = now.adding(seconds: -Double(reorder.windowNanoseconds) / 1e9)
    finished += correlator.advance(to: reorderSlack)
    return finished
  }

  /// End of input: everything held is correlated and every open transaction closed.
  public mutating func finish() -> [TransactionRecord] {
    var finished: [TransactionRecord] = []
    finish { finished.append($0) }
    return finished
  }

  /// `finish`, handing each record over as it closes, so the reorder window's packets and the
  /// open transactions are never all held as records at once.
  public mutating func finish(_ emit: (TransactionRecord) -> Void) {
    var released: [PacketSummary] = []
    reorder.drain { released.append($0) }
    for p in released {
      for r in correlator.add(p) { emit(r) }
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
