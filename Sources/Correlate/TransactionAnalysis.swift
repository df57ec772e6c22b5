import Dissect

/// Why a transaction was closed.
public enum EndReason: Sendable {
  /// Its final reply arrived (and the grace period for late duplicates passed), or it needs none.
  case finished
  /// A request went unanswered for the timeout.
  case timedOut
  /// The input ended first.
  case captureEnded
  /// Pushed out by the cap on tracked transactions.
  case evicted(limit: Int)
}

/// Turns the packets of one transaction into its report. A view of the transaction is built
/// once (`TransactionView`: the client's messages, the relays' copies, the replies, the
/// servers); then each question is one function that returns typed findings: kind, outcome,
/// retransmissions, replies, silent servers and failover, relay checks, timings, identity.
/// Sentences are the report's business (`Finding`).
enum TransactionAnalysis {
  static func analyze(_ closed: ClosedTransaction) -> TransactionRecord {
    withUnsafePointer(to: closed) { analyze($0) }
  }

  /// `analyze`, reading the closed transaction field by field where it lies: passing the
  /// value on from an array or a pointer copies it, and a copy retains and releases its arrays.
  static func analyze(_ closed: UnsafePointer<ClosedTransaction>) -> TransactionRecord {
    let view = TransactionView(closed.pointee.entries, identity: closed.pointee.identity)
    let kind = self.kind(view)
    let timeoutMilliseconds = closed.pointee.timeoutSeconds * 1000
    // Each question appends to one array: most transactions then allocate one, or none.
    var findings: [Finding] = []

    let (outcome, ending) = self.outcome(
      view, kind: kind, end: closed.pointee.end, observedUntil: closed.pointee.observedUntil,
      timeoutSeconds: closed.pointee.timeoutSeconds)
    retransmissions(view, into: &findings)
    replyFindings(view, kind: kind, into: &findings)
    if let ending { findings.append(ending) }
    silentServers(
      view, kind: kind, observedUntil: closed.pointee.observedUntil, timeout: timeoutMilliseconds, into: &findings)
    relayChecks(view, into: &findings)
    findings += view.serverIdentifierMismatches
    routedAndRelayed(view, into: &findings)
    icmpErrors(closed.pointee.icmpErrors, into: &findings)
    lostBetweenPoints(view, into: &findings)

    let final = boundReply(view, kind: kind, outcome: outcome)
    var assigned: IPv4Address? = nil
    var lease: UInt32? = nil
    if let final {
      if final.yiaddr.isZero {
        findings.append(.ackWithoutAddress(server: view.replyServer(final)))
      } else {
        assigned = final.yiaddr
        lease = final.leaseSeconds
      }
    }
    if closed.pointee.droppedPackets > 0 {
      findings.append(.packetsNotListed(count: closed.pointee.droppedPackets, kept: view.entries.count))
    }

    var flags = FlagSet()
    for f in findings { if let flag = f.flag { flags.insert(flag) } }
    var record = TransactionRecord(
      xid: closed.pointee.xid, clientMAC: closed.pointee.clientMAC, kind: kind, outcome: outcome,
      assignedAddress: assigned,
      leaseSeconds: lease, client: ClientIdentity(), relayAgentInformation: relayAgentInformation(view),
      serverMessage: serverMessage(view), relayAgents: view.relayAgents, servers: view.servers,
      sequence: view.entries, flags: flags.inReportOrder, timings: timings(view), findings: findings,
      firstSeen: view.entries.first?.timestamp ?? Timestamp(seconds: 0, nanoseconds: 0),
      lastSeen: view.entries.last?.timestamp ?? Timestamp(seconds: 0, nanoseconds: 0),
      captureStart: min(closed.pointee.captureStart, view.entries.first?.timestamp ?? closed.pointee.captureStart))
    client(view, into: &record.client)
    return record
  }

  // MARK: Kind and outcome

