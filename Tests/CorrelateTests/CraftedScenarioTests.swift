import Correlate
import Dissect
import PacketCraft
import Testing

/// Scenarios real software will not produce on demand, made by dhcpscope-gen (Fixtures/crafted)
/// or built here packet by packet.
@Suite struct CraftedScenarioTests {
  let a = addr("198.51.100.2"), b = addr("198.51.100.10")
  let lease = addr("192.0.2.120")

  @Test func sequentialFailover() throws {
    let t = try #require(try analyze("crafted/failover.pcap").first)
    #expect(t.outcome == .bound)
    #expect(t.assignedAddress == lease)
    #expect(t.flags.contains(.failover))
    #expect(t.flags.contains(.serverNoReply))
    #expect(t.flags.contains(.retransmission))
    #expect(t.servers.map(\.address) == [a, b])
    #expect(t.servers[0].forwarded == 2 && !t.servers[0].answered)
    #expect(t.servers[1].answered)
    #expect(t.findings.contains(.failover(from: a, to: b, afterMilliseconds: 6000)))
    #expect(t.timings.serverResponse != nil)
  }

  @Test func retransmissionsAnsweredTwice() throws {
    let t = try #require(try analyze("crafted/retransmissions.pcap").first)
    #expect(t.outcome == .bound)
    #expect(Set(t.flags) == [.retransmission, .duplicateReply, .lateReply])
    #expect(t.findings.contains(.retransmission(type: MessageType.discover, count: 2, secs: [0, 2])))
    #expect(
      t.findings.contains(.duplicateReply(server: IPv4Address("198.51.100.2")!, type: MessageType.offer, count: 2)))
    guard case .lateOffer(let server, let after)? = t.finding("late-offer") else {
      Issue.record("no late-offer finding")
      return
    }
    #expect(server == IPv4Address("198.51.100.2")! && abs(after - 100) < 0.01)
    #expect(t.servers.first?.replies == 3)
    // Timed from the first DISCOVER to the first OFFER the client got.
    #expect(t.timings.discoverToOffer == 2501)
    #expect(t.timings.requestToAck == 201)
  }

  @Test func discoverFloodNeverAnswered() throws {
    let records = try analyze("crafted/discover-flood.pcap", timeout: 10)
    #expect(records.count == 40)
    #expect(records.allSatisfy { $0.kind == .dora && $0.flags.contains(.retransmission) })
    #expect(Set(records.map(\.clientMAC)).count == 40)
    var summary = Summary()
    for r in records { summary.add(r) }
    #expect(summary.outcomes[.bound] == nil)
    #expect(summary.transactions == 40)
  }

  @Test func floodTimesOutWithShortTimeout() throws {
    let records = try analyze("crafted/discover-flood.pcap", timeout: 3)
    #expect(records.count == 120)  // each DISCOVER times out before the next round
    #expect(records.filter { $0.outcome == .timeout }.count == 80)
  }

  @Test func declineAfterDirectDORA() throws {
    let t = try #require(try analyze("crafted/decline.pcap").first)
    #expect(t.kind == .dora)
    #expect(t.outcome == .declined)
    #expect(t.flags.contains(.declined))
    #expect(t.relayAgents.isEmpty)
    #expect(t.sequence.map(\.leg) == [.clientServer, .serverClient, .clientServer, .serverClient, .clientServer])
    #expect(t.servers.first?.address == a)
  }

  @Test func inform() throws {
    let t = try #require(try analyze("crafted/inform.pcap").first)
    #expect(t.kind == .inform)
    #expect(t.outcome == .informed)
    #expect(t.assignedAddress == nil)
    #expect(t.flags.isEmpty)
    #expect(t.timings.total == 4)
  }

  @Test func relayAnomalies() throws {
    let t = try #require(try analyze("crafted/relay-anomaly.pcap").first)
    #expect(t.outcome == .bound)
    #expect(t.flags == [.relayAnomaly])
    #expect(t.finding("relay-hops-not-incremented") != nil)
    #expect(t.finding("option-82-not-removed") != nil)
  }

  @Test func unansweredServerIdentifier() throws {
    let t = try #require(try analyze("crafted/renew-unanswered.pcap").first)
    #expect(t.kind == .request)
    #expect(t.outcome == .incomplete)
    #expect(t.flags.contains(.unansweredServerID))
    #expect(t.flags.contains(.retransmission))
    #expect(t.flags.contains(.serverNoReply))
  }

  @Test func directDORAByHand() throws {
    let s = RelayScenario(xid: 0x0D1E_C7)
    let t = try #require(
      TransactionStream.records(
        of: packets([
          (0, s.clientBroadcast(MessageType.discover)),
          (0.002, s.serverToClient(MessageType.offer, server: a, yiaddr: lease)),
          (0.003, s.clientBroadcast(MessageType.request, requested: lease, server: a)),
          (0.005, s.serverToClient(MessageType.ack, server: a, yiaddr: lease, lease: 7200)),
        ])
      ).first)
    #expect(t.kind == .dora && t.outcome == .bound)
    #expect(t.relayAgents.isEmpty)
    #expect(t.sequence.map(\.leg) == [.clientServer, .serverClient, .clientServer, .serverClient])
    #expect(t.leaseSeconds == 7200)
    #expect(t.timings.discoverToOffer == 2 && t.timings.requestToAck == 2 && t.timings.total == 5)
    #expect(t.timings.relayForward == nil && t.timings.serverResponse == nil)
    #expect(t.servers.map(\.address) == [a])
    let server = try #require(t.servers.first)
    #expect(server.forwarded == 2 && server.replies == 2)
    #expect(server.firstForward == t.sequence[0].timestamp && server.firstReply == t.sequence[1].timestamp)
    #expect(server.askedCount == 2 && server.answeredCount == 2)  // DISCOVER→OFFER, REQUEST→ACK
    #expect(server.phaseResponseMilliseconds[ExchangePhase.offer.rawValue] == 2)
    #expect(server.phaseResponseMilliseconds[ExchangePhase.ack.rawValue] == 2)
  }

  @Test func captureOnAnyCountsAPacketOnce() throws {
    // A relayed DISCOVER captured twice (the `any` device sees it on two interfaces).
    let s = RelayScenario(xid: 0xA11)
    let records = TransactionStream.records(
      of: packets([
        (0, s.clientBroadcast(MessageType.discover, ipID: 5)),
        (0.00001, s.clientBroadcast(MessageType.discover, ipID: 5)),
        (0.001, s.relayToServer(MessageType.discover, server: a)),
        (0.002, s.serverToRelay(MessageType.offer, server: a, yiaddr: lease)),
      ]))
    let t = try #require(records.first)
    #expect(t.sequence.filter(\.isDuplicate).count == 1)
    #expect(!t.flags.contains(.retransmission))
    #expect(t.outcome == .incomplete)
  }

  @Test func timeoutIsMeasuredInCaptureTime() throws {
    let s = RelayScenario(xid: 0x71)
    let only = packets([(0, s.clientBroadcast(MessageType.discover))])
    var stream = TransactionStream(configuration: CorrelatorConfiguration(timeoutSeconds: 10))
    #expect(stream.add(PacketSummary(only[0])).isEmpty)
    #expect(stream.tick(only[0].timestamp.adding(seconds: 9)).isEmpty)  // not yet: 9 + reorder slack
    let fired = stream.tick(only[0].timestamp.adding(seconds: 12.5))
    #expect(fired.map(\.outcome) == [.timeout])
  }

  @Test func trackingCapClosesTheOldestAsIncomplete() throws {
    var frames: [(Double, [UInt8])] = []
    for i in 0..<50 {
      let s = RelayScenario(xid: UInt32(i), clientMAC: [2, 0, 0, 0, 0, UInt8(i)])
      frames.append((Double(i) * 0.001, s.clientBroadcast(MessageType.discover)))
    }
    var stream = TransactionStream(configuration: CorrelatorConfiguration(maximumTracked: 10))
    var records: [TransactionRecord] = []
    for p in packets(frames) { records += stream.add(PacketSummary(p)) }
    #expect(stream.correlator.openCount <= 10)
    records += stream.finish()
    #expect(records.count == 50)
    #expect(stream.correlator.evicted >= 30)
    #expect(records.first?.findings.contains(.evicted(limit: 10)) == true)
  }

  @Test func bootpAndLeasequery() throws {
    let records = try analyze("crafted/bootp-leasequery.pcap")
    #expect(records.map(\.kind) == [.bootp, .leasequery])
    #expect(records[0].outcome == .bound)
    #expect(records[0].assignedAddress == addr("192.0.2.66"))
    #expect(records[1].outcome == .informed)
  }

  @Test func latencyStatistics() {
    var s = LatencyStatistics()
    for v in 1...100 { s.add(Double(v)) }
    #expect(s.count == 100 && s.minimum == 1 && s.maximum == 100)
    let median = s.quantile(0.5)!
    let p95 = s.quantile(0.95)!
    #expect(abs(median - 50) / 50 < 0.02)
    #expect(abs(p95 - 95) / 95 < 0.02)
  }

  /// A server's response times past the exact limit, counted in all its response times and in
  /// its phase's (one bucket worked out for both), read as statistics fed the same samples one
  /// by one.
  @Test func responseTimesPastTheExactLimit() {
    var dissector = PacketDissector()
    let client = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    let server = FrameBuilder(from: "198.51.100.2", 67, to: "255.255.255.255", 68)
    var stream = TransactionStream()
    var summary = Summary()
    var expected = LatencyStatistics()
    func add(_ records: [TransactionRecord]) {
      for r in records {
        summary.add(r)
        for s in r.servers { if let ms = s.responseMilliseconds { expected.add(ms) } }
      }
    }
    let n = LatencyStatistics.exactLimit + 2_000
    for i in 0..<n {
      var discover = BOOTPBuilder(type: MessageType.discover, xid: UInt32(i + 1))
      discover.chaddr = [0x02, 0, UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF), 1]
      var offer = BOOTPBuilder(type: MessageType.offer, xid: UInt32(i + 1), op: 2)
      offer.chaddr = discover.chaddr
      offer.add(54, [198, 51, 100, 2])
      let start = Int64(i) * 50_000_000
      let wait = Int64(100_000 + (i * 7_919) % 900_000_000)
      for (frame, ns) in [(client.frame(discover.build()), start), (server.frame(offer.build()), start + wait)] {
        let t = Timestamp(totalNanoseconds: 1_700_000_000_000_000_000 + ns)
        if case .dhcp(let p) = dissectFrame(frame, at: t, frameNumber: 1, dissector: &dissector) {
          add(stream.add(PacketSummary(p)))
        }
      }
    }
    add(stream.finish())
    let stats = summary.servers.first { $0.address == addr("198.51.100.2") }
    #expect(stats?.responseTimes.count == n && expected.count == n && !expected.isExact)
    for q in [0.01, 0.25, 0.5, 0.9, 0.99] {
      #expect(stats?.responseTimes.quantile(q) == expected.quantile(q), "q \(q)")
      #expect(stats?.phaseTimes[.offer]?.quantile(q) == expected.quantile(q), "offer q \(q)")
    }
  }
}

