import Dissect

public enum TransactionKind: String, Sendable, CaseIterable {
  case dora = "DORA"
  case request = "REQUEST"
  case release = "RELEASE"
  case decline = "DECLINE"
  case inform = "INFORM"
  case bootp = "BOOTP"
  case leasequery = "LEASEQUERY"
}

public enum Outcome: String, Sendable, CaseIterable {
  case bound, nak, timeout, declined, released, informed, incomplete
}

/// The contract's flags, in the order reports list them.
public enum TransactionFlag: String, Sendable, CaseIterable {
  case retransmission
  case serverNoReply = "server-no-reply"
  case failover
  case multipleOffers = "multiple-offers"
  case duplicateReply = "duplicate-reply"
  case lateReply = "late-reply"
  case nak, declined, timeout, incomplete
  case relayAnomaly = "relay-anomaly"
  case unansweredServerID = "unanswered-server-id"
}

/// What one server did for a transaction.
public struct ServerActivity: Sendable, Equatable {
  public var address: IPv4Address
  /// Requests sent to it (relayed, or unicast by the client).
  public var forwarded: Int
  public var replies: Int
  public var answered: Bool { replies > 0 }
  /// First request sent to it, and its first reply (for response times).
  public var firstForward: Timestamp?
  public var firstReply: Timestamp?
  public init(
    address: IPv4Address, forwarded: Int, replies: Int, firstForward: Timestamp? = nil, firstReply: Timestamp? = nil
  ) {
    self.address = address
    self.forwarded = forwarded
    self.replies = replies
    self.firstForward = firstForward
    self.firstReply = firstReply
  }

  public var responseMilliseconds: Double? {
    guard let f = firstForward, let r = firstReply, r >= f else { return nil }
    return r.milliseconds(since: f)
  }
}

/// Per-leg and end-to-end times in milliseconds; nil where the capture lacks the packets.
public struct Timings: Sendable, Equatable {
  public var discoverToOffer: Double?
  public var requestToAck: Double?
  public var total: Double?
  public var relayForward: Double?
  public var serverResponse: Double?
  public var relayReturn: Double?
}

/// A finished transaction: everything the reports print about it.
public struct TransactionRecord: Sendable {
  public var xid: UInt32
  public var clientMAC: HardwareAddress
  public var kind: TransactionKind
  public var outcome: Outcome
  public var assignedAddress: IPv4Address?
  public var leaseSeconds: UInt32?
  public var relayAgents: [IPv4Address]
  public var servers: [ServerActivity]
  public var sequence: [SequenceEntry]
  public var flags: [TransactionFlag]
  public var timings: Timings
  public var anomalies: [String]
  public var firstSeen: Timestamp
  public var lastSeen: Timestamp

  public func has(_ flag: TransactionFlag) -> Bool { flags.contains(flag) }
}
