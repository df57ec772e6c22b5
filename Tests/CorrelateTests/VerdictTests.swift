import Capture
import Correlate
import Dissect
import PacketCraft
import Pipeline
import Report
import Testing

/// The analysis's conclusions on the cases that are easy to get wrong: each on a committed
/// fixture (Fixtures/README.md says how it is made), asserted by typed codes.
@Suite struct VerdictTests {
  let server = addr("198.51.100.2")

  @Test func payloadsThatAreNotBOOTPAreMalformedAndNeverTransactions() throws {
    let file = try CaptureFile(path: "\(fixtures)/crafted/not-bootp.pcap")
    var dissector = PacketDissector()
    var reasons: [Malformed.Reason] = []
    while let frame = try file.next() {
      let outcome = dissector.summarize(frame.linkFrame(linkType: file.linkType, fileIndex: 0))
      guard case .malformed(let why) = outcome else {
        Issue.record("frame \(frame.number) was taken as a message")
        continue
      }
      reasons.append(why.reason)
    }
    #expect(reasons == [.badOp, .badOp, .badOp, .shortBOOTPHeader, .shortBOOTPHeader, .badMagicCookie])
    #expect(try analyze("crafted/not-bootp.pcap").isEmpty)
    // BOOTP without option 53 still pairs.
    let bootp = try #require(try analyze("crafted/bootp-leasequery.pcap").first { $0.kind == .bootp })
    #expect(bootp.outcome == .bound && bootp.assignedAddress != nil)
  }

  @Test func anUnansweredRequestTimesOutWhileTheClientRetransmits() throws {
    let t = try #require(try analyze("crafted/relayed-timeout.pcap").first)
    #expect(t.outcome == .timeout)
    #expect(t.has(.timeout) && !t.has(.incomplete))
    guard case .timeout(let type, let waited, let limit)? = t.finding("timeout") else {
      Issue.record("no timeout finding")
      return
    }
    #expect(type == MessageType.discover && waited >= 10_000 && limit == 10)
    // With a longer --timeout the same capture ends first: no verdict.
    let longer = try #require(try analyze("crafted/relayed-timeout.pcap", timeout: 20).first)
    #expect(longer.outcome == .incomplete && longer.finding("capture-ended") != nil)
  }

  @Test func answerRatesCountOnlyRequestsThatExpectAReply() throws {
    var summary = Summary()
    for t in try analyze("release-any.pcap") { summary.add(t) }
    let s = try #require(summary.servers.first { $0.address == server })
    #expect(s.asked == 2 && s.answered == 2 && s.answerRate == 1)
    // A server seen only in replies was asked nothing: no rate at all.
    var spoofed = Summary()
    for t in try analyze("crafted/spoofed-server-id.pcap") { spoofed.add(t) }
    #expect(spoofed.servers.count == 1)
    #expect(spoofed.servers.first?.answerRate == nil)
  }

  @Test func aReplysServerIsItsServerIdentifier() throws {
    let records = try analyze("crafted/spoofed-server-id.pcap")
    #expect(records.count == 20)
    #expect(Set(records.flatMap { $0.servers.map(\.address) }) == [server])
    let first = try #require(records.first)
    #expect(first.findings.contains(.serverIdentifierMismatch(source: addr("203.0.113.1"), identifier: server)))
    // The sequence keeps the addresses the packets really used.
    #expect(first.sequence.first?.source == addr("203.0.113.1"))
  }

  @Test func declineKeepsTheAddressItDeclined() throws {
    let t = try #require(try analyze("crafted/decline.pcap").first)
    #expect(t.outcome == .declined)
    #expect(t.assignedAddress == addr("192.0.2.120") && t.leaseSeconds == 600)
  }

