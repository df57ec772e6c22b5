import Dissect

/// A conclusion about a DHCPv6 transaction, typed with a stable code, as `Finding` is for
/// DHCPv4. docs/output.md lists every code with its rule.
public enum DHCPv6Finding: Sendable, Equatable {
  /// The client sent one message type `count` times in one exchange.
  case retransmission(type: UInt8, count: Int)
  /// A server was sent `requests` requests that expect a reply and answered none.
  case serverNoReply(server: String, requests: Int)
  /// The first server tried never answered; another did, `afterMilliseconds` later.
  case failover(from: String, to: String, afterMilliseconds: Double)
  /// ADVERTISEs from more than one server.
  case multipleAdvertises(servers: [String])
  /// One server sent the same reply type more than once in one exchange.
  case duplicateReply(server: String, type: UInt8, count: Int)
  /// A request that expects a reply waited `waitedMilliseconds` (at least --timeout).
  case timeout(type: UInt8, waitedMilliseconds: Double, timeoutSeconds: Double)
  /// The capture ended `waitedMilliseconds` after an unanswered request: less than --timeout.
  case captureEnded(type: UInt8, waitedMilliseconds: Double)
  /// Every request was answered, but the client went no further (no REQUEST after ADVERTISE).
  case clientStopped(after: UInt8)
  /// A server's reply refused (a Status Code other than Success): NoAddrsAvail, NoBinding,
  /// NotOnLink, UseMulticast, …
  case status(type: UInt8, code: UInt16, name: String, message: String, inIA: Bool)
  /// RFC 8415 §19.1.1, §20.1: a relay's Interface-Id (18) must come back in the Relay-Reply.
  case interfaceIDNotEchoed(relay: String)
  /// A Relay-Reply layer whose hop count, link and peer address match no Relay-Forward layer
  /// of the transaction: the server did not copy them.
  case relayReplyMismatch(hopCount: Int, linkAddress: String, peerAddress: String)
  /// RFC 8415 §7.6: HOP_COUNT_LIMIT is 8; a relay must not forward a message with hop-count 8
  /// or more.
  case hopCountLimit(relay: String, hopCount: Int)
  /// A Relay-Reply for the client-facing relay with link-address :: and no Interface-Id: the
  /// relay cannot tell on which link to send the reply.
  case relayReplyWithoutLink(peerAddress: String)
  /// The server sent its Relay-Reply to another address than the Relay-Forward came from.
  case replyToOtherAddress(expected: String, actual: String)
  /// An ADVERTISE reached the client `afterMilliseconds` after it had sent its REQUEST.
  case lateAdvertise(server: String, afterMilliseconds: Double)
  /// Closed early by the cap on transactions tracked at once.
  case evicted(limit: Int)

  public var code: String {
    switch self {
    case .retransmission: return "retransmission"
    case .serverNoReply: return "server-no-reply"
    case .failover: return "failover"
    case .multipleAdvertises: return "multiple-offers"
    case .duplicateReply: return "duplicate-reply"
    case .timeout: return "timeout"
    case .captureEnded: return "capture-ended"
    case .clientStopped: return "client-stopped"
    case .status: return "status-code"
    case .interfaceIDNotEchoed: return "interface-id-not-echoed"
    case .relayReplyMismatch: return "relay-reply-mismatch"
    case .hopCountLimit: return "hop-count-limit"
    case .relayReplyWithoutLink: return "relay-reply-without-link"
    case .replyToOtherAddress: return "reply-to-other-address"
    case .lateAdvertise: return "late-offer"
    case .evicted: return "evicted"
    }
  }

  public var flag: TransactionFlag? {
    switch self {
    case .retransmission: return .retransmission
    case .serverNoReply: return .serverNoReply
    case .failover: return .failover
    case .multipleAdvertises: return .multipleOffers
    case .duplicateReply: return .duplicateReply
    case .timeout: return .timeout
    case .captureEnded, .evicted, .clientStopped: return .incomplete
    case .interfaceIDNotEchoed, .relayReplyMismatch, .hopCountLimit, .relayReplyWithoutLink, .replyToOtherAddress:
      return .relayAnomaly
    case .lateAdvertise: return .lateReply
    case .status: return nil
    }
  }

