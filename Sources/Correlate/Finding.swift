import Dissect

/// One conclusion the analysis drew about a transaction, as a typed value with a stable code
/// (`code`) and its parameters, in the manner of swift-asn1's `ErrorCode` and Suricata's
/// `DHCPEvent`. Reports turn findings into sentences; scripts and tests read the codes.
/// docs/output.md lists every code with its exact rule.
public enum Finding: Sendable, Hashable {
  /// The client sent one message type `count` times (`secs` of each copy).
  case retransmission(type: UInt8?, count: Int, secs: [UInt16])
  /// A server was sent `requests` requests that expect a reply and answered none.
  case serverNoReply(server: IPv4Address, requests: Int)
  /// The first server tried never answered; another, tried `afterMilliseconds` later, did.
  case failover(from: IPv4Address, to: IPv4Address, afterMilliseconds: Double)
  case multipleOffers(servers: [IPv4Address])
  /// One server sent the same reply type `count` times.
  case duplicateReply(server: IPv4Address?, type: UInt8?, count: Int)
  /// An OFFER arrived `afterMilliseconds` after the client had sent its REQUEST.
  case lateOffer(server: IPv4Address?, afterMilliseconds: Double)
  /// A final reply (ACK or NAK) arrived after a different final reply had ended the exchange.
  case lateFinalReply(server: IPv4Address?, type: UInt8?, after: UInt8?)
  /// The server refused the request: the address the client asked for, the server's reason.
  case nak(server: IPv4Address?, requestedAddress: IPv4Address?, message: String?)
  case declined(address: IPv4Address?)
  /// A request that expects a reply waited `waitedMilliseconds` (at least --timeout) unanswered.
  case timeout(type: UInt8?, waitedMilliseconds: Double, timeoutSeconds: Double)
  /// Every request was answered, but the client said nothing more for --timeout after `after`.
  case stalled(after: UInt8?, timeoutSeconds: Double)
  /// The capture ended `waitedMilliseconds` after an unanswered request: less than --timeout.
  case captureEnded(type: UInt8?, waitedMilliseconds: Double?)
  /// Closed before its end by the cap on transactions tracked at once.
  case evicted(limit: Int)
  /// The client named a server (option 54) that never answered.
  case unansweredServerIdentifier(server: IPv4Address)
  /// RFC 1542 §4.1.1: a relay forwarding a request increments hops.
  case relayHopsNotIncremented(relay: IPv4Address, type: UInt8?)
  /// RFC 1542 §4.1.2: a server's reply to a relay carries the request's giaddr.
  case replyWithoutGiaddr(server: IPv4Address, type: UInt8?)
  case replyGiaddrMismatch(server: IPv4Address, giaddr: IPv4Address, type: UInt8?)
  /// A reply meant for the client went to port 67 instead of 68.
  case replyToClientOnServerPort(server: IPv4Address, type: UInt8?)
  /// RFC 3046 §2.2: the relay removes option 82 before passing a reply to the client.
  case option82NotRemoved(type: UInt8?)
  /// A reply to a relay went to port 68 instead of 67.
  case replyToRelayOnClientPort(relay: IPv4Address, type: UInt8?)
  /// A reply's Server Identifier (option 54) is not its source address: a multi-homed server
  /// answering from another interface, or a spoofed reply.
  case serverIdentifierMismatch(source: IPv4Address, identifier: IPv4Address)
  /// The server was sent the client's message twice: unicast (routed through the relay host)
  /// and relayed by the relay agent, which also hears it on port 67.
  case routedAndRelayed(type: UInt8?, server: IPv4Address?)
  /// An ACK that ends a DORA or REQUEST carries yiaddr 0.0.0.0: no address was assigned.
  case ackWithoutAddress(server: IPv4Address?)
  /// More packets were counted than a transaction keeps.
  case packetsNotListed(count: Int, kept: Int)
  /// An ICMP destination-unreachable (code `code`) from `reporter` quoted the transaction's
  /// message to `server` `count` times: the server itself (port unreachable: nothing listens
  /// on the port) or a router on the way (host, network, administratively unreachable).
  case icmpUnreachable(server: IPv4Address, reporter: IPv4Address, code: UInt8, type: UInt8?, count: Int)
  /// With several capture points: a message seen at capture `seenAt` (a file index) and never
  /// at `missingAt`, which captured the transaction before and after it. A reply missing on
  /// the client's side was lost between the server and the relay's client side; a request
  /// missing at a server's point, between the client's side and that server.
  case lostBetweenPoints(type: UInt8?, isRequest: Bool, seenAt: Int, missingAt: Int)