  @Test func aNakCarriesTheServersReasonAndItsOwnTiming() throws {
    let t = try #require(try analyze("crafted/nak-with-message.pcap").first)
    #expect(t.outcome == .nak)
    #expect(t.serverMessage == "requested address not available")
    #expect(t.timings.requestToAck == nil && t.timings.requestToNak == 5)
    #expect(
      t.findings.contains(
        .nak(server: server, requestedAddress: addr("192.0.2.200"), message: "requested address not available")))
  }

  /// A summary keeps `IdentityOptions.capacity` bytes of identity options inline; an option
  /// beyond that is named as left out, and the transaction takes it from another message.
  @Test func anIdentityOptionWithoutRoomIsTakenFromAnotherMessage() throws {
    var s = RelayScenario(xid: 0x1D)
    s.hostName = String(repeating: "h", count: 100)
    let vendor = BOOTPBuilder.option(60, Array(String(repeating: "v", count: 40).utf8))
    var roomy = RelayScenario(xid: 0x1D)
    roomy.hostName = "h"
    let frames = [
      s.clientBroadcast(MessageType.discover, ipID: 1, extra: vendor),
      roomy.clientBroadcast(MessageType.discover, secs: 3, ipID: 2, extra: vendor),
    ]
    var dissector = PacketDissector()
    var summaries: [PacketSummary] = []
    for (i, frame) in frames.enumerated() {
      let outcome = frame.withUnsafeBytes {
        dissector.summarize(
          LinkFrame($0, linkType: 1, timestamp: Timestamp(seconds: 1, nanoseconds: Int32(i) * 1_000_000), number: i + 1)
        )
      }
      guard case .dhcp(let summary) = outcome else {
        Issue.record("frame \(i + 1) did not dissect")
        return
      }
      summaries.append(summary)
    }
    #expect(summaries[0].identityOptions.omittedCodes == [60])
    #expect(summaries[1].identityOptions.omittedCodes.isEmpty)
    let t = try #require(TransactionStream.records(of: summaries).first)
    #expect(t.client.hostName == s.hostName)
    #expect(t.client.vendorClass == String(repeating: "v", count: 40))
  }

  @Test func theClientsIdentityTravelsWithTheTransaction() throws {
    let t = try #require(try analyze("crafted/nak-with-message.pcap").first)
    #expect(t.client.hostName == "laptop-7")
    #expect(t.client.clientID.map(IdentityText.clientIdentifier) == "cisco-cc00.0ac4.0000-Fa0/0")
    #expect(t.client.vendorClass == "MSFT 5.0")
    #expect(t.client.requestedAddress == addr("192.0.2.200"))
    #expect(t.client.fqdn == "laptop.example")
    let relay = try #require(t.relayAgentInformation)
    #expect(relay.circuitID.map(IdentityText.agentIdentifier) == "0x000400640013")
    #expect(relay.remoteID.map(IdentityText.agentIdentifier) == "switch-7")
    var summary = Summary()
    summary.add(t)
    #expect(summary.remotes[Array("switch-7".utf8)]?[.nak] == 1)
  }

  @Test func oneReleaseRoutedAndRelayedIsOneTransaction() throws {
    let releases = try analyze("release-any.pcap").filter { $0.kind == .release }
    #expect(releases.count == 1)
    #expect(releases.first?.finding("routed-and-relayed") != nil)
  }

  @Test func serverResponseIsTimedFromTheFirstCopy() throws {
    // ISC dhcpd pings before offering: the OFFER takes about a second from the first DISCOVER.
    let t = try #require(try analyze("single-any.pcap").first)
    let response = try #require(t.timings.serverResponse)
    #expect(response > 900)
    #expect(t.servers.first?.phaseResponseMilliseconds[ExchangePhase.offer.rawValue] == response)
    #expect((t.servers.first?.phaseResponseMilliseconds[ExchangePhase.ack.rawValue] ?? 1000) < 100)
  }

  @Test func anACKWithoutAnAddressAssignsNothing() throws {
    let t = try #require(try analyze("crafted/ack-without-address.pcap").first)
    #expect(t.assignedAddress == nil)
    #expect(t.findings.contains(.ackWithoutAddress(server: server)))
    #expect(t.hasProblem)
  }

  @Test func percentilesAreSamplesWhileTheSampleIsSmall() {
    var small = LatencyStatistics()
    for v in [1.0, 2, 3, 1000.524, 5] { small.add(v) }
    #expect(small.isExact)
    #expect(small.quantile(0.5) == 3)
    #expect(small.quantile(0.95) == 1000.524)
    var large = LatencyStatistics()
    for i in 0...LatencyStatistics.exactLimit { large.add(Double(i % 1000) + 0.123456) }
    #expect(!large.isExact)
    let median = large.quantile(0.5)!
    // Three significant digits (500.123 would not be), within the histogram's 0.5 %.
    #expect(median == median.rounded())
    #expect(abs(median - 500.123) / 500.123 < 0.01)
  }
}