  public var severity: Finding.Severity {
    switch self {
    case .retransmission, .multipleAdvertises, .duplicateReply, .captureEnded, .evicted, .clientStopped,
      .lateAdvertise:
      return .note
    default: return .problem
    }
  }

  public var parameters: [(key: String, value: FindingValue)] {
    func type(_ t: UInt8) -> FindingValue { .text(DHCPv6MessageType.name(t)) }
    switch self {
    case .retransmission(let t, let count): return [("type", type(t)), ("count", .int(count))]
    case .serverNoReply(let server, let requests): return [("server", .text(server)), ("requests", .int(requests))]
    case .failover(let from, let to, let after):
      return [("from", .text(from)), ("to", .text(to)), ("after_ms", .milliseconds(after))]
    case .multipleAdvertises(let servers): return [("servers", .texts(servers))]
    case .duplicateReply(let server, let t, let count):
      return [("server", .text(server)), ("type", type(t)), ("count", .int(count))]
    case .timeout(let t, let waited, let timeout):
      return [("type", type(t)), ("waited_ms", .milliseconds(waited)), ("timeout_s", .seconds(timeout))]
    case .captureEnded(let t, let waited): return [("type", type(t)), ("waited_ms", .milliseconds(waited))]
    case .clientStopped(let after): return [("after", type(after))]
    case .status(let t, let code, let name, let message, let inIA):
      return [
        ("type", type(t)), ("status", .int(Int(code))), ("name", .text(name)), ("message", .text(message)),
        ("in_ia", .int(inIA ? 1 : 0)),
      ]
    case .interfaceIDNotEchoed(let relay): return [("relay", .text(relay))]
    case .relayReplyMismatch(let hop, let link, let peer):
      return [("hop_count", .int(hop)), ("link_address", .text(link)), ("peer_address", .text(peer))]
    case .hopCountLimit(let relay, let hop): return [("relay", .text(relay)), ("hop_count", .int(hop))]
    case .relayReplyWithoutLink(let peer): return [("peer_address", .text(peer))]
    case .replyToOtherAddress(let expected, let actual):
      return [("expected", .text(expected)), ("actual", .text(actual))]
    case .lateAdvertise(let server, let after):
      return [("server", .text(server)), ("after_request_ms", .milliseconds(after))]
    case .evicted(let limit): return [("limit", .int(limit))]
    }
  }
}

/// One hop of one DHCPv6 packet in a transaction's sequence.
public struct DHCPv6SequenceEntry: Sendable {
  public var frame: Int
  public var fileIndex: Int
  public var timestamp: Timestamp
  public var messageType: UInt8
  public var xid: UInt32
  public var leg: Leg
  public var source: IPv6Address
  public var destination: IPv6Address
  /// How many relay layers wrapped it on this hop.
  public var relayLayers: Int
  public var isDuplicate: Bool
  /// ADVERTISE or REPLY: on its way back to the client.
  public var isReply: Bool {
    messageType == DHCPv6MessageType.advertise || messageType == DHCPv6MessageType.reply
  }
  /// Since the same message's previous hop (a relay's forwarding or return time, or the
  /// server's response time for the first hop of a reply); nil for the client's own.
  public var hopMilliseconds: Double?
}

/// One server's part in a DHCPv6 transaction: named by its DUID once it answered.
public struct DHCPv6ServerActivity: Sendable {
  public var duid: [UInt8]?
  /// Where it was sent requests, or answered from.
  public var addresses: [IPv6Address]
  public var forwarded: Int
  public var replies: Int
  /// Exchanges in which it was sent a request that expects a reply, and those it answered.
  public var asked: Int
  public var answered: Int
  /// From the first request sent to it to its first reply.
  public var responseMilliseconds: Double?
  /// Its DUID in hex, or its first address: how reports name it.
  public var label: String { duid.map { Hex.colonSeparated($0) } ?? addresses.first?.description ?? "?" }
}