  /// From the first message the client sent, else from the first reply.
  static func kind(_ view: TransactionView) -> TransactionKind {
    if let first = view.entries.first(where: view.isRequest) {
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
    switch view.entries.first(where: { !$0.isDuplicate })?.messageType {
    case MessageType.offer: return .dora
    case nil: return .bootp
    case .some(let t) where t >= 11 && t <= 17: return .leasequery
    default: return .request
    }
  }

  /// How it ended, and the finding that says why when it did not end well: a request that
  /// expects a reply and waited `--timeout` unanswered is a timeout, also while the client
  /// kept retransmitting; one the capture cut short is incomplete.
  static func outcome(
    _ view: TransactionView, kind: TransactionKind, end: EndReason, observedUntil: Timestamp, timeoutSeconds: Double
  ) -> (Outcome, Finding?) {
    let unique = view.entries.lazy.filter { !$0.isDuplicate }
    let firstAck = unique.first { !$0.isRequest && $0.messageType == MessageType.ack }
    let firstNak = unique.first { !$0.isRequest && $0.messageType == MessageType.nak }
    switch kind {
    case .release: return (.released, nil)
    case .decline: return (.declined, .declined(address: view.entries.first(where: view.isRequest)?.requestedAddress))
    case .inform where firstAck != nil: return (.informed, nil)
    case .bootp where unique.contains(where: { !$0.isRequest }): return (.bound, nil)
    case .leasequery where unique.contains(where: { !$0.isRequest }): return (.informed, nil)
    case .dora, .request:
      if let decline = unique.first(where: { $0.isRequest && $0.messageType == MessageType.decline }) {
        return (.declined, .declined(address: decline.requestedAddress ?? firstAck?.yiaddr))
      }
      if firstAck != nil { return (.bound, nil) }
      if let nak = firstNak {
        let request = view.entries.last { view.isClientMessage($0) && $0.timestamp <= nak.timestamp }
        return (
          .nak,
          .nak(
            server: view.replyServer(nak), requestedAddress: request?.requestedAddress ?? request?.ciaddr.nonZero,
            message: view.identity.withValue(56, from: .nak, text))
        )
      }
    default: break
    }
    // Not finished: find the first request that waited for its answer in vain.
    let timeout = timeoutSeconds * 1000
    if let waiting = view.firstUnansweredRequest {
      let waited = observedUntil.milliseconds(since: waiting.timestamp)
      if waited >= timeout {
        return (
          .timeout, .timeout(type: waiting.messageType, waitedMilliseconds: waited, timeoutSeconds: timeoutSeconds)
        )
      }
      if case .evicted(let limit) = end { return (.incomplete, .evicted(limit: limit)) }
      return (.incomplete, .captureEnded(type: waiting.messageType, waitedMilliseconds: waited))
    }
    if case .evicted(let limit) = end { return (.incomplete, .evicted(limit: limit)) }
    let lastReply = unique.last { !$0.isRequest }
    if let lastReply, observedUntil.milliseconds(since: lastReply.timestamp) >= timeout {
      return (.timeout, .stalled(after: lastReply.messageType, timeoutSeconds: timeoutSeconds))
    }
    return (.incomplete, .captureEnded(type: nil, waitedMilliseconds: nil))
  }

  /// The reply whose yiaddr and lease the transaction reports: the last ACK (the one that
  /// reached the client when the capture shows it), or a BOOTP reply.
  static func boundReply(_ view: TransactionView, kind: TransactionKind, outcome: Outcome) -> SequenceEntry? {
    switch (kind, outcome) {
    case (.bootp, .bound): return view.entries.last { !$0.isDuplicate && !$0.isRequest }
    case (.dora, .bound), (.request, .bound), (.dora, .declined), (.request, .declined):
      return view.entries.last { !$0.isDuplicate && $0.messageType == MessageType.ack && $0.leg.reachesClient }
        ?? view.entries.last { !$0.isDuplicate && $0.messageType == MessageType.ack }
    default: return nil
    }
  }

  // MARK: The client's messages and the replies

  /// Each message type the client sent more than once.
  static func retransmissions(_ view: TransactionView, into findings: inout [Finding]) {
    // Most transactions have none: find out before building anything.
    func bit(_ e: SequenceEntry) -> UInt32 { 1 << UInt32(min(Int(e.messageType ?? 31), 31)) }
    var seen: UInt32 = 0
    var repeated: UInt32 = 0
    for e in view.entries where view.isClientMessage(e) {
      if seen & bit(e) != 0 { repeated |= bit(e) }
      seen |= bit(e)
    }
    guard repeated != 0 else { return }
    let entries = view.entries
    for (i, e) in entries.enumerated() where view.isClientMessage(e) && repeated & bit(e) != 0 {
      func isSame(_ o: SequenceEntry) -> Bool { view.isClientMessage(o) && o.messageType == e.messageType }
      // Each type once, at its first message (types from 31 up share a bit).
      guard !entries[..<i].contains(where: isSame) else { continue }
      let count = entries[i...].count(where: isSame)
      guard count > 1 else { continue }
      var secs: [UInt16] = []
      secs.reserveCapacity(count)
      for o in entries[i...] where isSame(o) { secs.append(o.secs) }
      findings.append(.retransmission(type: e.messageType, count: count, secs: secs))
    }
  }

  /// Offers from several servers, one server repeating a reply, and replies that came after
  /// the client had moved on.
  static func replyFindings(_ view: TransactionView, kind: TransactionKind, into findings: inout [Finding]) {
    let start = findings.count
    // Each (server, type) is counted at its first reply, so nothing is built per transaction
    // unless a finding is (sequences are short: the quadratic scan costs less than an array).
    let entries = view.entries
    var firstOfferServer: IPv4Address? = nil
    var offersFromSeveral = false
    for (i, e) in entries.enumerated() where view.isServerReply(e) {
      let server = view.replyServer(e)
      if e.messageType == MessageType.offer, let server {
        if firstOfferServer == nil {
          firstOfferServer = server
        } else if server != firstOfferServer {
          offersFromSeveral = true
        }
      }
      func isSame(_ o: SequenceEntry) -> Bool {
        view.isServerReply(o) && o.messageType == e.messageType && view.replyServer(o) == server
      }
      guard !entries[..<i].contains(where: isSame) else { continue }
      let count = 1 + entries[(i + 1)...].count(where: isSame)
      if count > 1 { findings.append(.duplicateReply(server: server, type: e.messageType, count: count)) }
    }
    if offersFromSeveral {
      var offerServers: [IPv4Address] = []
      for e in entries where view.isServerReply(e) && e.messageType == MessageType.offer {
        if let server = view.replyServer(e) { offerServers.appendIfAbsent(server) }
      }
      findings.insert(.multipleOffers(servers: offerServers), at: start)
    }
    let firstRequest = view.entries.first { view.isClientMessage($0) && $0.messageType == MessageType.request }
    func isFinal(_ e: SequenceEntry) -> Bool { e.messageType == MessageType.ack || e.messageType == MessageType.nak }
    let firstFinal = view.entries.first { view.isServerReply($0) && isFinal($0) }
    for e in view.entries where view.isServerReply(e) {
      if kind == .dora, e.messageType == MessageType.offer, let r = firstRequest, e.timestamp > r.timestamp {
        findings.append(
          .lateOffer(server: view.replyServer(e), afterMilliseconds: e.timestamp.milliseconds(since: r.timestamp)))
      } else if let f = firstFinal, e.timestamp > f.timestamp, isFinal(e), e.messageType != f.messageType {
        findings.append(.lateFinalReply(server: view.replyServer(e), type: e.messageType, after: f.messageType))
      }
    }
  }

  // MARK: Servers

  /// Servers sent requests that expect a reply that never replied; the relay failing over
  /// from the first such server; a server the client named (option 54) that never answered.
  static func silentServers(
    _ view: TransactionView, kind: TransactionKind, observedUntil: Timestamp, timeout: Double,
    into findings: inout [Finding]
  ) {
    let servers = view.servers
    let anyAnswered = servers.contains(where: \.answered)
    for s in servers where s.askedPhases != 0 && !s.answered {
      // Silence tells once another server answered, the server ignored a retransmission
      // too, or its first request waited the timeout; a capture cut short proves nothing.
      let waited = s.firstForward.map { observedUntil.milliseconds(since: $0) } ?? 0
      guard anyAnswered || s.forwarded > 1 || waited >= timeout else { continue }
      findings.append(.serverNoReply(server: s.address, requests: s.forwarded))
    }
    // The server first sent to (ties: first listed) never answered, and one sent to more than
    // half a second later did: the relay failed over.
    func earliestForwarded(where included: (ServerActivity) -> Bool) -> ServerActivity? {
      var earliest: ServerActivity? = nil
      for s in servers where s.firstForward != nil && included(s) {
        if let e = earliest, e.firstForward! <= s.firstForward! { continue }
        earliest = s
      }
      return earliest
    }
    if let first = earliestForwarded(where: { $0.askedPhases != 0 }), !first.answered {
      let start = first.firstForward!
      if let next = earliestForwarded(where: {
        $0.address != first.address && $0.answered && $0.firstForward!.milliseconds(since: start) > 500
      }) {
        findings.append(
          .failover(
            from: first.address, to: next.address, afterMilliseconds: next.firstForward!.milliseconds(since: start))
        )
      }
    }
    let entries = view.entries
    for (i, e) in entries.enumerated() where view.isRequest(e) && e.messageType == MessageType.request {
      // Each named server once, at the first request naming it.
      guard let s = e.serverIdentifier,
        !entries[..<i].contains(where: {
          view.isRequest($0) && $0.messageType == MessageType.request && $0.serverIdentifier == s
        })
      else { continue }
      let answering =
        servers.contains { $0.address == s && $0.answered }
        || view.entries.contains { view.isServerReply($0) && $0.serverIdentifier == s }
      if !answering { findings.append(.unansweredServerIdentifier(server: s)) }
    }
  }

  /// The client's unicast reached the server twice: routed by the relay host, and relayed by
  /// the relay agent that also heard it.
  /// With several capture points (files), where a message disappeared: a reply the servers'
  /// point saw leave and the client's point never saw arrive, or a request the client's point
  /// saw and a server's point never saw, while that point saw the exchange go on. Every
  /// sighting counts, copies captured twice included.
  static func lostBetweenPoints(_ view: TransactionView, into findings: inout [Finding]) {
    let entries = view.entries
    guard let firstFile = entries.first?.fileIndex, entries.contains(where: { $0.fileIndex != firstFile }) else {
      return
    }
    func toClient(_ e: SequenceEntry) -> Bool { e.leg == .relayClient || e.leg == .serverClient }
    func fromServer(_ e: SequenceEntry) -> Bool { e.leg == .serverRelay || e.leg == .serverClient }
    let clientPoints = Set(entries.filter { $0.leg.isClientSide || toClient($0) }.map(\.fileIndex))
    let serverPoints = Set(entries.filter { $0.leg == .relayServer || fromServer($0) }.map(\.fileIndex))
    let start = findings.count
    for c in clientPoints.sorted() {
      for s in serverPoints.sorted() where s != c && !clientPoints.contains(s) {
        // Replies that left a server at s and never reached the client's side at c, though c
        // captured the transaction after them.
        for reply in entries where reply.fileIndex == s && fromServer(reply) {
          let arrived = entries.contains { $0.fileIndex == c && toClient($0) && $0.messageType == reply.messageType }
          let capturing = entries.contains { $0.fileIndex == c && reply.timestamp < $0.timestamp }
          let finding = Finding.lostBetweenPoints(type: reply.messageType, isRequest: false, seenAt: s, missingAt: c)
          if !arrived && capturing { findings.appendIfAbsent(finding, searchingFrom: start) }
        }
        // Requests of a type s never saw, though it saw later requests of another type.
        for request in entries where request.fileIndex == c && request.leg.isClientSide {
          let arrived = entries.contains { $0.fileIndex == s && $0.isRequest && $0.messageType == request.messageType }
          let later = entries.contains {
            $0.fileIndex == s && $0.isRequest && $0.messageType != request.messageType
              && request.timestamp < $0.timestamp
          }
          let finding = Finding.lostBetweenPoints(type: request.messageType, isRequest: true, seenAt: c, missingAt: s)
          if !arrived && later { findings.appendIfAbsent(finding, searchingFrom: start) }
        }
      }
    }
  }

  /// ICMP errors quoting the transaction's messages, one finding per server, reporter and code.
  static func icmpErrors(_ notices: [ICMPNotice], into findings: inout [Finding]) {
    let start = findings.count
    for n in notices {
      let e = n.error
      if let i = findings[start...].firstIndex(where: {
        if case .icmpUnreachable(e.quotedDestination, e.reporter, e.code, _, _) = $0 { return true }
        return false
      }), case .icmpUnreachable(let server, let reporter, let code, let type, let count) = findings[i] {
        findings[i] = .icmpUnreachable(server: server, reporter: reporter, code: code, type: type, count: count + 1)
      } else {
        findings.append(
          .icmpUnreachable(
            server: e.quotedDestination, reporter: e.reporter, code: e.code, type: n.messageType, count: 1))
      }
    }
  }

  static func routedAndRelayed(_ view: TransactionView, into findings: inout [Finding]) {
    let start = findings.count
    for e in view.entries where view.isRequest(e) && e.leg == .clientServer {
      guard let direct = view.requestServer(e) else { continue }
      let relayed = view.entries.contains {
        view.isRequest($0) && $0.leg == .relayServer && $0.messageType == e.messageType
          && view.requestServer($0) == direct
      }
      if relayed {
        findings.appendIfAbsent(.routedAndRelayed(type: e.messageType, server: direct), searchingFrom: start)
      }
    }
  }

  // MARK: Relays

  /// Relay behaviour against RFC 1542 and RFC 3046, each problem once.
  static func relayChecks(_ view: TransactionView, into findings: inout [Finding]) {
    let start = findings.count
    func add(_ f: Finding) { findings.appendIfAbsent(f, searchingFrom: start) }
    let entries = view.entries
    if let e = entries.first(where: { !$0.isDuplicate && $0.leg == .relayServer && $0.hops == 0 }) {
      add(.relayHopsNotIncremented(relay: e.giaddr, type: e.messageType))
    }
    func isRelayedRequest(_ e: SequenceEntry) -> Bool { view.isRequest(e) && e.leg == .relayServer }
    let anyRelayedRequest = entries.contains(where: isRelayedRequest)
    for e in entries where !e.isDuplicate && e.leg == .serverRelay {
      if e.giaddr.isZero {
        add(.replyWithoutGiaddr(server: e.source, type: e.messageType))
      } else if anyRelayedRequest && !entries.contains(where: { isRelayedRequest($0) && $0.giaddr == e.giaddr }) {
        add(.replyGiaddrMismatch(server: e.source, giaddr: e.giaddr, type: e.messageType))
      }
      if e.destination == .broadcast || (!e.yiaddr.isZero && e.destination == e.yiaddr) {
        add(.replyToClientOnServerPort(server: e.source, type: e.messageType))
      }
    }
    let relayAddedOption82 =
      entries.contains { !$0.isDuplicate && $0.leg == .relayServer && $0.hasOption82 }
      && entries.contains { view.isRequest($0) && $0.leg.isClientSide && !$0.hasOption82 }
    for e in entries where !e.isDuplicate && e.leg == .relayClient {
      if e.hasOption82 && (relayAddedOption82 || !view.clientSideExists) {
        add(.option82NotRemoved(type: e.messageType))
      }
      if view.relayAgents.contains(e.destination) && e.destinationPort == 68 {
        add(.replyToRelayOnClientPort(relay: e.destination, type: e.messageType))
      }
    }
  }

  // MARK: Timings

  /// Each timing as docs/output.md defines it.
  static func timings(_ view: TransactionView) -> Timings {
    let entries = view.entries
    func first(_ type: UInt8, after: Timestamp, legs: (Leg) -> Bool) -> SequenceEntry? {
      entries.first { !$0.isDuplicate && $0.messageType == type && legs($0.leg) && $0.timestamp >= after }
    }
    func clientFacing(_ type: UInt8, after: Timestamp) -> SequenceEntry? {
      first(type, after: after, legs: \.reachesClient) ?? first(type, after: after, legs: \.isServerSide)
    }
    func clientMessage(_ type: UInt8) -> SequenceEntry? {
      entries.first { view.isClientMessage($0) && $0.messageType == type }
    }
    var timings = Timings()
    if let d = clientMessage(MessageType.discover), let o = clientFacing(MessageType.offer, after: d.timestamp) {
      timings.discoverToOffer = o.timestamp.milliseconds(since: d.timestamp)
    }
    if let r = clientMessage(MessageType.request) {
      if let ack = clientFacing(MessageType.ack, after: r.timestamp) {
        timings.requestToAck = ack.timestamp.milliseconds(since: r.timestamp)
      }
      if let nak = clientFacing(MessageType.nak, after: r.timestamp) {
        timings.requestToNak = nak.timestamp.milliseconds(since: r.timestamp)
      }
    }
    func isFinal(_ e: SequenceEntry) -> Bool { e.messageType == MessageType.ack || e.messageType == MessageType.nak }
    let finalReply =
      entries.last { !$0.isDuplicate && isFinal($0) && $0.leg.reachesClient }
      ?? entries.last { !$0.isDuplicate && isFinal($0) }
    if let start = entries.first(where: view.isClientMessage)?.timestamp
      ?? entries.first(where: { !$0.isDuplicate })?.timestamp, let f = finalReply
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
    // The first reply to reach the relay, from the first request of its phase sent to that
    // server (the same definition as the per-server response time).
    let firstToRelay = entries.first { !$0.isDuplicate && $0.leg == .serverRelay }
    if let s = firstToRelay, let phase = view.phase(ofReply: s), let server = view.replyServer(s),
      let r = entries.first(where: {
        view.isRequest($0) && $0.leg == .relayServer && view.requestServer($0) == server
          && ExchangePhase.of(request: $0.messageType) == phase && $0.timestamp <= s.timestamp
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
    return timings
  }

  // MARK: Identity

  /// Who the client is, from its own messages (or the relays' copies when the capture has
  /// none of them), written into the record's own identity (returned, it was copied).
  static func client(_ view: TransactionView, into client: inout ClientIdentity) {
    let source: TransactionIdentity.Source = view.clientSideExists ? .client : .relay
    client.hostName = view.identity.withValue(12, from: source, text)
    client.clientID = view.identity.withValue(61, from: source) { Array($0) }
    client.vendorClass = view.identity.withValue(60, from: source, text)
    client.fqdn =
      view.identity.withValue(81, from: source) { v in
        v.count > 3 ? fqdnName(UnsafeRawBufferPointer(rebasing: v[3...])) : nil
      } ?? nil
    for e in view.entries where view.isRequest(e) && (e.leg.isClientSide || !view.clientSideExists) {
      if client.requestedAddress == nil { client.requestedAddress = e.requestedAddress }
      if client.requestedServer == nil, e.messageType != nil { client.requestedServer = e.serverIdentifier }
    }
  }

  /// Option 82 as the relay sent it on (or as the client sent it, when no relay's copy has it).
  static func relayAgentInformation(_ view: TransactionView) -> RelayAgentInformation? {
    func read(_ v: UnsafeRawBufferPointer) -> RelayAgentInformation {
      var info = RelayAgentInformation()
      var walk = OptionWalk(v, padAndEnd: false)
      while let option = walk.next() {
        let value = UnsafeRawBufferPointer(rebasing: v[option.value])
        switch option.code {
        case 1: info.circuitID = Array(value)
        case 2: info.remoteID = Array(value)
        case 6: info.subscriberID = text(value)
        case 5 where value.count == 4:
          info.linkSelection = IPv4Address(
            UInt32(value[0]) << 24 | UInt32(value[1]) << 16 | UInt32(value[2]) << 8 | UInt32(value[3]))
        default: break
        }
      }
      return info
    }
    return view.identity.withValue(82, from: .relay, read) ?? view.identity.withValue(82, from: .client, read)
  }

  /// Option 56 of a reply: a NAK's when there is one, else the first.
  static func serverMessage(_ view: TransactionView) -> String? {
    view.identity.withValue(56, from: .nak, text) ?? view.identity.withValue(56, from: .reply, text)
  }

  /// Option text, without the NUL padding some clients add.
  static func text(_ bytes: UnsafeRawBufferPointer) -> String {
    var end = bytes.count
    while end > 0 && bytes[end - 1] == 0 { end -= 1 }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
  }

  /// Option 81's domain name: DNS wire format (RFC 4702 §2.3.1) when it parses, else text.
  static func fqdnName(_ bytes: UnsafeRawBufferPointer) -> String {
    var labels: [String] = []
    var i = 0
    while i < bytes.count {
      let n = Int(bytes[i])
      if n == 0 { return labels.joined(separator: ".") }
      guard n < 64, i + 1 + n <= bytes.count else { return text(bytes) }
      labels.append(text(UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(i + 1 + n)])))
      i += 1 + n
    }
    return labels.isEmpty ? text(bytes) : labels.joined(separator: ".")
  }
}

/// One transaction's packets seen the ways the questions need them, built once. Duplicates
/// (the same packet captured twice) are listed but never counted. A class, so the questions
/// and their closures share one view instead of copying its arrays.
final class TransactionView {
  /// In time order; ties in capture order (a pcapng from several interfaces is not in time order).
  let entries: [SequenceEntry]
  let relayAgents: [IPv4Address]
  /// Whether the capture holds the client's own packets, or only a relay's copies of them.
  let clientSideExists: Bool
  /// Whether it holds the servers' own packets, or only the relay's copies to the client.
  let serverSideExists: Bool
  private let firstServerTarget: IPv4Address?
  /// Reply source → Server Identifier, where a server answers from another address than it
  /// names (a multi-homed server): requests to the source count for the identifier.
  private let aliases: [(source: IPv4Address, identifier: IPv4Address)]
  private(set) var servers: [ServerActivity] = []
  let serverIdentifierMismatches: [Finding]
  let identity: TransactionIdentity

