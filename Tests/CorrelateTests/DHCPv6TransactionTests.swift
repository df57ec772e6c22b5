import Correlate
import Dissect
import PacketCraft
import Pipeline
import Testing

private typealias C = DHCPv6Craft

private func analyze6(_ names: String..., timeout: Double = 10) throws -> [DHCPv6TransactionRecord] {
  try FileAnalysis.dhcpv6Records(
    of: names.map(fixturePath), configuration: CorrelatorConfiguration(timeoutSeconds: timeout))
}

/// dhclient's lease file writes DUIDs as colon-separated hex without leading zeros.
private func duid(_ text: String) -> [UInt8] { text.split(separator: ":").map { UInt8($0, radix: 16)! } }

private func v6(_ s: String) -> IPv6Address { IPv6Address(s)! }

/// Transactions of hand-made DHCPv6 frames, at `t` seconds each.
private func correlate(_ frames: [(Double, [UInt8])]) -> [DHCPv6TransactionRecord] {
  var d = PacketDissector()
  var correlator = DHCPv6Correlator()
  for (i, f) in frames.enumerated() {
    let ns = Int64(f.0 * 1e9)
    let t = Timestamp(seconds: 1_700_000_000 + ns / 1_000_000_000, nanoseconds: Int32(ns % 1_000_000_000))
    if case .dhcpv6(let p) = dissectFrame(f.1, at: t, frameNumber: i + 1, dissector: &d), let s = DHCPv6Sighting(p) {
      correlator.push(s)
    }
  }
  correlator.finish()
  var records: [DHCPv6TransactionRecord] = []
  while let r = correlator.popClosed() { records.append(r) }
  return records
}

struct DHCPv6LabTests {
  /// One relay: SOLICIT/ADVERTISE and REQUEST/REPLY (two xids) are one SARR, bound to what
  /// dhclient really got, each message seen at both of the relay's sides; from ISC dhcpd -6
  /// and from Kea's kea-dhcp6.
  @Test(arguments: ["single", "kea"])
  func relayedSARRIsOneTransaction(scenario: String) throws {
    let lab = try labResult("dhcpv6-\(scenario)")
    let records = try analyze6("dhcpv6/\(scenario).pcap")
    try #require(records.count == 1)
    let t = records[0]
    #expect(t.kind == .sarr && t.outcome == .bound)
    #expect(t.assignedAddresses.map(\.address.description) == [lab["LEASED_ADDRESS"]!])
    #expect(t.delegatedPrefixes.map { "\($0.address)/\($0.prefixLength!)" } == [lab["DELEGATED_PREFIX"]!])
    #expect(t.relayAgents == [v6("2001:db8:1::1")])
    #expect(t.servers.map(\.duid) == [duid(lab["SERVER_DUID"]!)])
    #expect(t.servers.first?.addresses == [v6("2001:db8:ff01::2")])
    let hop: [Leg] = [.clientRelay, .relayServer, .serverRelay, .relayClient]
    #expect(t.sequence.map(\.leg) == hop + hop)
    #expect(t.sequence.map(\.messageType) == [1, 1, 2, 2, 3, 3, 7, 7])
    #expect(t.flags.isEmpty && t.findings.isEmpty)
    #expect(t.clientMAC?.description == "02:00:00:00:c6:01")
    #expect(t.timings.relayForward != nil && t.timings.serverResponse != nil && t.timings.relayReturn != nil)
  }