/// A finished DHCPv6 transaction: what the reports print about it.
public struct DHCPv6TransactionRecord: Sendable {
  /// The first exchange's transaction id.
  public var xid: UInt32
  public var clientDUID: [UInt8]?
  public var clientMAC: HardwareAddress?
  public var kind: TransactionKind
  public var outcome: Outcome
  public var assignedAddresses: [DHCPv6Lease]
  public var delegatedPrefixes: [DHCPv6Lease]
  /// The final reply's refusal, if it refused.
  public var status: DHCPv6Status?
  /// Each relay, from the client's side: its link-address, or its own address where the
  /// link-address is ::.
  public var relayAgents: [IPv6Address]
  public var servers: [DHCPv6ServerActivity]
  public var sequence: [DHCPv6SequenceEntry]
  public var flags: [TransactionFlag]
  public var timings: Timings
  public var findings: [DHCPv6Finding]
  public var firstSeen: Timestamp
  public var lastSeen: Timestamp
  public var captureStart: Timestamp
  public var hasProblem: Bool { findings.contains { $0.severity == .problem } }
  public func finding(_ code: String) -> DHCPv6Finding? { findings.first { $0.code == code } }
}

/// Turns a closed DHCPv6 transaction's sightings into its record: legs, servers, relays,
/// outcome, timings and findings, one function per question.
enum DHCPv6Analysis {
  static func analyze(
    _ unsorted: [DHCPv6Sighting], observedUntil: Timestamp, timeoutSeconds: Double, evictedAt: Int?,
    captureStart: Timestamp
  ) -> DHCPv6TransactionRecord {
    let sightings = unsorted.inTimeOrder()
    let sequence = legs(sightings)
    let clientDUID = sightings.lazy.compactMap(\.clientDUID).first
    let kind = kindOf(sightings)
    var findings: [DHCPv6Finding] = []
    findings += retransmissions(sightings, sequence)
    let servers = serverActivity(sightings, sequence)
    findings += serverFindings(servers, sightings, sequence)
    findings += duplicateReplies(sightings, sequence, servers)
    findings += lateAdvertises(sightings, sequence, servers)
    findings += relayChecks(sightings, sequence)
    let (outcome, status, closing) = outcomeOf(
      kind, sightings, sequence, observedUntil: observedUntil, timeoutSeconds: timeoutSeconds)
    findings += closing
    if let evictedAt { findings.append(.evicted(limit: evictedAt)) }
    let final =
      sightings.last { $0.messageType == DHCPv6MessageType.reply && $0.layers.isEmpty }
      ?? sightings.last { $0.messageType == DHCPv6MessageType.reply }
    var flags: [TransactionFlag] = []
    for f in findings { if let flag = f.flag, !flags.contains(flag) { flags.append(flag) } }
    flags = TransactionFlag.allCases.filter(flags.contains)
    return DHCPv6TransactionRecord(
      xid: sightings.first { $0.isFromClient }?.xid ?? sightings[0].xid, clientDUID: clientDUID,
      clientMAC: clientDUID.flatMap(DHCPv6Sighting.mac(fromDUID:))
        ?? sightings.first { $0.isFromClient && $0.layers.isEmpty }?.sourceMAC.map(HardwareAddress.init(ethernet:)),
      kind: kind, outcome: outcome,
      assignedAddresses: outcome == .bound || outcome == .declined ? final?.addresses ?? [] : [],
      delegatedPrefixes: outcome == .bound ? final?.prefixes ?? [] : [], status: status,
      relayAgents: relayAgents(sightings), servers: servers, sequence: sequence, flags: flags,
      timings: timings(sightings, sequence), findings: findings, firstSeen: sightings[0].timestamp,
      lastSeen: sightings[sightings.count - 1].timestamp, captureStart: captureStart)
  }