  init(_ input: [SequenceEntry], identity: TransactionIdentity = TransactionIdentity()) {
    self.identity = identity
    let entries = input.inTimeOrder()
    self.entries = entries
    relayAgents = entries.relayAgents
    var clientSideExists = false
    var serverSideExists = false
    var firstServerTarget: IPv4Address? = nil
    var aliases: [(source: IPv4Address, identifier: IPv4Address)] = []
    var mismatches: [Finding] = []
    for e in entries where !e.isDuplicate {
      if e.isRequest {
        if e.leg.isClientSide { clientSideExists = true }
        if e.leg == .relayServer && firstServerTarget == nil { firstServerTarget = e.destination }
      }
      guard e.leg.isServerSide else { continue }
      serverSideExists = true
      guard let id = e.serverIdentifier, id != e.source else { continue }
      if !aliases.contains(where: { $0.source == e.source && $0.identifier == id }) {
        aliases.append((e.source, id))
        mismatches.append(.serverIdentifierMismatch(source: e.source, identifier: id))
      }
    }
    self.clientSideExists = clientSideExists
    self.serverSideExists = serverSideExists
    self.firstServerTarget = firstServerTarget
    self.aliases = aliases
    serverIdentifierMismatches = mismatches
    servers = buildServers()
  }

  func isRequest(_ e: SequenceEntry) -> Bool { !e.isDuplicate && e.isRequest }