  /// Two relays chained, captured at both: the relay→relay hops are their own legs, and both
  /// relays are named from the client's side.
  @Test func relayChainIsReconstructedHopByHop() throws {
    let records = try analyze6("dhcpv6/chain-relay1.pcap", "dhcpv6/chain-relay2.pcap")
    try #require(records.count == 1)
    let t = records[0]
    #expect(t.outcome == .bound)
    #expect(t.relayAgents == [v6("2001:db8:1::1"), v6("2001:db8:ff10::2")])
    let first = t.sequence.filter { !$0.isDuplicate && $0.messageType == DHCPv6MessageType.solicit }.map(\.leg)
    #expect(first == [.clientRelay, .relayRelay, .relayServer])
    let back = t.sequence.filter { !$0.isDuplicate && $0.messageType == DHCPv6MessageType.advertise }.map(\.leg)
    #expect(back == [.serverRelay, .relayRelay, .relayClient])
    // The hop between the relays is in both captures: the second sighting is a duplicate.
    #expect(t.sequence.filter(\.isDuplicate).allSatisfy { $0.leg == .relayRelay })
    #expect(!t.flags.contains(.relayAnomaly))
  }

  /// Both servers advertise; the REQUEST names one, and the other, rightly, stays silent.
  @Test func twoServersAdvertise() throws {
    let records = try analyze6("dhcpv6/two-servers.pcap")
    try #require(records.count == 1)
    let t = records[0]
    #expect(t.outcome == .bound && t.flags == [.multipleOffers])
    #expect(t.servers.count == 2 && t.servers.allSatisfy { $0.asked == $0.answered })
  }

  @Test func noServerTimesOut() throws {
    let records = try analyze6("dhcpv6/no-server.pcap", timeout: 3)
    try #require(records.count == 1)
    #expect(records[0].outcome == .timeout)
    #expect(records[0].flags == [.retransmission, .serverNoReply, .timeout])
    // Under --timeout, the capture's end leaves it open: incomplete, not a verdict.
    #expect(try analyze6("dhcpv6/no-server.pcap", timeout: 10).first?.outcome == .incomplete)
  }

  @Test func releaseIsItsOwnTransaction() throws {
    let records = try analyze6("dhcpv6/release.pcap")
    #expect(records.map(\.kind) == [.sarr, .release])
    #expect(records.map(\.outcome) == [.bound, .released])
  }
}

struct DHCPv6VerdictTests {
  let clientID = C.option(1, C.duidLL(mac: [2, 0, 0, 0, 0xC6, 9]))
  let serverID = C.option(2, C.duidLL(mac: [2, 0, 0, 0, 0x5E, 9]))
  let link = IPv6Address("2001:db8:1::1")!
  let peer = IPv6Address("fe80::9")!
  var up: IPv6FrameBuilder { IPv6FrameBuilder(from: "2001:db8:ff01::1", 547, to: "2001:db8:ff01::2", 547) }
  var down: IPv6FrameBuilder { IPv6FrameBuilder(from: "2001:db8:ff01::2", 547, to: "2001:db8:ff01::1", 547) }

  func forward(_ inner: [UInt8], hop: UInt8 = 0, interfaceID: [UInt8]? = [7]) -> [UInt8] {
    up.frame(
      C.relay(
        DHCPv6MessageType.relayForward, hopCount: hop, link: link, peer: peer,
        options: interfaceID.map { [C.option(18, $0)] } ?? [], inner: inner))
  }

  func reply(_ inner: [UInt8], hop: UInt8 = 0, link: IPv6Address? = nil, interfaceID: [UInt8]? = [7], to: String? = nil)
    -> [UInt8]
  {
    var b = down
    if let to { b.destination = IPv6Address(to)! }
    return b.frame(
      C.relay(
        DHCPv6MessageType.relayReply, hopCount: hop, link: link ?? self.link, peer: peer,
        options: interfaceID.map { [C.option(18, $0)] } ?? [], inner: inner))
  }

  var solicit: [UInt8] { C.message(DHCPv6MessageType.solicit, xid: 0x10, [clientID, C.iaNA(iaid: 1, t1: 0, t2: 0)]) }
  func advertise(_ options: [[UInt8]]) -> [UInt8] {
    C.message(DHCPv6MessageType.advertise, xid: 0x10, [clientID, serverID] + options)
  }
  var address: [UInt8] {
    C.iaNA(iaid: 1, t1: 0, t2: 0, [C.iaAddress(IPv6Address("2001:db8:1::50")!, preferred: 300, valid: 600)])
  }