  /// A packet's hop follows from its relay layers: the most layers a message had on its way
  /// to the servers marks the relay→server hop, fewer a relay→relay hop, none the client's;
  /// replies the same way back.
  static func legs(_ sightings: [DHCPv6Sighting]) -> [DHCPv6SequenceEntry] {
    let mostForward = sightings.filter(\.isFromClient).map(\.layers.count).max() ?? 0
    let mostReply = sightings.filter(\.isReply).map(\.layers.count).max() ?? 0
    let relayed = mostForward > 0 || mostReply > 0
    var entries: [DHCPv6SequenceEntry] = []
    for s in sightings {
      let n = s.layers.count
      let leg: Leg
      if s.isFromClient {
        leg = n == 0 ? (relayed ? .clientRelay : .clientServer) : n == mostForward ? .relayServer : .relayRelay
      } else {
        leg = n == 0 ? (relayed ? .relayClient : .serverClient) : n == mostReply ? .serverRelay : .relayRelay
      }
      // A copy of the same hop (the same packet at another interface or capture point): the
      // same message from the same server, between the same addresses, moments apart.
      let isDuplicate = entries.indices.contains { j in
        let e = entries[j]
        return e.messageType == s.messageType && e.xid == s.xid && e.relayLayers == n && e.source == s.source
          && e.destination == s.destination && sightings[j].serverDUID == s.serverDUID
          && sightings[j].layers == s.layers && abs(s.timestamp.milliseconds(since: e.timestamp)) < 50
      }
      // The previous hop: the same request one layer in, the same reply one layer out, or, for
      // a reply's first hop, the request it answers at the servers' side.
      var previous: DHCPv6SequenceEntry?
      if !isDuplicate {
        if s.isFromClient, n > 0 {
          previous = entries.last {
            $0.xid == s.xid && $0.messageType == s.messageType && $0.relayLayers == n - 1 && !$0.isDuplicate
          }
        } else if s.isReply {
          previous =
            n == mostReply
            ? entries.last {
              $0.xid == s.xid && $0.leg == (relayed ? .relayServer : .clientServer) && !$0.isDuplicate
                && ($0.destination == s.source || $0.destination.isMulticast)
            }
            : entries.last {
              $0.xid == s.xid && $0.messageType == s.messageType && $0.relayLayers == n + 1 && !$0.isDuplicate
            }
        }
      }
      entries.append(
        DHCPv6SequenceEntry(
          frame: s.frame, fileIndex: s.fileIndex, timestamp: s.timestamp, messageType: s.messageType, xid: s.xid,
          leg: leg, source: s.source, destination: s.destination, relayLayers: n, isDuplicate: isDuplicate,
          hopMilliseconds: previous.map { s.timestamp.milliseconds(since: $0.timestamp) }))
    }
    return entries
  }

  static func kindOf(_ sightings: [DHCPv6Sighting]) -> TransactionKind {
    guard let first = sightings.first(where: \.isFromClient) else { return .sarr }
    switch first.messageType {
    case DHCPv6MessageType.solicit:
      let answeredAtOnce = sightings.contains {
        $0.messageType == DHCPv6MessageType.reply && $0.xid == first.xid && $0.rapidCommit
      }
      return answeredAtOnce ? .rapid : .sarr
    case DHCPv6MessageType.request: return .sarr
    case DHCPv6MessageType.renew: return .renew
    case DHCPv6MessageType.rebind: return .rebind
    case DHCPv6MessageType.release: return .release
    case DHCPv6MessageType.decline: return .decline
    case DHCPv6MessageType.confirm: return .confirm
    default: return .informationRequest
    }
  }