  /// What the client said: its own packets, or, for a capture taken beside the server only,
  /// the relay's copies to the first server they went to.
  func isClientMessage(_ e: SequenceEntry) -> Bool {
    isRequest(e) && (clientSideExists ? e.leg.isClientSide : e.destination == firstServerTarget)
  }

  /// What the servers said: their own packets, or the relay's copies of them.
  func isServerReply(_ e: SequenceEntry) -> Bool {
    !e.isDuplicate && !e.isRequest && (serverSideExists ? e.leg.isServerSide : e.leg == .relayClient)
  }

  /// A reply's server: its Server Identifier when it has one, else its source (a relay's copy
  /// to the client has only the identifier).
  func replyServer(_ e: SequenceEntry) -> IPv4Address? {
    e.leg == .relayClient ? e.serverIdentifier : e.serverIdentifier ?? e.source
  }

  /// The server a request was sent to, if it was sent to one (relayed, or unicast).
  func requestServer(_ e: SequenceEntry) -> IPv4Address? {
    guard e.leg == .relayServer || (e.leg == .clientServer && e.destination != .broadcast && !e.destination.isZero)
    else { return nil }
    return aliases.first { $0.source == e.destination }?.identifier ?? e.destination
  }

  func phase(ofReply e: SequenceEntry) -> ExchangePhase? { ExchangePhase.of(reply: e.messageType) }