/// Option values that peers decode, and the client rules of RFC 2131.
@Suite struct OptionValueTests {
  func options(_ frame: Int) throws -> (options: [DecodedOption], warnings: [String]) {
    let packets = try readPackets(["crafted/option-values.pcap"])
    let m = packets[frame].message
    return (OptionDecoder.decodeAll(m), m.warnings)
  }

  @Test func vendorSpecificByVendorClass() throws {
    let aruba = try options(0).options.first { $0.code == 43 }
    #expect(aruba?.value == .record([.init("controller", .text("192.0.2.10"))]))
    let cisco = try #require(try options(1).options.first { $0.code == 43 }?.suboptions?.first)
    #expect(cisco.code == 241)
    #expect(cisco.value == .list([.address(addr("192.0.2.11")), .address(addr("192.0.2.12"))]))
  }

  @Test func clientMessagesThatBreakRFC2131Warn() throws {
    let decline = try options(2).warnings
    #expect(decline.contains { $0.contains("option 50") } && decline.contains { $0.contains("option 54") })
    #expect(try options(3).warnings.contains { $0.contains("ciaddr") })
    #expect(try options(4).warnings.filter { $0.contains("INFORM carries") }.count == 2)
  }

  @Test func textClientIdentifierAndHexSubOptions() throws {
    let packets = try readPackets(["crafted/nak-with-message.pcap"])
    let decoded = OptionDecoder.decodeAll(packets[1].message)
    let id = try #require(decoded.first { $0.code == 61 })
    #expect(id.value == .record([.init("type", .number(0)), .init("identifier", .text("cisco-cc00.0ac4.0000-Fa0/0"))]))
    let circuit = try #require(decoded.first { $0.code == 82 }?.suboptions?.first)
    #expect(circuit.value == .text("0x000400640013"))
  }

  /// ICMP errors quoting a relayed request: whole quotes and quotes cut short (a router's 28
  /// bytes, or part of the BOOTP header) never crash; a quote with the xid and chaddr becomes
  /// a finding on its transaction, one without them is other traffic.
  @Test func icmpErrorsQuotingARelayedRequest() throws {
    var relay = FrameBuilder(from: "198.51.100.1", 67, to: "198.51.100.2", 67)
    let discover = BOOTPBuilder(type: MessageType.discover, xid: 0x1C35_3300).build()
    var frames: [[UInt8]] = [relay.frame(discover)]
    relay.identification = 2
    frames.append(relay.unreachable(discover, code: 3, from: "198.51.100.2"))
    frames.append(relay.unreachable(discover, code: 1, from: "198.51.100.254", quoted: 20 + 8 + 60))
    frames.append(relay.unreachable(discover, code: 13, from: "198.51.100.254", quoted: 20 + 8))
    frames.append(relay.unreachable(discover, code: 3, from: "198.51.100.2", quoted: 20 + 4))
    var dissector = PacketDissector()
    var summaries: [PacketSummary] = []
    var icmp = 0
    for (i, frame) in frames.enumerated() {
      let outcome = frame.withUnsafeBytes {
        dissector.summarize(
          LinkFrame($0, linkType: 1, timestamp: Timestamp(seconds: 1, nanoseconds: Int32(i) * 1_000_000), number: i + 1)
        )
      }
      switch outcome {
      case .dhcp(let s): summaries.append(s)
      case .icmpError(let s):
        icmp += 1
        #expect(s.xid == 0x1C35_3300 && s.icmpError?.quotedDestination == addr("198.51.100.2"))
        summaries.append(s)
      case .other: break
      case .fragment, .malformed, .dhcpv6: Issue.record("frame \(i + 1): \(outcome)")
      }
    }
    #expect(icmp == 2)
    let t = try #require(TransactionStream.records(of: summaries).first)
    #expect(t.sequence.count == 1)
    #expect(
      t.findings.contains(
        .icmpUnreachable(
          server: addr("198.51.100.2"), reporter: addr("198.51.100.2"), code: 3, type: MessageType.discover, count: 1)))
    #expect(
      t.findings.contains(
        .icmpUnreachable(
          server: addr("198.51.100.2"), reporter: addr("198.51.100.254"), code: 1, type: nil, count: 1)))
  }
}