  @Test func interfaceIDNotEchoed() {
    let t = correlate([(0, forward(solicit)), (0.001, reply(advertise([address]), interfaceID: nil))])
    #expect(t.first?.finding("interface-id-not-echoed") != nil && t.first?.flags.contains(.relayAnomaly) == true)
  }

  @Test func copiedFieldsMustMatch() {
    let t = correlate([
      (0, forward(solicit)), (0.001, reply(advertise([address]), link: IPv6Address("2001:db8:9::1")!)),
    ])
    #expect(t.first?.finding("relay-reply-mismatch") != nil)
  }

  @Test func hopCountAtTheLimit() {
    let t = correlate([(0, forward(solicit, hop: 8)), (0.001, reply(advertise([address]), hop: 8))])
    #expect(t.first?.finding("hop-count-limit") != nil)
  }

  @Test func clientFacingReplyWithoutLinkOrInterfaceID() {
    let t = correlate([
      (0, forward(solicit, interfaceID: nil)), (0.001, reply(advertise([address]), link: .zero, interfaceID: nil)),
    ])
    #expect(t.first?.finding("relay-reply-without-link") != nil)
  }

  @Test func serverAnswersAnotherAddress() {
    let t = correlate([(0, forward(solicit)), (0.001, reply(advertise([address]), to: "2001:db8:ff01::77"))])
    #expect(t.first?.finding("reply-to-other-address") != nil)
  }

  /// An ADVERTISE saying NoAddrsAvail, and nothing after it: failed, and the status named.
  @Test func refusalIsNamed() throws {
    let t = correlate([
      (0, forward(solicit)), (0.001, reply(advertise([C.iaNA(iaid: 1, t1: 0, t2: 0, [C.status(2, "none left")])]))),
    ])
    let record = try #require(t.first)
    #expect(record.outcome == .failed && record.status?.name == "NoAddrsAvail")
    guard case .status(_, let code, _, let message, _)? = record.finding("status-code") else {
      Issue.record("a status-code finding")
      return
    }
    #expect(code == 2 && message == "none left")
  }

  /// A Rapid Commit REPLY to the SOLICIT: kind RAPID, bound.
  @Test func rapidCommit() {
    let reply = C.message(DHCPv6MessageType.reply, xid: 0x10, [clientID, serverID, C.option(14, []), address])
    let t = correlate([(0, forward(solicit)), (0.001, self.reply(reply))])
    #expect(t.map(\.kind) == [.rapid] && t.map(\.outcome) == [.bound])
  }

  /// A RECONFIGURE in a Relay-Reply with no Relay-Forward is legitimate: no transaction, no
  /// finding.
  @Test func reconfigureAloneIsNoTransaction() {
    let reconfigure = C.message(DHCPv6MessageType.reconfigure, xid: 0, [clientID, serverID, C.option(19, [5])])
    #expect(correlate([(0, reply(reconfigure))]).isEmpty)
  }
}

/// Two DHCPv6 capture points, the second clock 2.5 s ahead: the hop both relays see anchors
/// the offset, and once aligned the chain reads in order.
struct DHCPv6CapturePointTests {
  let points = ["dhcpv6/chain-relay1.pcap", "points/dhcpv6-chain-relay2-ahead.pcap"].map(fixturePath)

  @Test func relayClocksAreAlignedByTheSharedHop() throws {
    let clocks = ClockAlignment.estimate(points, filter: nil)
    let offset = try #require(clocks[1].offsetNanoseconds)
    #expect(abs(offset - 2_500_000_000) < 1_000_000, "\(offset) ns")
    #expect(clocks[1].matchedMessages == 4)
    let aligned = try FileAnalysis.dhcpv6Records(of: points, offsets: clocks.map { $0.offsetNanoseconds ?? 0 })
    try #require(aligned.count == 1)
    #expect(aligned[0].sequence.allSatisfy { ($0.hopMilliseconds ?? 0) >= 0 })
    #expect(aligned[0].sequence.filter(\.isDuplicate).count == 4)
  }
}