  /// The first request expecting a reply that no reply of its phase followed.
  var firstUnansweredRequest: SequenceEntry? {
    entries.first { e in
      guard isClientMessage(e) || (isRequest(e) && e.leg == .relayServer && !clientSideExists),
        let phase = ExchangePhase.of(request: e.messageType)
      else { return false }
      return !entries.contains {
        !$0.isDuplicate && !$0.isRequest && $0.timestamp >= e.timestamp && phase.isAnswered(by: $0.messageType)
      }
    }
  }

  /// Servers in the order they were first involved, with what each was sent and answered.
  private func buildServers() -> [ServerActivity] {
    var servers: [ServerActivity] = []
    servers.reserveCapacity(4)
    func index(_ a: IPv4Address) -> Int {
      if let i = servers.firstIndex(where: { $0.address == a }) { return i }
      servers.append(ServerActivity(address: a, forwarded: 0, replies: 0))
      return servers.count - 1
    }
    for e in entries where isRequest(e) {
      guard let server = requestServer(e) else { continue }
      let i = index(server)
      servers[i].forwarded += 1
      if servers[i].firstForward == nil { servers[i].firstForward = e.timestamp }
      if let phase = ExchangePhase.of(request: e.messageType) { servers[i].askedPhases |= 1 << UInt8(phase.rawValue) }
    }
    let relayed = !relayAgents.isEmpty
    var clientPhases = PhaseValues<Timestamp?>(nil)
    var clientMessages = 0
    var firstClientMessage: Timestamp? = nil
    for e in entries where isClientMessage(e) {
      clientMessages += 1
      if firstClientMessage == nil { firstClientMessage = e.timestamp }
      if let phase = ExchangePhase.of(request: e.messageType), clientPhases[phase.rawValue] == nil {
        clientPhases[phase.rawValue] = e.timestamp
      }
    }
    // Servers that heard the client's broadcasts rather than requests sent to them.
    var heardBroadcasts: [IPv4Address] = []
    for e in entries where isServerReply(e) {
      guard let server = replyServer(e) else { continue }
      let i = index(server)
      // A direct exchange broadcasts: a server that answered heard each client message.
      if !relayed && servers[i].forwarded == 0 {
        servers[i].forwarded = clientMessages
        servers[i].firstForward = firstClientMessage
        for p in ExchangePhase.allCases where clientPhases[p.rawValue] != nil {
          servers[i].askedPhases |= 1 << UInt8(p.rawValue)
        }
        heardBroadcasts.append(server)
      }
      servers[i].replies += 1
      if servers[i].firstReply == nil { servers[i].firstReply = e.timestamp }
      guard let phase = phase(ofReply: e) else { continue }
      servers[i].answeredPhases |= 1 << UInt8(phase.rawValue)
      // Its response time runs from the first request of the phase it was sent.
      if servers[i].phaseResponseMilliseconds[phase.rawValue] == nil,
        let start = heardBroadcasts.contains(server)
          ? clientPhases[phase.rawValue] : firstRequest(of: phase, to: server)?.timestamp,
        start <= e.timestamp
      {
        servers[i].phaseResponseMilliseconds[phase.rawValue] = e.timestamp.milliseconds(since: start)
      }
    }
    return servers
  }

