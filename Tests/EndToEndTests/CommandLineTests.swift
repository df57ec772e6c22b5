import Foundation
import Testing

/// The executable as users and scripts see it: formats, exit codes, damaged input.
@Suite struct CommandLineTests {
  @Test func decodeJSONLHasTheContractFields() throws {
    let r = try dhcpscope("decode", "--format", "jsonl", "\(fixtures)/crafted/linktype-sll2.pcap")
    #expect(r.status == 0)
    let records = try jsonLines(r.stdout)
    #expect(records.count == 2)
    let first = records[0]
    for key in [
      "frame", "file", "ts", "interface", "src", "dst", "sport", "dport", "op", "htype", "hlen", "hops", "xid",
      "secs", "flags", "broadcast", "ciaddr", "yiaddr", "siaddr", "giaddr", "chaddr", "sname", "file_field",
      "message_type", "options", "warnings",
    ] {
      #expect(first[key] != nil, "missing \(key)")
    }
    #expect((first["interface"] as? [String: Any])?["index"] as? Int == 3)
    #expect((first["interface"] as? [String: Any])?["direction"] as? String == "in-broadcast")
    #expect(first["op"] as? String == "BOOTREQUEST")
    #expect(first["xid"] as? String == "0xdec00001")
    #expect(first["message_type"] as? String == "DISCOVER")
    let option = (first["options"] as! [[String: Any]])[0]
    #expect(option["code"] as? Int == 53 && option["name"] as? String == "DHCP Message Type")
    #expect(option["value"] as? String == "DISCOVER" && option["raw"] as? String == "01")
    #expect((records[1]["interface"] as? [String: Any])?["direction"] as? String == "out")
  }

  @Test func timestampsKeepTheCapturePrecision() throws {
    let nano = try jsonLines(try dhcpscope("decode", "--format", "jsonl", "\(fixtures)/crafted/nanosecond.pcap").stdout)
    #expect(nano.count == 2)
    let raw = try dhcpscope("decode", "--format", "jsonl", "\(fixtures)/crafted/nanosecond.pcap").stdout
    #expect(raw.contains("\"ts\":1763700000.000000123"))
    let micro = try dhcpscope("decode", "--format", "jsonl", "\(fixtures)/crafted/linktype-raw.pcap").stdout
    #expect(micro.contains("\"ts\":1763700000.010000,"))
  }

  @Test func option82SubOptionsInJSON() throws {
    let r = try dhcpscope("decode", "--format", "jsonl", "\(fixtures)/crafted/options-zoo.pcap")
    let record = try #require(try jsonLines(r.stdout).first)
    let o82 = try #require((record["options"] as! [[String: Any]]).first { $0["code"] as? Int == 82 })
    let subs = o82["suboptions"] as! [[String: Any]]
    #expect(subs[0]["name"] as? String == "Agent Circuit ID")
    #expect(subs[0]["value"] as? String == "eth0/1/2:100")
    #expect(subs[0]["raw"] as? String == "657468302f312f323a313030")
    #expect((record["warnings"] as? [String])?.isEmpty == true)
  }

  @Test func everyFormatOfDecodeAndAnalyze() throws {
    let file = "\(fixtures)/two-servers-any.pcap"
    let json = try dhcpscope("analyze", "--format", "json", file)
    #expect(json.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
    let transactions = object["transactions"] as! [[String: Any]]
    #expect(transactions.count == 1)
    let t = transactions[0]
    for key in [
      "xid", "client_mac", "kind", "outcome", "assigned_address", "lease_seconds", "relay_agents", "servers",
      "sequence", "flags", "timings", "anomalies",
    ] {
      #expect(t[key] != nil, "missing \(key)")
    }
    #expect(t["flags"] as? [String] == ["multiple-offers"])
    #expect((t["sequence"] as! [[String: Any]]).first?["leg"] as? String == "client-relay")
    let summary = object["summary"] as! [String: Any]
    #expect(summary["transactions"] as? Int == 1)
    #expect((summary["servers"] as! [[String: Any]]).count == 2)

    let jsonl = try dhcpscope("analyze", "--format", "jsonl", file)
    let lines = try jsonLines(jsonl.stdout)
    #expect(lines.count == 2 && lines[1]["summary"] != nil)
    #expect(lines[0]["xid"] as? String == t["xid"] as? String)

    let csv = try dhcpscope("analyze", "--format", "csv", file)
    let rows = csv.stdout.split(separator: "\n")
    #expect(rows.count == 2 && rows[0].hasPrefix("xid,client_mac,kind,outcome"))
    #expect(rows[1].contains("DORA,bound,192.0.2.150"))

    let text = try dhcpscope("analyze", file)
    #expect(text.stdout.hasPrefix("━━ 2026-11-21 05:08:13.689 +00:00  DORA"))
    #expect(text.stdout.contains("DISCOVER"))
    #expect(text.stdout.contains("══ Summary"))

    for format in ["text", "json", "jsonl", "csv"] {
      let d = try dhcpscope("decode", "--format", format, file)
      #expect(d.status == 0 && !d.stdout.isEmpty, "decode --format \(format)")
    }
    let decoded =
      try JSONSerialization.jsonObject(with: Data(try dhcpscope("decode", "--format", "json", file).stdout.utf8))
      as! [Any]
    #expect(decoded.count == 12)
  }

