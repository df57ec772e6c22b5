import Dissect

public enum TransactionKind: String, Sendable, CaseIterable {
  case dora = "DORA"
  case request = "REQUEST"
  case release = "RELEASE"
  case decline = "DECLINE"
  case inform = "INFORM"
  case bootp = "BOOTP"
  case leasequery = "LEASEQUERY"
  // DHCPv6 (RFC 8415): Solicit-Advertise-Request-Reply, Solicit-Reply with Rapid Commit, and
  // the exchanges that pair one message with a Reply.
  case sarr = "SARR"
  case rapid = "RAPID"
  case renew = "RENEW"
  case rebind = "REBIND"
  case confirm = "CONFIRM"
  case informationRequest = "INFORMATION-REQUEST"
}

public enum Outcome: String, Sendable, CaseIterable {
  case bound, nak, timeout, declined, released, informed, incomplete
  /// DHCPv6: the server's reply refused with a Status Code (NoAddrsAvail, NoBinding, …).
  case failed
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

/// The kind of reply a request waits for: what pairs a request with its answer.
public enum ExchangePhase: Int, Sendable, CaseIterable {
  /// DISCOVER, answered by OFFER (or by ACK under Rapid Commit).
  case offer
  /// REQUEST or INFORM, answered by ACK or NAK.
  case ack
  /// A BOOTP request (no option 53), answered by a BOOTP reply.
  case bootp
  /// DHCPLEASEQUERY or DHCPBULKLEASEQUERY, answered by LEASEUNASSIGNED/UNKNOWN/ACTIVE or DONE.
  case leasequery

  /// The phase a request opens; nil for RELEASE and DECLINE, which expect no reply.
  public static func of(request type: UInt8?) -> ExchangePhase? {
    switch type {
    case nil: return .bootp
    case MessageType.discover: return .offer
    case MessageType.request, MessageType.inform: return .ack
    case MessageType.leaseQuery, 14: return .leasequery
    default: return nil
    }
  }

  /// The phase a reply answers: OFFER the DISCOVER, ACK or NAK the REQUEST (or INFORM).
  public static func of(reply type: UInt8?) -> ExchangePhase? {
    switch type {
    case nil: return .bootp
    case MessageType.offer: return .offer
    case MessageType.ack, MessageType.nak: return .ack
    case .some(let t) where (11...13).contains(t) || t == 15: return .leasequery
    default: return nil
    }
  }

  /// The reply that answers it, for reports.
  public var replyName: String {
    switch self {
    case .offer: return "OFFER"
    case .ack: return "ACK"
    case .bootp: return "BOOTP"
    case .leasequery: return "LEASEQUERY"
    }
  }

  /// Whether a reply of `type` answers a request of this phase.
  public func isAnswered(by type: UInt8?) -> Bool {
    switch self {
    case .offer: return type == MessageType.offer || type == MessageType.ack
    case .ack: return type == MessageType.ack || type == MessageType.nak
    case .bootp: return type == nil
    case .leasequery: return type.map { (11...13).contains($0) || $0 == 15 } ?? false
    }
  }
}

/// What one server did for a transaction. A server is its Server Identifier (option 54)
/// when its replies carry one, else their source address; requests sent to an address that
/// server answered from count for it.
public struct ServerActivity: Sendable, Equatable {
  public var address: IPv4Address
  /// Requests sent to it (relayed, or unicast by the client), of any type.
  public var forwarded: Int
  public var replies: Int
  public var answered: Bool { replies > 0 }
  /// First request sent to it, and its first reply.
  public var firstForward: Timestamp?
  public var firstReply: Timestamp?
  /// Phases (bits of `ExchangePhase.rawValue`) in which it was sent a request expecting a
  /// reply, and those in which it answered: the answer rate counts these.
  public var askedPhases: UInt8 = 0
  public var answeredPhases: UInt8 = 0
  /// Its first reply of each phase, timed from the first request of that phase sent to it
  /// (not from the latest retransmission: a server that waits, as ISC dhcpd's ping check
  /// does, shows its full wait). Indexed by `ExchangePhase.rawValue`.
  public var phaseResponseMilliseconds = PhaseValues<Double?>(nil)

