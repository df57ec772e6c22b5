import Foundation
import Testing

/// Decodes every DHCP packet of every fixture and compares it field by field with tshark.
@Suite(.serialized) struct TsharkOracleTests {
  static let fields = [
    "frame.number", "dhcp.id", "dhcp.option.dhcp", "dhcp.ip.relay", "dhcp.ip.your", "dhcp.hw.mac_addr",
    "dhcp.hops", "dhcp.secs", "dhcp.option.type", "dhcp.option.hostname",
    "dhcp.option.agent_information_option.agent_circuit_id",
  ]

  /// Where tshark and dhcpscope part ways on purpose.
  static let knownDifferences: [String: String] = [
    // tshark reads the first piece of a split option 121 on its own, finds it malformed and
    // stops; dhcpscope concatenates the pieces first, as RFC 3396 requires.
    "crafted/overload-rfc3396.pcap": "RFC 3396 split options",
    // dhcpscope refuses a link type it cannot follow (CommandLineTests checks the message).
    "crafted/linktype-ieee80211.pcap": "unsupported link type",
    // tshark shows no DHCP for an empty UDP 67/68 payload; dhcpscope lists it, marked malformed.
    "crafted/not-bootp.pcap": "an empty BOOTP payload",
  ]

  // ICMP errors quote the DHCP packet they answer; tshark's `dhcp` filter matches those too.
  @Test(.enabled(if: which("tshark") != nil, "tshark is not installed (make test-deps installs it)"))
  func everyFixtureMatchesTshark() throws {
    let tshark = try #require(which("tshark"))
    var compared = 0
    for file in allFixtures() where Self.knownDifferences[file] == nil {
      let path = "\(fixtures)/\(file)"
      var args = [
        "-n", "-r", path, "-Y", "dhcp && !icmp", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E",
        "aggregator=,",
      ]
      for f in Self.fields { args += ["-e", f] }
      let oracle = try run(tshark, args)
      #expect(oracle.status == 0, "tshark failed on \(file): \(oracle.stderr)")
      let ours = try dhcpscope("decode", "--format", "jsonl", path)
      #expect(ours.status == 0, "\(file): \(ours.stderr)")
      let records = try jsonLines(ours.stdout).filter { $0["family"] as? String == "dhcpv4" }
      let rows = oracle.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
      #expect(
        rows.count == records.count, "\(file): tshark shows \(rows.count) DHCP packets, dhcpscope \(records.count)")
      for (row, record) in zip(rows, records) {
        let t = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let place = "\(file) frame \(t[0])"
        #expect(String(record["frame"] as! Int) == t[0], "\(place): frame")
        #expect(record["xid"] as? String == t[1], "\(place): xid")
        let type = (record["options"] as! [[String: Any]]).first { $0["code"] as? Int == 53 }
        let typeRaw = (type?["raw"] as? String).flatMap { UInt8($0, radix: 16) }.map(String.init) ?? ""
        #expect(typeRaw == t[2], "\(place): message type")
        #expect(record["giaddr"] as? String == t[3], "\(place): giaddr")
        #expect(record["yiaddr"] as? String == t[4], "\(place): yiaddr")
        if record["htype"] as? Int == 1 && record["hlen"] as? Int == 6 {
          // tshark also lists option 61's hardware address under this field: take the first.
          #expect(record["chaddr"] as? String == t[5].split(separator: ",").first.map(String.init), "\(place): chaddr")
        }
        #expect(String(record["hops"] as! Int) == t[6], "\(place): hops")
        #expect(String(record["secs"] as! Int) == t[7], "\(place): secs")
        let options = record["options"] as! [[String: Any]]
        var ourCodes = options.map { $0["code"] as! Int }
        var theirCodes: [Int] = []
        for c in t[8].split(separator: ",").compactMap({ Int($0) }) where c != 0 && c != 255 && !theirCodes.contains(c)
        {
          theirCodes.append(c)
        }
        if ourCodes.contains(52) {  // tshark lists overloaded fields where it meets option 52
          ourCodes.sort()
          theirCodes.sort()
        }
        #expect(ourCodes == theirCodes, "\(place): option codes")
        let host = options.first { $0["code"] as? Int == 12 }?["value"] as? String ?? ""
        // tshark drops an option that runs past the end; dhcpscope keeps what is there and warns.
        if (record["warnings"] as? [String])?.isEmpty != false {
          #expect(host == t[9], "\(place): hostname")
        }
        let agent = options.first { $0["code"] as? Int == 82 }?["suboptions"] as? [[String: Any]]
        let circuit = agent?.first { $0["code"] as? Int == 1 }?["raw"] as? String ?? ""
        #expect(circuit == t[10].replacingOccurrences(of: ":", with: ""), "\(place): circuit id")
        compared += 1
      }
    }
    #expect(compared > 150)
    print("compared \(compared) DHCP packets with tshark")
  }
}