@Suite struct FloodTests {
  /// A DHCP starvation attack: every DISCOVER from a new MAC and xid. Memory is bounded by the
  /// cap on tracked transactions, and the summary calls it out.
  @Test func starvationFloodStaysWithinTheCap() throws {
    var stream = TransactionStream(configuration: CorrelatorConfiguration(timeoutSeconds: 10, maximumTracked: 500))
    var summary = Summary()
    var dissector = PacketDissector()
    var builder = BOOTPBuilder(type: MessageType.discover)
    let frame = FrameBuilder(from: "0.0.0.0", 68, to: "255.255.255.255", 67)
    var maximumOpen = 0
    for i in 0..<20_000 {
      builder.xid = UInt32(i) &* 2_654_435_761
      builder.chaddr = [0x02, 0xBA, UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF), 0x01]
      let t = Timestamp(seconds: 1_700_000_000 + Int64(i / 1000), nanoseconds: Int32(i % 1000) * 1_000_000)
      guard
        case .dhcp(let p) = dissectFrame(frame.frame(builder.build()), at: t, frameNumber: i + 1, dissector: &dissector)
      else { continue }
      for r in stream.add(PacketSummary(p)) { summary.add(r) }
      maximumOpen = max(maximumOpen, stream.correlator.openCount)
    }
    for r in stream.finish() { summary.add(r) }
    #expect(maximumOpen <= 500)
    #expect(summary.transactions == 20_000)
    #expect(summary.distinctClients == 20_000)
    #expect(summary.outcomes[.bound] == nil)
    #expect(summary.looksLikeStarvation)
    #expect(stream.correlator.evicted > 0)
  }
}