  /// Stable kebab-case code, the same in every output.
  public var code: String {
    switch self {
    case .retransmission: return "retransmission"
    case .serverNoReply: return "server-no-reply"
    case .failover: return "failover"
    case .multipleOffers: return "multiple-offers"
    case .duplicateReply: return "duplicate-reply"
    case .lateOffer: return "late-offer"
    case .lateFinalReply: return "late-final-reply"
    case .nak: return "nak"
    case .declined: return "declined"
    case .timeout: return "timeout"
    case .stalled: return "stalled"
    case .captureEnded: return "capture-ended"
    case .evicted: return "evicted"
    case .unansweredServerIdentifier: return "unanswered-server-id"
    case .relayHopsNotIncremented: return "relay-hops-not-incremented"
    case .replyWithoutGiaddr: return "reply-without-giaddr"
    case .replyGiaddrMismatch: return "reply-giaddr-mismatch"
    case .replyToClientOnServerPort: return "reply-to-client-on-port-67"
    case .option82NotRemoved: return "option-82-not-removed"
    case .replyToRelayOnClientPort: return "reply-to-relay-on-port-68"
    case .serverIdentifierMismatch: return "server-id-mismatch"
    case .routedAndRelayed: return "routed-and-relayed"
    case .ackWithoutAddress: return "ack-without-address"
    case .packetsNotListed: return "packets-not-listed"
    case .icmpUnreachable: return "icmp-unreachable"
    case .lostBetweenPoints: return "lost-between-points"
    }
  }

  /// The contract's flag this finding raises, if any.
  public var flag: TransactionFlag? {
    switch self {
    case .retransmission: return .retransmission
    case .serverNoReply: return .serverNoReply
    case .failover: return .failover
    case .multipleOffers: return .multipleOffers
    case .duplicateReply: return .duplicateReply
    case .lateOffer, .lateFinalReply: return .lateReply
    case .nak: return .nak
    case .declined: return .declined
    case .timeout, .stalled: return .timeout
    case .captureEnded, .evicted: return .incomplete
    case .unansweredServerIdentifier: return .unansweredServerID
    case .relayHopsNotIncremented, .replyWithoutGiaddr, .replyGiaddrMismatch, .replyToClientOnServerPort,
      .option82NotRemoved, .replyToRelayOnClientPort:
      return .relayAnomaly
    case .serverIdentifierMismatch, .routedAndRelayed, .ackWithoutAddress, .packetsNotListed, .icmpUnreachable,
      .lostBetweenPoints:
      return nil
    }
  }

  /// Whether it is something to act on (a problem) or context worth knowing (a note).
  public var severity: Severity {
    switch self {
    case .serverNoReply, .failover, .nak, .declined, .timeout, .stalled, .unansweredServerIdentifier,
      .relayHopsNotIncremented, .replyWithoutGiaddr, .replyGiaddrMismatch, .replyToClientOnServerPort,
      .option82NotRemoved, .replyToRelayOnClientPort, .ackWithoutAddress, .icmpUnreachable, .lostBetweenPoints:
      return .problem
    case .retransmission, .multipleOffers, .duplicateReply, .lateOffer, .lateFinalReply, .captureEnded, .evicted,
      .serverIdentifierMismatch, .routedAndRelayed, .packetsNotListed:
      return .note
    }
  }

  public enum Severity: String, Sendable {
    case problem, note
  }