  @Test func outputFileOption() throws {
    let out = NSTemporaryDirectory() + "dhcpscope-out-\(getpid()).jsonl"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try dhcpscope("analyze", "--format", "jsonl", "-o", out, "\(fixtures)/single-any.pcap")
    #expect(r.status == 0 && r.stdout.isEmpty)
    #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"outcome\":\"bound\""))
  }

  @Test func onlyProblems() throws {
    let r = try dhcpscope("analyze", "--only-problems", "--format", "jsonl", "\(fixtures)/nak-any.pcap")
    let lines = try jsonLines(r.stdout)
    #expect(lines.count == 2)  // the NAKed REQUEST and the summary; the clean DORA is left out
    #expect(lines[0]["outcome"] as? String == "nak")
    #expect((lines[1]["summary"] as? [String: Any])?["transactions"] as? Int == 2)
  }

  @Test func gzipAndSeveralFiles() throws {
    let r = try dhcpscope(
      "analyze", "--format", "jsonl", "\(fixtures)/crafted/single-any.pcap.gz", "\(fixtures)/nak-any.pcap")
    #expect(r.status == 0)
    let lines = try jsonLines(r.stdout)
    #expect(lines.count == 4)
    let files = Set(lines.dropLast().flatMap { ($0["sequence"] as! [[String: Any]]).map { $0["file"] as! String } })
    #expect(files.count == 2)
  }

  @Test func usageErrorsExitTwo() throws {
    #expect(try dhcpscope("decode").status == 2)
    #expect(try dhcpscope("decode", "--format", "xml", "\(fixtures)/single-any.pcap").status == 2)
    #expect(try dhcpscope("analyze", "--timeout", "0", "\(fixtures)/single-any.pcap").status == 2)
    #expect(try dhcpscope("bogus-command").status == 2)
    let badFilter = try dhcpscope("decode", "--filter", "port and and", "\(fixtures)/single-any.pcap")
    #expect(badFilter.status == 2)
    #expect(badFilter.stderr.contains("invalid filter"))
  }

