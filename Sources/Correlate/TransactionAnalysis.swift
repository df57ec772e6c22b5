import Dissect

/// Why a transaction was closed.
public enum EndReason: Sendable {
  /// Its final reply arrived (and the grace period for late duplicates passed), or it needs none.
  case finished
  /// The client's last message went unanswered for the timeout.
  case timedOut
  /// The input ended first.
  case captureEnded
  /// Pushed out by the cap on tracked transactions.
  case evicted(limit: Int)
}

/// Turns the packets of one transaction into its report: kind, outcome, servers, flags,
/// timings and the sentences that explain each flag. A pure function of the sequence.
///
/// This runs once per transaction, a hundred thousand times in a busy capture, so the subsets
/// it reasons about (the client's messages, the servers' replies, ...) are predicates over the
/// one array of entries rather than filtered copies of it; arrays are built only to explain a
/// problem. Legs are already settled (`resolveRelayedLegs`).
enum TransactionAnalysis {
  static func analyze(
    xid: UInt32, clientMAC: HardwareAddress, entries input: [SequenceEntry], droppedPackets: Int = 0,
    end: EndReason, timeoutSeconds: Double
  ) -> TransactionRecord {
    var entries = input
    // Stable sort by time: a pcapng from several interfaces is not in time order.
    if zip(entries, entries.dropFirst()).contains(where: { $1.timestamp < $0.timestamp }) {
      entries = entries.enumerated().sorted {
        $0.element.timestamp != $1.element.timestamp
          ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
      }.map(\.element)
    }

    let relayAgents = entries.relayAgents
    let relayed = !relayAgents.isEmpty
    // The subsets. Duplicates (the same packet captured twice) never count.
    func isRequest(_ e: SequenceEntry) -> Bool { !e.isDuplicate && e.isRequest }
    let clientSideExists = entries.contains { isRequest($0) && $0.leg.isClientSide }
    // What the client said: its own packets, or, for a capture taken beside the server only,
    // the relay's copies to the first server they went to.
    let firstServerTarget = entries.first { isRequest($0) && $0.leg == .relayServer }?.destination
    func isClientMessage(_ e: SequenceEntry) -> Bool {
      isRequest(e) && (clientSideExists ? e.leg.isClientSide : e.destination == firstServerTarget)
    }
    // What the servers said: their own packets, or the relay's copies of them.
    let serverSideExists = entries.contains { !$0.isDuplicate && $0.leg.isServerSide }
    func isServerReply(_ e: SequenceEntry) -> Bool {
      !e.isDuplicate && (serverSideExists ? e.leg.isServerSide : e.leg == .relayClient)
    }
    func replyServer(_ e: SequenceEntry) -> IPv4Address? {
      e.leg == .relayClient ? e.serverIdentifier : e.source
    }
    var clientMessageCount = 0
    var firstClientMessage: SequenceEntry?
    var lastClientMessage: SequenceEntry?
    for e in entries where isClientMessage(e) {
      clientMessageCount += 1
      if firstClientMessage == nil { firstClientMessage = e }
      lastClientMessage = e
    }
    let lastReply = entries.last(where: isServerReply)

    // Kind: from the first message the client sent, else from the first reply.
    let kind: TransactionKind = {
      if let first = entries.first(where: isRequest) {
        switch first.messageType {
        case MessageType.discover: return .dora
        case MessageType.request: return .request
        case MessageType.release: return .release
        case MessageType.decline: return .decline
        case MessageType.inform: return .inform
        case nil: return .bootp
        case MessageType.leaseQuery, 14: return .leasequery
        default: return .request
        }
      }
      switch entries.first(where: { !$0.isDuplicate })?.messageType {
      case MessageType.offer: return .dora
      case nil: return .bootp
      case .some(let t) where t >= 11 && t <= 17: return .leasequery
      default: return .request
      }
    }()

    // Servers, in the order they were first involved.
    var servers: [ServerActivity] = []
    func serverIndex(_ a: IPv4Address) -> Int {
      if let i = servers.firstIndex(where: { $0.address == a }) { return i }
      servers.append(ServerActivity(address: a, forwarded: 0, replies: 0))
      return servers.count - 1
    }
    for e in entries where isRequest(e) {
      guard e.leg == .relayServer || (e.leg == .clientServer && e.destination != .broadcast && !e.destination.isZero)
      else { continue }
      let i = serverIndex(e.destination)
      servers[i].forwarded += 1
      if servers[i].firstForward == nil { servers[i].firstForward = e.timestamp }
    }
    for e in entries where isServerReply(e) {
      guard let a = replyServer(e) else { continue }
      let i = serverIndex(a)
      servers[i].replies += 1
      if servers[i].firstReply == nil { servers[i].firstReply = e.timestamp }
    }
    // A direct exchange broadcasts: every server that answered heard each client message.
    if !relayed {
      for i in servers.indices where servers[i].forwarded == 0 {
        servers[i].forwarded = clientMessageCount
        servers[i].firstForward = firstClientMessage?.timestamp
      }
    }

    var flags = FlagSet()
    var anomalies: [String] = []

    // Retransmissions: counted by message type (nil is BOOTP), in the order types appear.
    if hasRepeat(in: entries, where: isClientMessage, same: { $0.messageType == $1.messageType }) {
      let clientMessages = entries.filter(isClientMessage)
      var typeCounts: [(type: UInt8?, count: Int)] = []
      for e in clientMessages {
        if let i = typeCounts.firstIndex(where: { $0.type == e.messageType }) {
          typeCounts[i].count += 1
        } else {
          typeCounts.append((e.messageType, 1))
        }
      }
      for (t, count) in typeCounts where count > 1 {
        flags.insert(.retransmission)
        let secs = clientMessages.filter { $0.messageType == t }.map { String($0.secs) }.joined(separator: ", ")
        anomalies.append("the client sent \(MessageType.name(t)) \(count) times (secs \(secs))")
      }
    }

    // Replies: which servers offered, duplicates, late ones.
    func isOffer(_ e: SequenceEntry) -> Bool {
      isServerReply(e) && e.messageType == MessageType.offer && replyServer(e) != nil
    }
    if hasRepeat(in: entries, where: isOffer, same: { replyServer($0) != replyServer($1) }) {
      var offerServers: [IPv4Address] = []
      for e in entries where isOffer(e) { offerServers.appendIfAbsent(replyServer(e)!) }
      flags.insert(.multipleOffers)
      anomalies.append(
        "offers came from \(offerServers.count) servers: \(offerServers.map(\.description).joined(separator: ", "))")
    }
    if hasRepeat(
      in: entries, where: isServerReply,
      same: { replyServer($0) == replyServer($1) && $0.messageType == $1.messageType })
    {
      var replyCounts: [(server: IPv4Address?, type: UInt8?, count: Int)] = []
      for e in entries where isServerReply(e) {
        let server = replyServer(e)
        if let i = replyCounts.firstIndex(where: { $0.server == server && $0.type == e.messageType }) {
          replyCounts[i].count += 1
        } else {
          replyCounts.append((server, e.messageType, 1))
        }
      }
      for (server, type, count) in replyCounts where count > 1 {
        flags.insert(.duplicateReply)
        anomalies.append(
          "server \(server.map(\.description) ?? "(unknown)") sent \(MessageType.name(type)) \(count) times")
      }
    }
    let firstClientRequest = entries.first { isClientMessage($0) && $0.messageType == MessageType.request }?.timestamp
    func isFinalReply(_ e: SequenceEntry) -> Bool {
      e.messageType == MessageType.ack || e.messageType == MessageType.nak
    }
    let firstFinal = entries.first { isServerReply($0) && isFinalReply($0) }
    for e in entries where isServerReply(e) {
      if e.messageType == MessageType.offer, let r = firstClientRequest, e.timestamp > r, kind == .dora {
        flags.insert(.lateReply)
        anomalies.append(
          "OFFER from \(replyServer(e).map(\.description) ?? "a server") arrived \(ms(e.timestamp.milliseconds(since: r))) after the client had sent REQUEST"
        )
      } else if let f = firstFinal, e.timestamp > f.timestamp, isFinalReply(e), e.messageType != f.messageType {
        flags.insert(.lateReply)
        anomalies.append(
          "\(e.typeName) from \(replyServer(e).map(\.description) ?? "a server") arrived after the \(f.typeName) that ended the exchange"
        )
      }
    }

    // Outcome.
    let hasAck = entries.contains { !$0.isDuplicate && $0.messageType == MessageType.ack }
    let firstNak = entries.first { !$0.isDuplicate && $0.messageType == MessageType.nak }
    let declinedAfterAck =
      kind == .dora || kind == .request
      ? entries.contains { isRequest($0) && $0.messageType == MessageType.decline } : false
    let hasReply = entries.contains { !$0.isDuplicate && !$0.isRequest }
    let outcome: Outcome
    switch kind {
    case .release: outcome = .released
    case .decline: outcome = .declined
    case .inform: outcome = hasAck ? .informed : endOutcome(end)
    case .bootp: outcome = hasReply ? .bound : endOutcome(end)
    case .leasequery: outcome = hasReply ? .informed : endOutcome(end)
    case .dora, .request:
      if declinedAfterAck {
        outcome = .declined
      } else if hasAck {
        outcome = .bound
      } else if firstNak != nil {
        outcome = .nak
      } else {
        outcome = endOutcome(end)
      }
    }
    switch outcome {
    case .nak:
      flags.insert(.nak)
      let from = firstNak.flatMap(replyServer).map { " by \($0)" } ?? ""
      anomalies.append("the request was refused with NAK\(from)")
    case .declined:
      flags.insert(.declined)
      anomalies.append("the client declined the address (DHCPDECLINE): it is probably in use by another host")
    case .timeout:
      flags.insert(.timeout)
      let last = lastClientMessage.map { "\($0.typeName)" } ?? "message"
      if let lastReply {
        anomalies.append(
          "the exchange stalled after \(lastReply.typeName): nothing more within \(ms(timeoutSeconds * 1000))")
      } else {
        anomalies.append("no reply to the client's \(last) within \(ms(timeoutSeconds * 1000))")
      }
    case .incomplete:
      flags.insert(.incomplete)
      if case .evicted(let limit) = end {
        anomalies.append("closed early: more than \(limit) transactions were open at once")
      } else {
        anomalies.append("the capture ended in the middle of the exchange")
      }
    default: break
    }

    // Silent servers and failover.
    // RELEASE and DECLINE get no reply, so a server's silence means nothing there.
    let expectsReply = kind != .release && kind != .decline
    // When the capture simply ended, one unanswered request may just be early; silence tells
    // once another server answered or the server ignored a retransmission too.
    let anyAnswered = servers.contains(where: \.answered)
    for s in servers where expectsReply && s.forwarded > 0 && !s.answered {
      guard outcome != .incomplete || anyAnswered || s.forwarded > 1 else { continue }
      flags.insert(.serverNoReply)
      anomalies.append(
        "server \(s.address) was sent \(s.forwarded) request\(s.forwarded == 1 ? "" : "s") and never replied")
    }
    // The server first sent to (ties: first listed) never answered, and one sent to more than
    // half a second later did: the relay failed over.
    func earliestForwarded(where included: (ServerActivity) -> Bool) -> Int? {
      var earliest: Int? = nil
      for i in servers.indices where servers[i].firstForward != nil && included(servers[i]) {
        if let e = earliest, servers[e].firstForward! <= servers[i].firstForward! { continue }
        earliest = i
      }
      return earliest
    }
    if let first = earliestForwarded(where: { _ in true }), !servers[first].answered {
      let start = servers[first].firstForward!
      let next = earliestForwarded {
        $0.address != servers[first].address && $0.answered && $0.firstForward!.milliseconds(since: start) > 500
      }
      if let next {
        flags.insert(.failover)
        let after = servers[next].firstForward!.milliseconds(since: start)
        anomalies.append(
          "server \(servers[first].address) never answered; the relay failed over to \(servers[next].address) after \(ms(after))"
        )
      }
    }

    // The client asked a named server (option 54) that never answered.
    func answering(_ s: IPv4Address) -> Bool {
      servers.contains { $0.address == s && $0.answered }
        || entries.contains { isServerReply($0) && $0.serverIdentifier == s }
    }
    for (i, e) in entries.enumerated() where isRequest(e) && e.messageType == MessageType.request {
      guard let s = e.serverIdentifier, !answering(s) else { continue }
      // Each server once, where it is first named.
      guard
        !entries[..<i].contains(where: {
          isRequest($0) && $0.messageType == MessageType.request && $0.serverIdentifier == s
        })
      else { continue }
      flags.insert(.unansweredServerID)
      anomalies.append("the client requested from server \(s) (option 54), which never answered")
    }

    // Relay behaviour against RFC 1542 and RFC 3046.
    var relayProblems: [String] = []
    if let e = entries.first(where: { !$0.isDuplicate && $0.leg == .relayServer && $0.hops == 0 }) {
      relayProblems.append("relay \(e.giaddr) forwarded \(e.typeName) with hops 0 (RFC 1542 requires incrementing)")
    }
    func isRelayedRequest(_ e: SequenceEntry) -> Bool { isRequest(e) && e.leg == .relayServer }
    let anyRelayedRequest = entries.contains(where: isRelayedRequest)
    for e in entries where !e.isDuplicate && e.leg == .serverRelay {
      if e.giaddr.isZero {
        relayProblems.append("\(e.typeName) from \(e.source) to the relay has no giaddr")
      } else if anyRelayedRequest && !entries.contains(where: { isRelayedRequest($0) && $0.giaddr == e.giaddr }) {
        relayProblems.append("\(e.typeName) from \(e.source) carries giaddr \(e.giaddr), not the request's")
      }
      if e.destination == .broadcast || (!e.yiaddr.isZero && e.destination == e.yiaddr) {
        relayProblems.append("\(e.typeName) from \(e.source) was sent to the client on port 67 instead of 68")
      }
    }
    let relayAddedOption82 =
      entries.contains { !$0.isDuplicate && $0.leg == .relayServer && $0.hasOption82 }
      && entries.contains { isRequest($0) && $0.leg.isClientSide && !$0.hasOption82 }
    for e in entries where !e.isDuplicate && e.leg == .relayClient {
      if e.hasOption82 && (relayAddedOption82 || !clientSideExists) {
        relayProblems.append(
          "\(e.typeName) to the client still carries option 82 (RFC 3046 requires the relay to remove it)")
      }
      if relayAgents.contains(e.destination) && e.destinationPort == 68 {
        relayProblems.append("\(e.typeName) to relay \(e.destination) was sent to port 68 instead of 67")
      }
    }
    if !relayProblems.isEmpty {
      flags.insert(.relayAnomaly)
      anomalies.append(contentsOf: orderedUnique(relayProblems))
    }
    if droppedPackets > 0 {
      anomalies.append(
        "\(droppedPackets) more packets of this transaction were counted but not listed (at most \(entries.count) are kept)"
      )
    }

    // Timings.
    func first(_ type: UInt8, after: Timestamp, legs: (Leg) -> Bool) -> SequenceEntry? {
      entries.first { !$0.isDuplicate && $0.messageType == type && legs($0.leg) && $0.timestamp >= after }
    }
    func clientFacing(_ type: UInt8, after: Timestamp) -> SequenceEntry? {
      first(type, after: after, legs: \.reachesClient) ?? first(type, after: after, legs: \.isServerSide)
    }
    func clientMessage(_ type: UInt8) -> SequenceEntry? {
      entries.first { isClientMessage($0) && $0.messageType == type }
    }
    var timings = Timings()
    if let d = clientMessage(MessageType.discover), let o = clientFacing(MessageType.offer, after: d.timestamp) {
      timings.discoverToOffer = o.timestamp.milliseconds(since: d.timestamp)
    }
    if let r = clientMessage(MessageType.request) {
      let reply = clientFacing(MessageType.ack, after: r.timestamp) ?? clientFacing(MessageType.nak, after: r.timestamp)
      if let reply { timings.requestToAck = reply.timestamp.milliseconds(since: r.timestamp) }
    }
    let finalReply =
      entries.last { !$0.isDuplicate && isFinalReply($0) && $0.leg.reachesClient }
      ?? entries.last { !$0.isDuplicate && isFinalReply($0) }
    if let start = firstClientMessage?.timestamp ?? entries.first(where: { !$0.isDuplicate })?.timestamp,
      let f = finalReply
    {
      timings.total = f.timestamp.milliseconds(since: start)
    }
    if let c = entries.first(where: { !$0.isDuplicate && $0.leg == .clientRelay }),
      let r = entries.first(where: {
        !$0.isDuplicate && $0.leg == .relayServer && $0.messageType == c.messageType && $0.timestamp >= c.timestamp
      })
    {
      timings.relayForward = r.timestamp.milliseconds(since: c.timestamp)
    }
    // From the relay's latest forward to the server that answered first, to that answer.
    let firstToRelay = entries.first { !$0.isDuplicate && $0.leg == .serverRelay }
    if let s = firstToRelay,
      let r = entries.last(where: {
        !$0.isDuplicate && $0.leg == .relayServer && $0.destination == s.source && $0.timestamp <= s.timestamp
      })
    {
      timings.serverResponse = s.timestamp.milliseconds(since: r.timestamp)
    }
    if let s = firstToRelay,
      let c = entries.first(where: {
        !$0.isDuplicate && $0.leg == .relayClient && $0.messageType == s.messageType && $0.timestamp >= s.timestamp
      })
    {
      timings.relayReturn = c.timestamp.milliseconds(since: s.timestamp)
    }

    let bound = outcome == .bound && (kind == .dora || kind == .request || kind == .bootp)
    let boundReply =
      kind == .bootp
      ? entries.last { !$0.isDuplicate && !$0.isRequest }
      : entries.last { !$0.isDuplicate && $0.messageType == MessageType.ack && $0.leg.reachesClient }
        ?? entries.last { !$0.isDuplicate && $0.messageType == MessageType.ack }
    return TransactionRecord(
      xid: xid, clientMAC: clientMAC, kind: kind, outcome: outcome,
      assignedAddress: bound ? boundReply?.yiaddr : nil,
      leaseSeconds: bound ? boundReply?.leaseSeconds : nil,
      relayAgents: relayAgents, servers: servers, sequence: entries,
      flags: flags.inReportOrder, timings: timings, anomalies: anomalies,
      firstSeen: entries.first?.timestamp ?? Timestamp(seconds: 0, nanoseconds: 0),
      lastSeen: entries.last?.timestamp ?? Timestamp(seconds: 0, nanoseconds: 0))
  }