  public init(
    address: IPv4Address, forwarded: Int, replies: Int, firstForward: Timestamp? = nil, firstReply: Timestamp? = nil
  ) {
    self.address = address
    self.forwarded = forwarded
    self.replies = replies
    self.firstForward = firstForward
    self.firstReply = firstReply
  }

  /// Its first response time in the transaction (see `phaseResponseMilliseconds`).
  public var responseMilliseconds: Double? {
    ExchangePhase.allCases.lazy.compactMap { phaseResponseMilliseconds[$0.rawValue] }.first
  }
  public var askedCount: Int { askedPhases.nonzeroBitCount }
  public var answeredCount: Int { (answeredPhases & askedPhases).nonzeroBitCount }
}

/// One value per `ExchangePhase`, indexed by its `rawValue`, stored inline (no array to
/// allocate and reference-count per server per transaction).
public struct PhaseValues<Value: Sendable>: Sendable {
  private var offer: Value
  private var ack: Value
  private var bootp: Value
  private var leasequery: Value

  public init(_ value: Value) {
    offer = value
    ack = value
    bootp = value
    leasequery = value
  }

  public subscript(phase: Int) -> Value {
    get {
      switch ExchangePhase(rawValue: phase)! {
      case .offer: return offer
      case .ack: return ack
      case .bootp: return bootp
      case .leasequery: return leasequery
      }
    }
    // In place: a get-then-set would copy a value that holds arrays and make them copy on write.
    _modify {
      switch ExchangePhase(rawValue: phase)! {
      case .offer: yield &offer
      case .ack: yield &ack
      case .bootp: yield &bootp
      case .leasequery: yield &leasequery
      }
    }
  }
}

extension PhaseValues: Equatable where Value: Equatable {}

/// Per-leg and end-to-end times in milliseconds; nil where the capture lacks the packets.
/// docs/output.md defines each.
public struct Timings: Sendable, Equatable {
  public var discoverToOffer: Double?
  public var requestToAck: Double?
  /// REQUEST to NAK: kept apart so `requestToAck` is always a successful answer.
  public var requestToNak: Double?
  public var total: Double?
  public var relayForward: Double?
  public var serverResponse: Double?
  public var relayReturn: Double?
}

/// Who the client says it is, from its own messages (the first value of each).
public struct ClientIdentity: Sendable, Equatable {
  public var hostName: String?
  /// Option 61 as sent: type byte, then the identifier.
  public var clientID: [UInt8]?
  public var vendorClass: String?
  public var requestedAddress: IPv4Address?
  public var requestedServer: IPv4Address?
  public var fqdn: String?
  public init() {}
  public var isEmpty: Bool { self == ClientIdentity() }
}

/// Option 82 as the relay sent it to the server (RFC 3046, 3527, 3993).
public struct RelayAgentInformation: Sendable, Equatable {
  public var circuitID: [UInt8]?
  public var remoteID: [UInt8]?
  public var subscriberID: String?
  public var linkSelection: IPv4Address?
  public init() {}
}

/// A finished transaction: everything the reports print about it.
public struct TransactionRecord: Sendable {
  public var xid: UInt32
  public var clientMAC: HardwareAddress
  public var kind: TransactionKind
  public var outcome: Outcome
  /// yiaddr of the final ACK (also when the client then declined it); never 0.0.0.0.
  public var assignedAddress: IPv4Address?
  public var leaseSeconds: UInt32?
  public var client: ClientIdentity
  public var relayAgentInformation: RelayAgentInformation?
  /// Option 56 of a reply (a NAK's first), the server's own words.
  public var serverMessage: String?
  public var relayAgents: [IPv4Address]
  public var servers: [ServerActivity]
  public var sequence: [SequenceEntry]
  public var flags: [TransactionFlag]
  public var timings: Timings
  public var findings: [Finding]
  public var firstSeen: Timestamp
  public var lastSeen: Timestamp
  /// The time of the run's first packet, for times relative to the capture.
  public var captureStart: Timestamp

  public func has(_ flag: TransactionFlag) -> Bool { flags.contains(flag) }
  /// Whether any finding is a problem (`Finding.Severity`): what `--only-problems` keeps.
  public var hasProblem: Bool { findings.contains { $0.severity == .problem } }
  public func finding(_ code: String) -> Finding? { findings.first { $0.code == code } }
}