  /// Transaction selection keeps whole transactions: on the failover fixture, naming the
  /// server that answered or the one that stayed silent keeps all eight legs and the silent
  /// server's finding, where a packet filter on the server's address cut the client's legs.
  @Test func selectionKeepsWholeTransactions() throws {
    let failover = "\(fixtures)/crafted/failover.pcap"
    func records(_ arguments: String...) throws -> [[String: Any]] {
      let r = try dhcpscope(["analyze", "--format", "jsonl"] + arguments + [failover])
      #expect(r.status == 0, "\(arguments): \(r.stderr)")
      return try r.stdout.split(separator: "\n").compactMap {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }.filter { $0["xid"] != nil }
    }
    let all = try records()
    try #require(all.count == 1)
    let legs = (all[0]["sequence"] as? [Any])?.count
    for selection in [
      ["--server", "198.51.100.10"], ["--server", "198.51.100.2"], ["--client", "02:00:00:00:c0:01"],
      ["--client", "0200.0000.c001"], ["--client", "crafted-client"], ["--xid", "0xf0f00001"],
      ["--relay", "192.0.2.1"], ["--since", "+0"], ["--since", "2000-01-01T00:00:00Z"],
    ] {
      let selected = try dhcpscope(["analyze", "--format", "jsonl"] + selection + [failover])
      let kept = selected.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"family\"") }
      #expect(kept.count == 1, "\(selection)")
      if let first = kept.first,
        let record = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
      {
        #expect((record["sequence"] as? [Any])?.count == legs, "\(selection) lost legs")
        let codes = (record["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("server-no-reply") && codes.contains("failover"), "\(selection): \(codes)")
      }
    }
    for selection in [
      ["--server", "198.51.100.99"], ["--client", "nobody"], ["--xid", "1"], ["--since", "+100"],
      ["--until", "2000-01-01T00:00:00Z"],
    ] {
      let selected = try dhcpscope(["analyze", "--format", "jsonl"] + selection + [failover])
      #expect(selected.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"family\"") }.isEmpty, "\(selection)")
    }
    // -q: the summary alone, which still counts the transaction.
    let summaryOnly = try dhcpscope("analyze", "--format", "jsonl", "-q", failover)
    let lines = summaryOnly.stdout.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("{\"summary\""))
    // A packet filter that cuts one side is pointed out, with the way to keep whole transactions.
    let filtered = try dhcpscope("analyze", "--format", "jsonl", "-f", "host 198.51.100.10", failover)
    #expect(filtered.status == 0)
    let summary = try JSONSerialization.jsonObject(with: Data(filtered.stdout.split(separator: "\n").last!.utf8))
    #expect(((summary as? [String: Any])?["summary"] as? [String: Any])?["one_sided_by_filter"] as? Int == 1)
    #expect(try dhcpscope("analyze", "-f", "host 198.51.100.10", failover).stdout.contains("select whole transactions"))
    #expect(try dhcpscope("analyze", "--xid", "0xzz", failover).status == 2)
    #expect(try dhcpscope("analyze", "--since", "yesterday", failover).status == 2)
    #expect(try dhcpscope("analyze", "--server", "host", failover).status == 2)
  }

  /// `--server` and `--relay` take IPv6 addresses for DHCPv6 transactions: either server of
  /// the two-server exchange, or its relay, keeps the whole transaction; another address, or
  /// an IPv4 one, leaves it out.
  @Test func ipv6SelectionKeepsDHCPv6Transactions() throws {
    let capture = "\(fixtures)/dhcpv6/two-servers.pcap"
    func kept(_ selection: [String] = []) throws -> [[String: Any]] {
      let r = try dhcpscope(["analyze", "--format", "jsonl"] + selection + [capture])
      #expect(r.status == 0, "\(selection): \(r.stderr)")
      return try r.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"family\"") }.compactMap {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }
    }
    let all = try kept()
    try #require(all.count == 1)
    let legs = (all[0]["sequence"] as? [Any])?.count
    for selection in [
      ["--server", "2001:db8:ff01::2"], ["--server", "2001:db8:ff02::2"], ["--relay", "2001:db8:1::1"],
      ["--server", "198.51.100.2", "--server", "2001:db8:ff02::2"],
    ] {
      let records = try kept(selection)
      #expect(records.count == 1 && records.first?["family"] as? String == "dhcpv6", "\(selection)")
      #expect((records.first?["sequence"] as? [Any])?.count == legs, "\(selection) lost legs")
    }
    for selection in [["--server", "2001:db8:ff99::2"], ["--relay", "2001:db8:2::1"], ["--server", "198.51.100.2"]] {
      #expect(try kept(selection).isEmpty, "\(selection)")
    }
    #expect(try dhcpscope("analyze", "--relay", "2001:db8::zz", capture).status == 2)
  }

  /// Text times say their zone: local time with its offset by default, UTC with --utc; each
  /// transaction's header line starts with its absolute start time.
  @Test func textTimesSayTheirZone() throws {
    let failover = "\(fixtures)/crafted/failover.pcap"
    var environment = ProcessInfo.processInfo.environment
    environment["TZ"] = "Asia/Kolkata"
    let local = try run(dhcpscopeBinary, ["analyze", failover], environment: environment)
    #expect(local.stdout.hasPrefix("━━ 2025-11-21 10:10:00.000 +05:30  DORA"))
    let utc = try run(dhcpscopeBinary, ["analyze", "--utc", failover], environment: environment)
    #expect(utc.stdout.hasPrefix("━━ 2025-11-21 04:40:00.000 UTC  DORA"))
    let decoded = try run(dhcpscopeBinary, ["decode", failover], environment: environment)
    #expect(decoded.stdout.hasPrefix("Frame 1  2025-11-21 10:10:00.000000 +05:30  "))
  }

  /// The text report fits 100 columns, or COLUMNS down to 80 with the narrow layout; box
  /// drawing only in a UTF-8 locale (else, or with --ascii, plain ASCII); colour only when
  /// asked for or on a terminal without NO_COLOR, never in a pipe.
  @Test func textFitsTheTerminal() throws {
    var captures = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasSuffix(".pcap") }
      .map { "\(fixtures)/\($0)" }
    captures += ["\(fixtures)/crafted/failover.pcap", "\(fixtures)/crafted/relay-anomaly.pcap"]
    func widest(_ output: String) -> Int { output.split(separator: "\n").map(\.count).max() ?? 0 }
    var environment = ProcessInfo.processInfo.environment
    environment["TZ"] = "UTC"
    environment["NO_COLOR"] = nil
    for capture in captures {
      environment["LC_ALL"] = "C.UTF-8"
      environment["COLUMNS"] = nil
      let wide = try run(dhcpscopeBinary, ["analyze", capture], environment: environment)
      #expect(wide.status == 0 && widest(wide.stdout) <= 100, "\(capture)")
      #expect(wide.stdout.contains("━━") && !wide.stdout.contains("\u{1B}["), "\(capture)")
      environment["COLUMNS"] = "80"
      let narrow = try run(dhcpscopeBinary, ["analyze", capture], environment: environment)
      #expect(widest(narrow.stdout) <= 80, "\(capture)")
      environment["LC_ALL"] = "C"
      let plain = try run(dhcpscopeBinary, ["analyze", capture], environment: environment)
      #expect(plain.stdout.utf8.allSatisfy { $0 < 0x80 }, "\(capture): not ASCII in the C locale")
      environment["LC_ALL"] = "C.UTF-8"
      let asked = try run(dhcpscopeBinary, ["analyze", "--ascii", capture], environment: environment)
      #expect(asked.stdout.utf8.allSatisfy { $0 < 0x80 }, "\(capture): not ASCII with --ascii")
    }
    let failover = "\(fixtures)/crafted/failover.pcap"
    let colored = try dhcpscope("analyze", "--color", "always", failover)
    #expect(colored.stdout.contains("\u{1B}[31m   ! server 198.51.100.2"))
    #expect(colored.stdout.contains("\u{1B}[2m   · the client sent DISCOVER"))
    #expect(try dhcpscope("analyze", "--color", "never", failover).stdout.contains("\u{1B}[") == false)
  }

  /// Offline, transactions are reported in the order they began: the RELEASE that closes
  /// first still comes after the DORA that began before it.
  @Test func transactionsInStartOrder() throws {
    let r = try dhcpscope("analyze", "--format", "csv", "\(fixtures)/crafted/start-order.pcap")
    let kinds = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] }
    #expect(kinds == ["DORA", "RELEASE"])
  }

  /// FILE@NAME names a capture point: the summary lists each file with its clock offset, each
  /// packet says where it was seen, and the text warns of a clock 2.5 s ahead.
  @Test func capturePointsAreNamedAndAligned() throws {
    let client = "\(fixtures)/points/single-client.pcap"
    let server = "\(fixtures)/points/single-server1-ahead.pcap"
    let r = try dhcpscope("analyze", "--format", "jsonl", "\(client)@client-vlan", "\(server)@dhcp1")
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map { Data($0.utf8) }
    let summary = try #require(
      (try JSONSerialization.jsonObject(with: lines.last!) as? [String: Any])?["summary"] as? [String: Any])
    let captures = try #require(summary["captures"] as? [[String: Any]])
    #expect(captures.map { $0["point"] as? String } == ["client-vlan", "dhcp1"])
    #expect((captures[1]["clock_offset_ms"] as? Double).map { abs($0 - 2500) < 1 } == true)
    let dora = try #require(try JSONSerialization.jsonObject(with: lines[0]) as? [String: Any])
    let points = (dora["sequence"] as? [[String: Any]] ?? []).compactMap { $0["point"] as? String }
    #expect(points == ["client-vlan", "dhcp1", "dhcp1", "client-vlan", "client-vlan", "dhcp1", "dhcp1", "client-vlan"])
    let text = try dhcpscope("analyze", "\(client)@client-vlan", "\(server)@dhcp1")
    #expect(text.stdout.contains("dhcp1's clock runs 2.5 s ahead of client-vlan's"))
    let lost = try dhcpscope(
      "analyze", "\(fixtures)/points/single-client-offer-lost.pcap@client-vlan", "\(server)@dhcp1")
    #expect(lost.stdout.contains("OFFER seen at dhcp1 and never at client-vlan"))
    let kept = try dhcpscope("analyze", "--no-align", "--format", "jsonl", client, server)
    #expect(kept.stdout.contains("\"aligned\":false"))
  }

  /// A file named "-" is standard input, as tcpdump -r - and tshark -r - read it: pcap,
  /// pcapng, gzip'd, with the file's own time precision; an empty input is exit 1.
  @Test func standardInputIsAFile() throws {
    for name in ["single-any.pcap", "single-multi.pcapng", "crafted/single-any.pcap.gz", "crafted/nanosecond.pcap"] {
      let path = "\(fixtures)/\(name)"
      for command in ["decode", "analyze"] {
        let fromFile = try dhcpscope(command, "--format", "jsonl", path)
        let fromInput = try run(dhcpscopeBinary, [command, "--format", "jsonl", "-"], standardInput: path)
        #expect(fromInput.status == 0, "\(name) \(command): \(fromInput.stderr)")
        #expect(
          fromInput.stdout == fromFile.stdout.replacingOccurrences(of: "\"\(path)\"", with: "\"-\""),
          "\(name) \(command) differs when read from standard input")
      }
    }
    let empty = try run(dhcpscopeBinary, ["decode", "-r", "-"], standardInput: "/dev/null")
    #expect(empty.status == 1)
  }

  /// tcpdump's and tshark's habits: -r beside positional files, -f, -V, long forms, options
  /// offered only where they act, and "did you mean" for a misspelt command.
  @Test func tcpdumpHabits() throws {
    let file = "\(fixtures)/two-servers-multi.pcapng"
    let positional = try dhcpscope("analyze", "--format", "jsonl", file)
    let withR = try dhcpscope("analyze", "--format", "jsonl", "-r", file)
    #expect(withR.status == 0 && withR.stdout == positional.stdout)
    let longForms = try dhcpscope("analyze", "--format", "jsonl", "--read", file, "--output", "-")
    #expect(longForms.status == 0 && longForms.stdout == positional.stdout)
    // Shell completions complete interface names for -i and capture files for -r.
    let bash = try dhcpscope("--generate-completion-script", "bash")
    #expect(bash.status == 0 && bash.stdout.contains("/sys/class/net") && bash.stdout.contains("pcapng"))
    // -B as tcpdump: a size in KiB.
    #expect(try dhcpscope("sniff", "-i", "lo", "-B", "0").status == 2)
    // --packets writes text lines: refused with a JSON report.
    #expect(try dhcpscope("sniff", "-i", "lo", "--packets", "--format", "jsonl").status == 2)
    let filtered = try dhcpscope("decode", "--format", "jsonl", "-f", "src host 198.51.100.2", file)
    #expect(filtered.status == 0)
    let sources = try jsonLines(filtered.stdout).compactMap { $0["src"] as? String }
    #expect(!sources.isEmpty && sources.allSatisfy { $0 == "198.51.100.2" })
    let version = try dhcpscope("-V")
    #expect(version.status == 0 && version.stdout.hasPrefix("dhcpscope "))
    #expect(try dhcpscope("--version").stdout == version.stdout)
    // decode pairs nothing, so it has no --timeout.
    #expect(try dhcpscope("decode", "--timeout", "3", file).status == 2)
    #expect(try dhcpscope("sniff", "-i", "lo", "--count", "0").status == 2)
    #expect(try dhcpscope("analyze", "--max-tracked", "-5", file).status == 2)
    let misspelt = try dhcpscope("analyse", file)
    #expect(misspelt.status == 2 && misspelt.stderr.contains("'analyze'"))
    let help = try dhcpscope("sniff", "--help").stdout
    for long in ["--interface", "--count", "--write", "--relinquish-privileges", "--output", "--filter"] {
      #expect(help.contains(long), "sniff --help lacks \(long)")
    }
  }

  @Test func unreadableInputExitsOneNamingTheFile() throws {
    let missing = try dhcpscope("decode", "/nonexistent/x.pcap")
    #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/x.pcap"))
    let text = NSTemporaryDirectory() + "not-a-capture-\(getpid()).txt"
    try "hello\n".write(toFile: text, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: text) }
    let notCapture = try dhcpscope("analyze", text)
    #expect(notCapture.status == 1 && notCapture.stderr.contains("not a pcap or pcapng capture"))
  }

  @Test func truncatedFileReportsWhatWasReadThenWhereItBroke() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/single-any.pcap"))
    let cut = NSTemporaryDirectory() + "cut-\(getpid()).pcap"
    try data.prefix(2000).write(to: URL(fileURLWithPath: cut))
    defer { try? FileManager.default.removeItem(atPath: cut) }
    let decode = try dhcpscope("decode", "--format", "jsonl", cut)
    #expect(decode.status == 1)
    #expect(try jsonLines(decode.stdout).count == 5)
    #expect(decode.stderr.contains("\(cut): capture damaged at byte offset 2000, while reading packet 6"))
    let analyze = try dhcpscope("analyze", "--format", "jsonl", cut)
    #expect(analyze.status == 1)
    let lines = try jsonLines(analyze.stdout)
    #expect(lines.first?["outcome"] as? String == "incomplete")
    #expect(lines.last?["summary"] != nil)
    #expect(analyze.stderr.contains("while reading packet 6"))
  }

  @Test func interfacesListsLoopback() throws {
    let r = try dhcpscope("interfaces")
    #expect(r.status == 0)
    #expect(r.stdout.contains("lo"))
  }

  @Test func writeFailuresExitOne() throws {
    let file = "\(fixtures)/single-any.pcap"
    for format in ["jsonl", "text"] {
      let full = try dhcpscope("analyze", "--format", format, "-o", "/dev/full", file)
      #expect(full.status == 1 && full.stderr.contains("writing the report failed"), "analyze \(format)")
    }
    // decode's own standard output on a full device, as `decode F > /dev/full`.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: dhcpscopeBinary)
    process.arguments = ["decode", file]
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    #expect(try dhcpscope("analyze", "-o", "/proc/version", file).status == 1)
  }

  @Test func anOutputNamingAnInputIsRefused() throws {
    let victim = NSTemporaryDirectory() + "victim-\(getpid()).pcap"
    let link = NSTemporaryDirectory() + "victim-link-\(getpid()).pcap"
    try FileManager.default.copyItem(atPath: "\(fixtures)/single-any.pcap", toPath: victim)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
    defer {
      try? FileManager.default.removeItem(atPath: victim)
      try? FileManager.default.removeItem(atPath: link)
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: victim))
    #expect(try dhcpscope("analyze", "-o", victim, victim).status == 2)
    #expect(try dhcpscope("decode", "-o", link, "\(fixtures)/nak-any.pcap", victim).status == 2)
    #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before)
  }

  @Test func anUnsupportedLinkTypeIsNamedAndExitsOne() throws {
    let r = try dhcpscope("decode", "\(fixtures)/crafted/linktype-ieee80211.pcap")
    #expect(r.status == 1)
    #expect(r.stderr.contains("link type 105"))
    #expect(r.stdout.isEmpty)
    // Beside a good file, the good file is still analysed, and the run still exits 1.
    let both = try dhcpscope(
      "analyze", "--format", "jsonl", "\(fixtures)/crafted/linktype-ieee80211.pcap", "\(fixtures)/single-any.pcap")
    #expect(both.status == 1)
    #expect(try jsonLines(both.stdout).first?["outcome"] as? String == "bound")
  }
}