  /// The first request of `phase` sent to `server`.
  private func firstRequest(of phase: ExchangePhase, to server: IPv4Address) -> SequenceEntry? {
    entries.first {
      isRequest($0) && ExchangePhase.of(request: $0.messageType) == phase && requestServer($0) == server
    }
  }
}

/// A set of flags as bits, in the order `TransactionFlag.allCases` lists them.
struct FlagSet {
  private var bits: UInt32 = 0
  private static let all = TransactionFlag.allCases
  mutating func insert(_ flag: TransactionFlag) { bits |= 1 << UInt32(Self.all.firstIndex(of: flag)!) }
  var inReportOrder: [TransactionFlag] {
    guard bits != 0 else { return [] }
    var flags: [TransactionFlag] = []
    flags.reserveCapacity(bits.nonzeroBitCount)
    for (i, flag) in Self.all.enumerated() where bits & 1 << UInt32(i) != 0 { flags.append(flag) }
    return flags
  }
}

extension Array where Element: Equatable {
  /// Appends `item` unless it is already there, from `start` on (a question that appends to
  /// the findings of others looks only at its own).
  mutating func appendIfAbsent(_ item: Element, searchingFrom start: Int = 0) {
    if !self[start...].contains(item) { append(item) }
  }
}

extension IPv4Address {
  /// The address, or nil for 0.0.0.0.
  var nonZero: IPv4Address? { isZero ? nil : self }
}