  /// The client's own copies (before any relay) of each message type, per exchange.
  static func retransmissions(_ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry]) -> [DHCPv6Finding] {
    var counts: [(type: UInt8, xid: UInt32, count: Int)] = []
    for (i, e) in seq.enumerated() where s[i].isFromClient && e.relayLayers == 0 && !e.isDuplicate {
      if let j = counts.firstIndex(where: { $0.type == e.messageType && $0.xid == e.xid }) {
        counts[j].count += 1
      } else {
        counts.append((e.messageType, e.xid, 1))
      }
    }
    return counts.filter { $0.count > 1 }.map { .retransmission(type: $0.type, count: $0.count) }
  }

  /// Servers by DUID once they answered; by the address requests went to before that.
  static func serverActivity(_ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry]) -> [DHCPv6ServerActivity] {
    var servers: [DHCPv6ServerActivity] = []
    var firstRequest: [Int: Timestamp] = [:]
    func index(address: IPv6Address, duid: [UInt8]?) -> Int {
      if let duid, let i = servers.firstIndex(where: { $0.duid == duid }) {
        if !servers[i].addresses.contains(address) { servers[i].addresses.append(address) }
        return i
      }
      if let i = servers.firstIndex(where: { $0.addresses.contains(address) && ($0.duid == nil || duid == nil) }) {
        if servers[i].duid == nil { servers[i].duid = duid }
        return i
      }
      servers.append(
        DHCPv6ServerActivity(
          duid: duid, addresses: [address], forwarded: 0, replies: 0, asked: 0, answered: 0, responseMilliseconds: nil))
      return servers.count - 1
    }
    // Replies first, so a server's address is tied to its DUID before requests are counted.
    for (i, e) in seq.enumerated() where !e.isDuplicate && (e.leg == .serverRelay || e.leg == .serverClient) {
      _ = index(address: e.source, duid: s[i].serverDUID)
    }
    var askedXIDs: [Int: Set<UInt32>] = [:]
    var answeredXIDs: [Int: Set<UInt32>] = [:]
    for (i, e) in seq.enumerated() where !e.isDuplicate {
      if e.leg == .relayServer || e.leg == .clientServer {
        // Sent to All_DHCP_Relay_Agents_and_Servers (or another group): it reached whichever
        // servers answered, counted below.
        guard !e.destination.isMulticast else { continue }
        let k = index(address: e.destination, duid: nil)
        servers[k].forwarded += 1
        if firstRequest[k] == nil { firstRequest[k] = e.timestamp }
        // A message naming another server (a REQUEST's Server Identifier) is not this one's to
        // answer: RFC 8415 §16 has servers discard it.
        let named = s[i].serverDUID
        if expectsReply(e.messageType), named == nil || servers[k].duid == nil || named == servers[k].duid {
          askedXIDs[k, default: []].insert(e.xid)
        }
      } else if e.leg == .serverRelay || e.leg == .serverClient {
        let k = index(address: e.source, duid: s[i].serverDUID)
        servers[k].replies += 1
        answeredXIDs[k, default: []].insert(e.xid)
        if servers[k].responseMilliseconds == nil, let f = firstRequest[k] {
          servers[k].responseMilliseconds = e.timestamp.milliseconds(since: f)
        }
      }
    }
    for (i, e) in seq.enumerated()
    where !e.isDuplicate && e.leg == .clientServer && e.destination.isMulticast && expectsReply(e.messageType) {
      for k in servers.indices where answeredXIDs[k]?.contains(e.xid) == true {
        servers[k].forwarded += 1
        if firstRequest[k] == nil || e.timestamp < firstRequest[k]! { firstRequest[k] = e.timestamp }
        if s[i].serverDUID == nil || s[i].serverDUID == servers[k].duid { askedXIDs[k, default: []].insert(e.xid) }
      }
    }
    for k in servers.indices {
      let asked = askedXIDs[k] ?? []
      servers[k].asked = asked.count
      servers[k].answered = asked.intersection(answeredXIDs[k] ?? []).count
    }
    return servers
  }

  static func expectsReply(_ type: UInt8) -> Bool { DHCPv6Sighting.clientTypes.contains(type) }

  static func serverFindings(_ servers: [DHCPv6ServerActivity], _ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry])
    -> [DHCPv6Finding]
  {
    var findings: [DHCPv6Finding] = []
    let silent = servers.filter { $0.forwarded > 0 && $0.replies == 0 && $0.asked > 0 }
    for server in silent { findings.append(.serverNoReply(server: server.label, requests: server.forwarded)) }
    if let first = silent.first, let to = servers.first(where: { $0.replies > 0 }),
      let firstSent = seq.first(where: {
        ($0.leg == .relayServer || $0.leg == .clientServer) && first.addresses.contains($0.destination)
      }),
      let toSent = seq.first(where: {
        ($0.leg == .relayServer || $0.leg == .clientServer) && to.addresses.contains($0.destination)
      }),
      toSent.timestamp > firstSent.timestamp
    {
      findings.append(
        .failover(
          from: first.label, to: to.label, afterMilliseconds: toSent.timestamp.milliseconds(since: firstSent.timestamp))
      )
    }
    let advertisers = servers.filter { server in
      s.contains {
        $0.messageType == DHCPv6MessageType.advertise && $0.serverDUID != nil && $0.serverDUID == server.duid
      }
    }
    if advertisers.count > 1 { findings.append(.multipleAdvertises(servers: advertisers.map(\.label))) }
    return findings
  }

  /// The same reply type from one server more than once in one exchange, at the server's hop.
  static func duplicateReplies(
    _ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry], _ servers: [DHCPv6ServerActivity]
  ) -> [DHCPv6Finding] {
    var counts: [(server: String, type: UInt8, xid: UInt32, count: Int)] = []
    for (i, e) in seq.enumerated() where !e.isDuplicate && (e.leg == .serverRelay || e.leg == .serverClient) {
      let server = servers.first { s[i].serverDUID != nil && $0.duid == s[i].serverDUID }?.label ?? e.source.description
      if let j = counts.firstIndex(where: { $0.server == server && $0.type == e.messageType && $0.xid == e.xid }) {
        counts[j].count += 1
      } else {
        counts.append((server, e.messageType, e.xid, 1))
      }
    }
    return counts.filter { $0.count > 1 }.map { .duplicateReply(server: $0.server, type: $0.type, count: $0.count) }
  }

  /// An ADVERTISE that reached the client after it had already sent its REQUEST.
  static func lateAdvertises(
    _ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry], _ servers: [DHCPv6ServerActivity]
  ) -> [DHCPv6Finding] {
    guard
      let request = seq.first(where: {
        ($0.leg == .clientRelay || $0.leg == .clientServer) && $0.messageType == DHCPv6MessageType.request
      })
    else { return [] }
    return seq.indices.compactMap { i in
      let e = seq[i]
      guard e.messageType == DHCPv6MessageType.advertise, e.leg == .relayClient || e.leg == .serverClient,
        !e.isDuplicate, e.timestamp > request.timestamp
      else { return nil }
      let server = servers.first { s[i].serverDUID != nil && $0.duid == s[i].serverDUID }?.label ?? "?"
      return .lateAdvertise(server: server, afterMilliseconds: e.timestamp.milliseconds(since: request.timestamp))
    }
  }

  /// Each relay from the client's side: its link-address, or, where that is ::, its own
  /// address (the packet's source for the outermost layer, the next layer's peer-address for
  /// the others).
  static func relayAgents(_ s: [DHCPv6Sighting]) -> [IPv6Address] {
    guard let deepest = s.filter(\.isFromClient).max(by: { $0.layers.count < $1.layers.count }),
      !deepest.layers.isEmpty
    else {
      guard let reply = s.filter(\.isReply).max(by: { $0.layers.count < $1.layers.count }), !reply.layers.isEmpty
      else { return [] }
      return reply.layers.reversed().map(\.linkAddress)
    }
    var agents: [IPv6Address] = []
    for (i, layer) in deepest.layers.enumerated().reversed() {
      let own = i == 0 ? deepest.source : deepest.layers[i - 1].peerAddress
      agents.append(layer.linkAddress.isZero ? own : layer.linkAddress)
    }
    return agents
  }

  /// RFC 8415 §19, §20: what relays and servers must copy, echo and respect.
  static func relayChecks(_ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry]) -> [DHCPv6Finding] {
    var findings: [DHCPv6Finding] = []
    let forwards = s.filter { $0.isFromClient && !$0.layers.isEmpty }
    let replies = s.filter { $0.isReply && !$0.layers.isEmpty }
    let forwardLayers = forwards.flatMap(\.layers)
    func add(_ f: DHCPv6Finding) { if !findings.contains(f) { findings.append(f) } }
    for layer in forwardLayers where layer.hopCount >= 8 {
      add(.hopCountLimit(relay: layer.linkAddress.description, hopCount: Int(layer.hopCount)))
    }
    for reply in replies {
      for (i, layer) in reply.layers.enumerated() {
        let match = forwardLayers.first {
          $0.hopCount == layer.hopCount && $0.linkAddress == layer.linkAddress && $0.peerAddress == layer.peerAddress
        }
        if let match {
          if let id = match.interfaceID, layer.interfaceID != id {
            add(
              .interfaceIDNotEchoed(
                relay: layer.linkAddress.isZero ? layer.peerAddress.description : layer.linkAddress.description))
          }
        } else if !forwardLayers.isEmpty {
          add(
            .relayReplyMismatch(
              hopCount: Int(layer.hopCount), linkAddress: layer.linkAddress.description,
              peerAddress: layer.peerAddress.description))
        }
        // The innermost layer is the client-facing relay's.
        if i == reply.layers.count - 1, layer.linkAddress.isZero, layer.interfaceID == nil {
          add(.relayReplyWithoutLink(peerAddress: layer.peerAddress.description))
        }
      }
      // The server answers the address the outermost Relay-Forward to it came from.
      if let forward = forwards.first(where: {
        $0.xid == reply.xid && $0.layers.count == reply.layers.count && $0.destination == reply.source
      }),
        reply.destination != forward.source, !reply.destination.isMulticast
      {
        add(.replyToOtherAddress(expected: forward.source.description, actual: reply.destination.description))
      }
    }
    return findings
  }

  /// The outcome, the refusal that decided it (if any), and the findings about how the
  /// transaction ended.
  static func outcomeOf(
    _ kind: TransactionKind, _ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry], observedUntil: Timestamp,
    timeoutSeconds: Double
  ) -> (Outcome, DHCPv6Status?, [DHCPv6Finding]) {
    var findings: [DHCPv6Finding] = []
    // Every exchange's first request, and whether anything answered it.
    var unanswered: (type: UInt8, at: Timestamp)?
    var exchanges: [UInt32] = []
    for x in s where x.isFromClient && !exchanges.contains(x.xid) { exchanges.append(x.xid) }
    for xid in exchanges {
      guard let request = s.first(where: { $0.isFromClient && $0.xid == xid }) else { continue }
      let answered = s.contains { $0.isReply && $0.xid == xid }
      if !answered, unanswered == nil { unanswered = (request.messageType, request.timestamp) }
    }
    let final =
      s.last { $0.messageType == DHCPv6MessageType.reply && $0.layers.isEmpty }
      ?? s.last { $0.messageType == DHCPv6MessageType.reply }
    if let final {
      let refusal = final.status.flatMap { $0.isSuccess ? nil : $0 }
      if let refusal {
        findings.append(
          .status(
            type: final.messageType, code: refusal.code, name: refusal.name, message: refusal.message, inIA: false))
        return (.failed, refusal, findings)
      }
      switch kind {
      case .release: return (.released, nil, findings)
      case .decline: return (.declined, nil, findings)
      case .informationRequest: return (.informed, nil, findings)
      case .confirm: return (.bound, nil, findings)
      default:
        if final.addresses.isEmpty && final.prefixes.isEmpty {
          let why = final.iaStatus ?? DHCPv6Status(code: 2, message: "")
          findings.append(
            .status(type: final.messageType, code: why.code, name: why.name, message: why.message, inIA: true))
          return (.failed, why, findings)
        }
        return (.bound, nil, findings)
      }
    }
    if let unanswered {
      let waited = observedUntil.milliseconds(since: unanswered.at)
      if waited >= timeoutSeconds * 1000 {
        findings.append(.timeout(type: unanswered.type, waitedMilliseconds: waited, timeoutSeconds: timeoutSeconds))
        return (.timeout, nil, findings)
      }
      findings.append(.captureEnded(type: unanswered.type, waitedMilliseconds: waited))
      return (.incomplete, nil, findings)
    }
    // Advertised, and the client asked for nothing more.
    if let advertise = s.last(where: { $0.messageType == DHCPv6MessageType.advertise }) {
      if let refusal = advertise.status.flatMap({ $0.isSuccess ? nil : $0 })
        ?? (advertise.addresses.isEmpty && advertise.prefixes.isEmpty ? advertise.iaStatus : nil)
      {
        findings.append(
          .status(
            type: advertise.messageType, code: refusal.code, name: refusal.name, message: refusal.message,
            inIA: advertise.status == nil))
        return (.failed, refusal, findings)
      }
      findings.append(.clientStopped(after: advertise.messageType))
    }
    return (.incomplete, nil, findings)
  }

  /// The contract's timings, for DHCPv6: SOLICIT→ADVERTISE (`discover_to_offer`),
  /// REQUEST→REPLY (`request_to_ack`), and the first exchange's hops.
  static func timings(_ s: [DHCPv6Sighting], _ seq: [DHCPv6SequenceEntry]) -> Timings {
    var t = Timings()
    func first(_ type: UInt8, _ legs: [Leg]) -> DHCPv6SequenceEntry? {
      seq.first { $0.messageType == type && legs.contains($0.leg) }
    }
    let toClient: [Leg] = [.relayClient, .serverClient]
    let fromClient: [Leg] = [.clientRelay, .clientServer]
    if let solicit = first(DHCPv6MessageType.solicit, fromClient),
      let advertise = first(DHCPv6MessageType.advertise, toClient)
    {
      t.discoverToOffer = advertise.timestamp.milliseconds(since: solicit.timestamp)
    }
    if let request = seq.first(where: { fromClient.contains($0.leg) && $0.messageType != DHCPv6MessageType.solicit }),
      let reply = seq.first(where: {
        toClient.contains($0.leg) && $0.messageType == DHCPv6MessageType.reply && $0.xid == request.xid
      })
    {
      t.requestToAck = reply.timestamp.milliseconds(since: request.timestamp)
    }
    if let start = seq.first(where: { fromClient.contains($0.leg) }),
      let end = seq.last(where: { toClient.contains($0.leg) && $0.messageType == DHCPv6MessageType.reply })
    {
      t.total = end.timestamp.milliseconds(since: start.timestamp)
    }
    // The first exchange's hops: client to the servers' side, the server, and back.
    if let c = seq.first(where: { fromClient.contains($0.leg) }) {
      let forward = seq.first { $0.leg == .relayServer && $0.xid == c.xid }
      let response = seq.first { $0.leg == .serverRelay && $0.xid == c.xid }
      let back = seq.first { $0.leg == .relayClient && $0.xid == c.xid }
      if let forward { t.relayForward = forward.timestamp.milliseconds(since: c.timestamp) }
      if let forward, let response { t.serverResponse = response.timestamp.milliseconds(since: forward.timestamp) }
      if let response, let back { t.relayReturn = back.timestamp.milliseconds(since: response.timestamp) }
    }
    return t
  }
}
