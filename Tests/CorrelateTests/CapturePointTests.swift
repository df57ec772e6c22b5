import Correlate
import Dissect
import Pipeline
import Testing

/// Several capture points of one lab run (Fixtures/points): the client's segment as
/// captured, server1's capture with its clock made 2.5 s ahead and server2's 1.25 s behind
/// (`editcap -t`). The offsets are estimated from the DHCP traffic and taken out.
@Suite struct CapturePointTests {
  func clocks(_ names: String...) -> [ClockAlignment.FileClock] {
    ClockAlignment.estimate(names.map { "\(fixtures)/points/\($0)" }, filter: nil)
  }

  func milliseconds(_ clock: ClockAlignment.FileClock) -> Double? { clock.offsetNanoseconds.map { Double($0) / 1e6 } }

  @Test func offsetsLandWithinAMillisecondOfTheShift() throws {
    for scenario in ["single", "first-down", "no-server"] {
      let c = clocks("\(scenario)-client.pcap", "\(scenario)-server1-ahead.pcap")
      let ahead = try #require(milliseconds(c[1]), "\(scenario)")
      #expect(abs(ahead - 2500) < 1, "\(scenario): \(ahead) ms")
      #expect(c[1].matchedMessages >= 2)
      #expect(milliseconds(c[0]) == 0)
    }
    // Both sides bound the offset where replies match too: the uncertainty is small.
    let single = clocks("single-client.pcap", "single-server1-ahead.pcap")
    #expect(single[1].uncertaintyNanoseconds.map { $0 < 1_000_000 } == true)
    // A clock behind, and the reference on the server's side: the sign follows.
    let behind = clocks("first-down-client.pcap", "first-down-server2-behind.pcap")
    #expect(milliseconds(behind[1]).map { abs($0 + 1250) < 1 } == true, "\(behind[1])")
    let reversed = clocks("single-server1-ahead.pcap", "single-client.pcap")
    #expect(milliseconds(reversed[1]).map { abs($0 + 2500) < 1 } == true, "\(reversed[1])")
  }

  /// Aligned, the points make one transaction: the client's legs and the server's, in order,
  /// with the failover or the timeout as a single capture would show them.
  @Test func onePointsRunIsOneTransaction() throws {
    let single = try analyze("points/single-client.pcap", "points/single-server1-ahead.pcap")
    try #require(single.count == 1)
    #expect(single[0].outcome == .bound)
    #expect(
      single[0].sequence.map(\.leg) == [
        .clientRelay, .relayServer, .serverRelay, .relayClient, .clientRelay, .relayServer, .serverRelay, .relayClient,
      ])
    #expect(single[0].timings.serverResponse.map { $0 < 1100 } == true)

    let firstDown = try analyze(
      "points/first-down-client.pcap", "points/first-down-server1-ahead.pcap", "points/first-down-server2-behind.pcap")
    let dora = try #require(firstDown.first { $0.kind == .dora })
    #expect(dora.outcome == .bound)
    #expect(dora.findings.contains(.serverNoReply(server: addr("198.51.100.2"), requests: 2)))
    #expect(dora.finding("icmp-unreachable") != nil)

    let noServer = try analyze("points/no-server-client.pcap", "points/no-server-server1-ahead.pcap", timeout: 3)
    #expect(noServer.contains { $0.outcome == .timeout && $0.sequence.contains { $0.leg == .relayServer } })

    // Without alignment the server's legs fall 2.5 s late: the relay forward is not paired.
    let unaligned = try FileAnalysis.records(
      of: ["\(fixtures)/points/single-client.pcap", "\(fixtures)/points/single-server1-ahead.pcap"], align: false)
    #expect(unaligned.first?.timings.relayForward.map { $0 > 2000 } ?? true)
  }

  /// Files with nothing in common are analysed as they are, with no offset.
  @Test func filesWithNothingInCommon() throws {
    let c = clocks("single-client.pcap", "no-server-server1-ahead.pcap")
    #expect(c[1].offsetNanoseconds == nil && c[1].matchedMessages == 0)
    let records = try analyze("points/single-client.pcap", "points/no-server-server1-ahead.pcap")
    #expect(records.count == 2)
  }

  /// A clock hours off still aligns: messages are matched by what they say, not when.
  @Test func aClockHoursOffStillAligns() throws {
    let c = clocks("single-client.pcap", "single-server1-hours-ahead.pcap")
    #expect(milliseconds(c[1]).map { abs($0 - 10_802_500) < 1 } == true, "\(c[1])")
    #expect(try analyze("points/single-client.pcap", "points/single-server1-hours-ahead.pcap").count == 1)
  }

  /// The OFFER the server sent never reached the client's segment (removed from the client's
  /// capture with editcap): the finding says where it was last seen and where it went missing.
  @Test func aLostOfferIsPlaced() throws {
    let records = try analyze("points/single-client-offer-lost.pcap", "points/single-server1-ahead.pcap")
    let t = try #require(records.first)
    #expect(t.findings.contains(.lostBetweenPoints(type: MessageType.offer, isRequest: false, seenAt: 1, missingAt: 0)))
    #expect(t.finding("lost-between-points")?.severity == .problem)
    // Healthy runs seen from several points have no such finding.
    for scenario in ["single", "first-down", "no-server"] {
      let names = ["client", "server1-ahead"].map { "points/\(scenario)-\($0).pcap" }
      #expect(
        try FileAnalysis.records(of: names.map(fixturePath)).allSatisfy { $0.finding("lost-between-points") == nil })
    }
  }
}