/// Decodes every DHCPv6 packet of every fixture and compares it with tshark: the chain of
/// message types, the transaction id, each relay layer's hop count, link and peer address, the
/// DUIDs, IA addresses and prefixes, and the option codes of every layer in nesting order.
@Suite struct TsharkDHCPv6OracleTests {
  static let fields = [
    "frame.number", "dhcpv6.msgtype", "dhcpv6.xid", "dhcpv6.hopcount", "dhcpv6.linkaddr", "dhcpv6.peeraddr",
    "dhcpv6.duid.bytes", "dhcpv6.iaaddr.ip", "dhcpv6.iaprefix.pref_addr", "dhcpv6.iaprefix.pref_len",
    "dhcpv6.option.type", "dhcpv6.status_code",
  ]

  @Test(.enabled(if: which("tshark") != nil, "tshark is not installed (make test-deps installs it)"))
  func everyDHCPv6FixtureMatchesTshark() throws {
    let tshark = try #require(which("tshark"))
    var compared = 0
    // Damaged messages: tshark shows what it can; DissectTests check dhcpscope's reasons.
    for file in allFixtures() where file != "crafted/dhcpv6-malformed.pcap" {
      let path = "\(fixtures)/\(file)"
      var args = [
        "-n", "-r", path, "-Y", "dhcpv6 && !icmpv6", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E",
        "aggregator=,",
      ]
      for f in Self.fields { args += ["-e", f] }
      let oracle = try run(tshark, args)
      #expect(oracle.status == 0, "tshark failed on \(file): \(oracle.stderr)")
      let ours = try dhcpscope("decode", "--format", "jsonl", path)
      let records = try jsonLines(ours.stdout).filter { $0["family"] as? String == "dhcpv6" }
      let rows = oracle.stdout.split(separator: "\n").filter { !$0.isEmpty }
      #expect(
        rows.count == records.count, "\(file): tshark shows \(rows.count) DHCPv6 packets, dhcpscope \(records.count)")
      for (row, record) in zip(rows, records) {
        let t = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let place = "\(file) frame \(t[0])"
        let relays = record["relays"] as! [[String: Any]]
        let typeCodes = [
          "RELAY-FORW": 12, "RELAY-REPL": 13, "SOLICIT": 1, "ADVERTISE": 2, "REQUEST": 3, "CONFIRM": 4,
          "RENEW": 5, "REBIND": 6, "REPLY": 7, "RELEASE": 8, "DECLINE": 9, "RECONFIGURE": 10, "INFORMATION-REQUEST": 11,
        ]
        let chain = (relays.map { $0["message_type"] as! String } + [record["message_type"] as! String])
          .map { String(typeCodes[$0] ?? -1) }
        #expect(String(record["frame"] as! Int) == t[0], "\(place): frame")
        #expect(chain.joined(separator: ",") == t[1], "\(place): message types")
        #expect(record["xid"] as? String == t[2], "\(place): xid")
        #expect(relays.map { String($0["hop_count"] as! Int) }.joined(separator: ",") == t[3], "\(place): hop counts")
        #expect(relays.map { $0["link_address"] as! String }.joined(separator: ",") == t[4], "\(place): link addresses")
        #expect(relays.map { $0["peer_address"] as! String }.joined(separator: ",") == t[5], "\(place): peer addresses")
        // Every layer's options in tshark's order: a layer's option 9 is followed by the next layer.
        var layers = relays.map { $0["options"] as! [[String: Any]] }
        layers.append(record["options"] as! [[String: Any]])
        var codes: [Int] = []
        var duids: [String] = []
        var addresses: [String] = []
        var prefixes: [String] = []
        var prefixLengths: [String] = []
        var statuses: [String] = []
        func visit(_ option: [String: Any]) {
          let code = option["code"] as! Int
          codes.append(code)
          let value = option["value"] as? [String: Any]
          if code == 1 || code == 2, let duid = value?["duid"] as? String {
            duids.append(duid.replacingOccurrences(of: ":", with: ""))
          }
          if code == 5, let address = value?["address"] as? String { addresses.append(address) }
          if code == 26, let prefix = value?["prefix"] as? String {
            prefixes.append(prefix)
            prefixLengths.append(String(value?["prefix_length"] as! Int))
          }
          if code == 13, let status = value?["code"] as? Int { statuses.append(String(status)) }
          // A vendor's options (17) and NTP's sub-options (56) have codes of their own.
          guard code != 17 && code != 56 else { return }
          for sub in option["suboptions"] as? [[String: Any]] ?? [] { visit(sub) }
        }
        func walk(_ layer: Int) {
          for option in layers[layer] {
            visit(option)
            if option["code"] as? Int == 9, layer + 1 < layers.count { walk(layer + 1) }
          }
        }
        walk(0)
        #expect(codes.map(String.init).joined(separator: ",") == t[10], "\(place): option codes")
        #expect(duids.joined(separator: ",") == t[6], "\(place): DUIDs")
        #expect(addresses.joined(separator: ",") == t[7], "\(place): IA addresses")
        #expect(prefixes.joined(separator: ",") == t[8], "\(place): IA prefixes")
        #expect(prefixLengths.joined(separator: ",") == t[9], "\(place): prefix lengths")
        #expect(statuses.joined(separator: ",") == t[11], "\(place): status codes")
        compared += 1
      }
    }
    #expect(compared >= 50)
    print("compared \(compared) DHCPv6 packets with tshark")
  }
}
