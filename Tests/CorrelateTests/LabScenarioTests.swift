import Correlate
import Dissect
import Testing

/// Scenarios recorded from real ISC dhcpd, dhcrelay, dhclient, dnsmasq and Kea (Fixtures/lab).
@Suite struct LabScenarioTests {
  /// ISC dhcpd's relayed DORA and Kea's: the same eight packets, whatever the server.
  @Test(arguments: [
    ("single", "single-any.pcap"), ("single", "single-multi.pcapng"), ("kea", "kea-any.pcap"),
    ("kea", "kea-multi.pcapng"),
  ])
  func cleanRelayedDORA(scenario: String, file: String) throws {
    let lab = try labResult(scenario)
    let records = try analyze(file)
    #expect(records.count == 1)
    let t = try #require(records.first)
    #expect(t.kind == .dora)
    #expect(t.outcome == .bound)
    #expect(t.assignedAddress?.description == lab["LEASED_ADDRESS"])
    #expect(t.leaseSeconds == 600)
    #expect(t.relayAgents == [addr("192.0.2.1")])
    #expect(t.servers.map(\.address.description) == [lab["SERVER_ID"]!])
    #expect(t.servers.first?.forwarded == 2 && t.servers.first?.replies == 2)
    #expect(t.flags.isEmpty && t.findings.isEmpty)
    #expect(t.clientMAC.description == "02:00:00:00:c0:01")
    #expect(t.client.hostName == "lab-client")
    #expect(
      t.sequence.map(\.leg.rawValue) == [
        "client-relay", "relay-server", "server-relay", "relay-client",
        "client-relay", "relay-server", "server-relay", "relay-client",
      ])
    #expect(
      t.sequence.map(\.typeName) == ["DISCOVER", "DISCOVER", "OFFER", "OFFER", "REQUEST", "REQUEST", "ACK", "ACK"])
    // Timings add up: the legs of the DISCOVER, and the ends of the exchange.
    let seq = t.sequence
    let tim = t.timings
    #expect(tim.relayForward == seq[1].timestamp.milliseconds(since: seq[0].timestamp))
    #expect(tim.serverResponse == seq[2].timestamp.milliseconds(since: seq[1].timestamp))
    #expect(tim.relayReturn == seq[3].timestamp.milliseconds(since: seq[2].timestamp))
    #expect(tim.discoverToOffer == seq[3].timestamp.milliseconds(since: seq[0].timestamp))
    #expect(tim.requestToAck == seq[7].timestamp.milliseconds(since: seq[4].timestamp))
    #expect(tim.total == seq[7].timestamp.milliseconds(since: seq[0].timestamp))
  }

  @Test func twoServersBothOffering() throws {
    let lab = try labResult("two-servers")
    let t = try #require(try analyze("two-servers-any.pcap").first)
    #expect(t.outcome == .bound)
    #expect(t.assignedAddress?.description == lab["LEASED_ADDRESS"])
    #expect(t.flags.contains(.multipleOffers))
    #expect(Set(t.servers.map(\.address)) == [addr("198.51.100.2"), addr("198.51.100.10")])
    #expect(t.servers.allSatisfy { $0.forwarded == 2 })
    // The chosen server ACKs; the other ignores the REQUEST naming its rival (RFC 2131 §4.3.2).
    #expect(!t.flags.contains(.unansweredServerID))
  }

  @Test func parallelServersOneSilent() throws {
    let lab = try labResult("first-down")
    let t = try #require(try analyze("first-down-any.pcap").first)
    #expect(t.outcome == .bound)
    #expect(t.assignedAddress?.description == lab["LEASED_ADDRESS"])
    let silent = try #require(t.servers.first { $0.address == addr("198.51.100.2") })
    #expect(silent.forwarded == 2 && silent.replies == 0 && !silent.answered)
    #expect(t.flags.contains(.serverNoReply))
    #expect(!t.flags.contains(.failover))  // both were tried at once: parallel, not failover
    #expect(t.findings.contains(.serverNoReply(server: addr("198.51.100.2"), requests: 2)))
  }

  /// Where the server namespace has no DHCP server, its kernel answers each relayed DISCOVER
  /// with ICMP port unreachable; the capture on every interface (pcapng) holds them, and they
  /// become a finding on the transaction, naming the server.
  @Test func noServerAnswersWithICMPPortUnreachable() throws {
    for (capture, server) in [("no-server-multi.pcapng", "198.51.100.2"), ("first-down-multi.pcapng", "198.51.100.2")] {
      let t = try #require(try analyze(capture).first { $0.kind == .dora }, "\(capture)")
      #expect(
        t.findings.contains(
          .icmpUnreachable(
            server: addr(server), reporter: addr(server), code: 3, type: MessageType.discover, count: 2)),
        "\(capture): \(t.findings)")
      #expect(t.finding("icmp-unreachable")?.severity == .problem)
    }
    // The `any` capture was filtered to UDP when it was recorded: no ICMP there, no finding.
    #expect(try analyze("no-server-any.pcap").allSatisfy { $0.finding("icmp-unreachable") == nil })
  }

  @Test func noServerTimesOut() throws {
    // dhclient retransmits after ~7 s; with the default 10 s both DISCOVERs are one exchange,
    // still open when the capture ends a second later.
    let records = try analyze("no-server-any.pcap")
    #expect(records.count == 1)
    let t = try #require(records.first)
    #expect(t.kind == .dora)
    #expect(t.outcome == .incomplete)
    #expect(t.flags.contains(.retransmission))
    #expect(t.flags.contains(.serverNoReply))
    #expect(t.servers.first?.forwarded == 2)
    // With a 5 s timeout the first DISCOVER has timed out before the client tries again.
    let short = try analyze("no-server-any.pcap", timeout: 5)
    #expect(short.count == 2)
    #expect(short.first?.outcome == .timeout)
    #expect(short.first?.flags.contains(.timeout) == true)
    guard case .timeout(let type, let waited, _)? = short.first?.finding("timeout") else {
      Issue.record("no timeout finding")
      return
    }
    #expect(type == MessageType.discover && waited >= 5000)
  }

  @Test func initRebootNakThenFreshDORA() throws {
    let lab = try labResult("nak")
    let records = try analyze("nak-any.pcap")
    #expect(records.map(\.kind) == [.request, .dora])
    #expect(records.map(\.outcome) == [.nak, .bound])
    #expect(records[0].flags.contains(.nak))
    #expect(records[0].assignedAddress == nil)
    #expect(records[1].assignedAddress?.description == lab["LEASED_ADDRESS"])
    #expect(records[0].xid != records[1].xid)
  }

  @Test func releaseByUnicastSeenTwiceOnAny() throws {
    let records = try analyze("release-any.pcap")
    let release = try #require(records.first { $0.kind == .release })
    #expect(release.outcome == .released)
    #expect(release.flags.isEmpty)
    // Routed through the relay host (in on r-c, out on r-s1: one packet seen twice), and
    // relayed by dhcrelay, which hears it on port 67: one transaction with both paths.
    #expect(records.filter { $0.kind == .release }.count == 1)
    #expect(release.sequence.map(\.leg) == [.clientServer, .clientServer, .relayServer])
    #expect(release.sequence.filter(\.isDuplicate).count == 1)
    #expect(release.servers.first?.forwarded == 2)  // routed once, relayed once; the capture twice is not counted
    #expect(release.findings.contains(.routedAndRelayed(type: MessageType.release, server: addr("198.51.100.2"))))
    #expect(!release.hasProblem)
  }

  @Test func renewByUnicast() throws {
    let records = try analyze("renew-any.pcap")
    #expect(records.map(\.kind) == [.dora, .request])
    let renew = records[1]
    #expect(renew.outcome == .bound)
    #expect(renew.sequence.first?.leg == .clientServer)
    #expect(renew.sequence.first?.ciaddr == renew.assignedAddress)
    #expect(renew.leaseSeconds == 16)
    #expect(renew.sequence.contains { $0.isDuplicate })
  }

  @Test func dnsmasqServer() throws {
    let lab = try labResult("dnsmasq")
    let t = try #require(try analyze("dnsmasq-any.pcap").first)
    #expect(t.outcome == .bound)
    #expect(t.assignedAddress?.description == lab["LEASED_ADDRESS"])
    #expect(t.servers.first?.address.description == lab["SERVER_ID"])
  }

  @Test func pcapngFromSeveralInterfacesIsPutInTimeOrder() throws {
    let t = try #require(try analyze("two-servers-multi.pcapng").first)
    let times = t.sequence.map(\.timestamp)
    #expect(times == times.sorted())
    #expect(t.sequence.map(\.frame) != t.sequence.map(\.frame).sorted())  // the file was not
    #expect(t.sequence.first?.leg == .clientRelay)
    let same = try #require(try analyze("two-servers-any.pcap").first)
    #expect(t.flags == same.flags && t.outcome == same.outcome && t.assignedAddress == same.assignedAddress)
  }

  @Test func twoFilesMergedInTimeOrder() throws {
    let records = try analyze("single-any.pcap", "two-servers-any.pcap")
    #expect(records.count == 2)
    #expect(Set(records.flatMap { $0.sequence.map(\.fileIndex) }) == [0, 1])
  }
}