  /// Whether two of the entries that satisfy `included` are `same`: the cheap test that
  /// decides whether a problem needs explaining at all.
  private static func hasRepeat(
    in entries: [SequenceEntry], where included: (SequenceEntry) -> Bool,
    same: (SequenceEntry, SequenceEntry) -> Bool
  ) -> Bool {
    for j in entries.indices where included(entries[j]) {
      for i in 0..<j where included(entries[i]) && same(entries[i], entries[j]) { return true }
    }
    return false
  }

  static func endOutcome(_ end: EndReason) -> Outcome {
    switch end {
    case .timedOut: return .timeout
    case .finished: return .timeout
    case .captureEnded, .evicted: return .incomplete
    }
  }
}

/// A set of flags as bits, in the order `TransactionFlag.allCases` lists them.
struct FlagSet {
  private var bits: UInt32 = 0
  private static let all = TransactionFlag.allCases
  mutating func insert(_ flag: TransactionFlag) { bits |= 1 << UInt32(Self.all.firstIndex(of: flag)!) }
  var inReportOrder: [TransactionFlag] {
    bits == 0 ? [] : Self.all.indices.filter { bits & 1 << UInt32($0) != 0 }.map { Self.all[$0] }
  }
}

extension Array where Element: Equatable {
  mutating func appendIfAbsent(_ item: Element) { if !contains(item) { append(item) } }
}

func orderedUnique<T: Hashable>(_ items: [T]) -> [T] {
  var seen = Set<T>()
  return items.filter { seen.insert($0).inserted }
}

/// "850 ms", "6.02 s": durations in anomaly sentences.
func ms(_ milliseconds: Double) -> String {
  if milliseconds < 1000 {
    return milliseconds < 10 ? "\(Double(Int(milliseconds * 100)) / 100) ms" : "\(Int(milliseconds.rounded())) ms"
  }
  let s = milliseconds / 1000
  return s == s.rounded() ? "\(Int(s)) s" : "\(Double(Int(s * 100)) / 100) s"
}