  /// The parameters, named as JSON keys, for reports that print findings as data.
  public var parameters: [(key: String, value: FindingValue)] {
    switch self {
    case .retransmission(let type, let count, let secs):
      return [("type", .messageType(type)), ("count", .int(count)), ("secs", .ints(secs.map(Int.init)))]
    case .serverNoReply(let server, let requests):
      return [("server", .address(server)), ("requests", .int(requests))]
    case .failover(let from, let to, let after):
      return [("from", .address(from)), ("to", .address(to)), ("after_ms", .milliseconds(after))]
    case .multipleOffers(let servers): return [("servers", .addresses(servers))]
    case .duplicateReply(let server, let type, let count):
      return [("server", .optionalAddress(server)), ("type", .messageType(type)), ("count", .int(count))]
    case .lateOffer(let server, let after):
      return [("server", .optionalAddress(server)), ("after_request_ms", .milliseconds(after))]
    case .lateFinalReply(let server, let type, let after):
      return [("server", .optionalAddress(server)), ("type", .messageType(type)), ("after", .messageType(after))]
    case .nak(let server, let requested, let message):
      return [
        ("server", .optionalAddress(server)), ("requested_address", .optionalAddress(requested)),
        ("server_message", .text(message)),
      ]
    case .declined(let address): return [("address", .optionalAddress(address))]
    case .timeout(let type, let waited, let timeout):
      return [("type", .messageType(type)), ("waited_ms", .milliseconds(waited)), ("timeout_s", .seconds(timeout))]
    case .stalled(let after, let timeout): return [("after", .messageType(after)), ("timeout_s", .seconds(timeout))]
    case .captureEnded(let type, let waited):
      guard let waited else { return [] }
      return [("type", .messageType(type)), ("waited_ms", .milliseconds(waited))]
    case .evicted(let limit): return [("limit", .int(limit))]
    case .unansweredServerIdentifier(let server): return [("server", .address(server))]
    case .relayHopsNotIncremented(let relay, let type):
      return [("relay", .address(relay)), ("type", .messageType(type))]
    case .replyWithoutGiaddr(let server, let type): return [("server", .address(server)), ("type", .messageType(type))]
    case .replyGiaddrMismatch(let server, let giaddr, let type):
      return [("server", .address(server)), ("giaddr", .address(giaddr)), ("type", .messageType(type))]
    case .replyToClientOnServerPort(let server, let type):
      return [("server", .address(server)), ("type", .messageType(type))]
    case .option82NotRemoved(let type): return [("type", .messageType(type))]
    case .replyToRelayOnClientPort(let relay, let type):
      return [("relay", .address(relay)), ("type", .messageType(type))]
    case .serverIdentifierMismatch(let source, let identifier):
      return [("source", .address(source)), ("server_identifier", .address(identifier))]
    case .routedAndRelayed(let type, let server):
      return [("type", .messageType(type)), ("server", .optionalAddress(server))]
    case .ackWithoutAddress(let server): return [("server", .optionalAddress(server))]
    case .packetsNotListed(let count, let kept): return [("count", .int(count)), ("kept", .int(kept))]
    case .icmpUnreachable(let server, let reporter, let code, let type, let count):
      return [
        ("server", .address(server)), ("reporter", .address(reporter)), ("icmp_code", .int(Int(code))),
        ("type", .messageType(type)), ("count", .int(count)),
      ]
    case .lostBetweenPoints(let type, _, let seenAt, let missingAt):
      return [("type", .messageType(type)), ("seen_at", .capture(seenAt)), ("missing_at", .capture(missingAt))]
    }
  }
}

/// A finding's parameter value, typed so each output writes it its own way.
public enum FindingValue: Sendable {
  case int(Int)
  case ints([Int])
  case address(IPv4Address)
  case optionalAddress(IPv4Address?)
  case addresses([IPv4Address])
  case messageType(UInt8?)
  case milliseconds(Double)
  case seconds(Double)
  case text(String?)
  case texts([String])
  /// An input file, by index: written as its capture point's name, or its path.
  case capture(Int)
}
