import Foundation
import PacketCraft
import Testing

/// Whether the lab can run here: root, `ip netns`, and the ISC DHCP suite.
enum Lab {
  static let unavailableReason: String? = {
    if getuid() != 0 { return "not root: the lab needs network namespaces" }
    for tool in ["ip", "dhcpd", "dhcrelay", "dhclient"] where which(tool) == nil {
      return "\(tool) is not installed (make test-deps installs it)"
    }
    guard let probe = try? run(which("ip")!, ["netns", "list"]), probe.status == 0 else {
      return "ip netns does not work here"
    }
    return nil
  }()

  static var available: Bool {
    if let reason = unavailableReason { print("skipped: live lab tests: \(reason)") }
    return unavailableReason == nil
  }

  struct Run {
    var result: [String: String]
    var live: [[String: Any]]
    var directory: String
    /// The report as written, for the text format.
    var report: String
    /// With `metricsPort`: each scrape of /metrics taken while sniff ran, in order.
    var scrapes: [String] = []
  }

  /// Runs a lab scenario with `dhcpscope sniff` on the relay namespace's `any` device. With
  /// `metricsPort`, sniff serves metrics there and curl scrapes them twice a second in the
  /// relay's namespace until sniff ends.
  static func sniff(
    _ scenario: String, format: String = "jsonl", extra: String = "", hold: Int = 1, metricsPort: Int? = nil
  ) throws -> Run {
    let dir = NSTemporaryDirectory() + "dhcpscope-lab-\(scenario)-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var command =
      "\(dhcpscopeBinary) sniff -i any --format \(format) \(extra) -o \(dir)/live.jsonl -w \(dir)/live.pcap 2> \(dir)/sniff.err"
    if let metricsPort {
      // sniff replaces the script's shell (so it gets the lab's SIGINT); the scraper loops
      // beside it while that process lives.
      let script = """
        main=$$
        n=0
        while kill -0 $main 2>/dev/null; do
          if curl -sf --max-time 2 http://127.0.0.1:\(metricsPort)/metrics -o \(dir)/scrape.tmp; then
            n=$((n + 1)); mv \(dir)/scrape.tmp \(dir)/scrape-$n.prom
          fi
          sleep 0.5
        done &
        exec \(command) --metrics 127.0.0.1:\(metricsPort)
        """
      try script.write(toFile: "\(dir)/sniff-and-scrape.sh", atomically: true, encoding: .utf8)
      command = "bash \(dir)/sniff-and-scrape.sh"
    }
    var env = ProcessInfo.processInfo.environment
    env["LAB_PREFIX"] = "dse2e"
    let lab = try run(
      "\(fixtures)/lab/lab.sh", [scenario, dir, "--hold", "\(hold)", "--run-in-relay", command], timeout: 120,
      environment: env)
    #expect(lab.status == 0, "lab.sh \(scenario): \(lab.stderr)")
    var result: [String: String] = [:]
    for file in ["result.env", "relay-cmd.env"] {
      let text = (try? String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)) ?? ""
      for line in text.split(separator: "\n") {
        let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
        result[kv[0]] = kv.count > 1 ? kv[1] : ""
      }
    }
    let report = (try? String(contentsOfFile: "\(dir)/live.jsonl", encoding: .utf8)) ?? ""
    let live = format == "jsonl" ? try jsonLines(report) : []
    var scrapes: [String] = []
    while let scrape = try? String(contentsOfFile: "\(dir)/scrape-\(scrapes.count + 1).prom", encoding: .utf8) {
      scrapes.append(scrape)
    }
    return Run(result: result, live: live, directory: dir, report: report, scrapes: scrapes)
  }
}

@Suite(.serialized, .enabled(if: Lab.available, "needs root, ip netns and the ISC DHCP suite"))
struct LiveLabTests {
  @Test func sniffSeesTheRelayedLeaseDhclientGot() throws {
    let run = try Lab.sniff("single")
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    let leased = try #require(run.result["LEASED_ADDRESS"])
    #expect(!leased.isEmpty, "dhclient got no lease")
    let sniffErr = (try? String(contentsOfFile: "\(run.directory)/sniff.err", encoding: .utf8)) ?? ""
    #expect(run.result["RELAY_CMD_STATUS"] == "0", "sniff did not exit 0 on SIGINT: \(sniffErr)")
    let dora = try #require(run.live.first { $0["kind"] as? String == "DORA" && $0["outcome"] as? String == "bound" })
    #expect(dora["assigned_address"] as? String == leased)
    #expect(dora["relay_agents"] as? [String] == ["192.0.2.1"])
    let servers = dora["servers"] as! [[String: Any]]
    #expect(servers.map { $0["address"] as! String } == [run.result["SERVER_ID"]!])
    let legs = (dora["sequence"] as! [[String: Any]]).map { $0["leg"] as! String }
    #expect(legs.starts(with: ["client-relay", "relay-server", "server-relay", "relay-client"]))
    let summary = try #require(run.live.last?["summary"] as? [String: Any])
    let capture = try #require(summary["capture"] as? [String: Any])
    #expect((capture["received"] as? Int ?? 0) >= 8)

    // What sniff saved with -w reads back to the same transactions.
    let saved = try jsonLines(try dhcpscope("analyze", "--format", "jsonl", "\(run.directory)/live.pcap").stdout)
    let again = try #require(
      saved.first { $0["xid"] as? String == dora["xid"] as? String && $0["kind"] as? String == "DORA" })
    #expect(again["outcome"] as? String == "bound")
    #expect(again["assigned_address"] as? String == leased)
    #expect(again["flags"] as? [String] == dora["flags"] as? [String])
    #expect((again["sequence"] as! [Any]).count == (dora["sequence"] as! [Any]).count)
  }

  /// Kea's DHCPv4 server behind the same relay: sniff reports the lease dhclient got from it.
  @Test(.enabled(if: which("kea-dhcp4") != nil, "kea-dhcp4 is not installed (make test-deps installs it)"))
  func sniffSeesTheRelayedLeaseKeaGave() throws {
    let run = try Lab.sniff("kea")
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    let leased = try #require(run.result["LEASED_ADDRESS"])
    #expect(!leased.isEmpty, "dhclient got no lease from Kea")
    #expect(run.result["RELAY_CMD_STATUS"] == "0")
    let dora = try #require(run.live.first { $0["kind"] as? String == "DORA" && $0["outcome"] as? String == "bound" })
    #expect(dora["assigned_address"] as? String == leased)
    let servers = dora["servers"] as! [[String: Any]]
    #expect(servers.map { $0["address"] as! String } == [run.result["SERVER_ID"]!])
    #expect((dora["findings"] as? [Any])?.isEmpty == true)
    let legs = (dora["sequence"] as! [[String: Any]]).map { $0["leg"] as! String }
    #expect(legs.starts(with: ["client-relay", "relay-server", "server-relay", "relay-client"]))
  }

  /// --packets: a line per DHCP packet as it arrives, before the transaction it belongs to.
  @Test func packetLinesComeBeforeTheirTransaction() throws {
    let run = try Lab.sniff("single", format: "text", extra: "--packets")
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    #expect(run.result["RELAY_CMD_STATUS"] == "0")
    let lines = run.report.split(separator: "\n")
    let packetLines = lines.indices.filter { lines[$0].contains(" xid 0x") && lines[$0].contains(" > ") }
    let firstLadder = try #require(lines.firstIndex { $0.hasPrefix("━━ ") && $0.contains("DORA") })
    #expect(packetLines.count >= 8, "\(run.report)")
    #expect(packetLines.first.map { $0 < firstLadder } == true)
    #expect(lines.contains { $0.contains(" DISCOVER xid ") && $0.contains(" giaddr 192.0.2.1") })
  }

  @Test func noServerTimesOutLive() throws {
    let run = try Lab.sniff("no-server", extra: "--timeout 3")
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    #expect(run.result["RELAY_CMD_STATUS"] == "0")
    #expect(run.live.last?["summary"] != nil)
    let timedOut = try #require(run.live.first { $0["outcome"] as? String == "timeout" })
    #expect(timedOut["kind"] as? String == "DORA")
    let flags = timedOut["flags"] as? [String] ?? []
    #expect(flags.contains("timeout") && flags.contains("server-no-reply"))
    #expect((timedOut["servers"] as! [[String: Any]]).first?["address"] as? String == "198.51.100.2")
    // The built-in filter takes the server's ICMP port unreachable, quoting the relayed DISCOVER.
    let codes = (timedOut["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    #expect(codes.contains("icmp-unreachable"), "\(codes)")
  }

  @Test func silentServerOfTwo() throws {
    let run = try Lab.sniff("first-down")
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    #expect(run.result["RELAY_CMD_STATUS"] == "0")
    let dora = try #require(run.live.first { $0["kind"] as? String == "DORA" && $0["outcome"] as? String == "bound" })
    #expect(dora["assigned_address"] as? String == run.result["LEASED_ADDRESS"])
    #expect((dora["flags"] as? [String])?.contains("server-no-reply") == true)
    let servers = dora["servers"] as! [[String: Any]]
    let silent = try #require(servers.first { $0["address"] as? String == "198.51.100.2" })
    #expect(silent["answered"] as? Bool == false)
    #expect(servers.contains { $0["address"] as? String == "198.51.100.10" && $0["answered"] as? Bool == true })
  }
}

// One at a time: some of these send traffic on loopback that the others would see.
@Suite(.serialized, .enabled(if: getuid() == 0, "opening capture devices needs root"))
struct SniffErrorTests {
  @Test func noSuchInterface() throws {
    let r = try dhcpscope("sniff", "-i", "nosuchif0", "--duration", "1")
    #expect(r.status == 1)
    #expect(r.stderr.contains("nosuchif0: no such capture interface"))
  }

  @Test func dropsPrivilegesAfterOpening() throws {
    let r = try dhcpscope("sniff", "-i", "lo", "-Z", "nobody", "--duration", "0.5", "--format", "jsonl")
    #expect(r.status == 0, "\(r.stderr)")
    let bad = try dhcpscope("sniff", "-i", "lo", "-Z", "no-such-user-here", "--duration", "0.5")
    #expect(bad.status == 1 && bad.stderr.contains("no such user"))
  }

  @Test func aFilterLibpcapRejectsIsAUsageError() throws {
    let r = try dhcpscope("sniff", "-i", "lo", "--filter", "port 67 and", "--duration", "1")
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.contains("invalid filter"))
  }

  @Test func savedCaptureOwnedByTheUserOfZ() throws {
    let dir = NSTemporaryDirectory() + "dhcpscope-z-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try dhcpscope(
      "sniff", "-i", "lo", "-Z", "nobody", "-w", "\(dir)/saved.pcap", "-o", "\(dir)/report.jsonl", "--duration",
      "0.5", "--format", "jsonl")
    #expect(r.status == 0, "\(r.stderr)")
    for file in ["saved.pcap", "report.jsonl"] {
      let owner = try FileManager.default.attributesOfItem(atPath: "\(dir)/\(file)")[.ownerAccountName] as? String
      #expect(owner == "nobody", "\(file)")
    }
  }

  @Test func writeErrorsOfSniffExitOne() throws {
    let saved = try dhcpscope("sniff", "-i", "lo", "-w", "/dev/full", "--duration", "0.5")
    #expect(saved.status == 1 && saved.stderr.contains("/dev/full"))
    let report = try dhcpscope("sniff", "-i", "lo", "-o", "/dev/full", "--duration", "0.5")
    #expect(report.status == 1 && report.stderr.contains("writing the report failed"))
    #expect(try dhcpscope("sniff", "-i", "lo", "-w", "/tmp/x.pcap", "-o", "/tmp/x.pcap").status == 2)
  }

  @Test func captureToStandardOutputSendsTheReportToStandardError() throws {
    let r = try dhcpscope("sniff", "-i", "lo", "-w", "-", "--duration", "0.5")
    #expect(r.status == 0, "\(r.stderr)")
    // A nanosecond pcap header: magic a1b23c4d, little-endian ("M<" then bytes not UTF-8).
    #expect(r.stdout.hasPrefix("M<"))
    #expect(r.stderr.contains("Summary"))
  }

  /// -w with -C and -W rotates as tcpdump does: 2.4 MB of DHCP-port traffic on loopback in
  /// 1 MB files, cycling through three, every file a whole pcap.
  @Test func rotatesTheSaveFile() throws {
    let directory = NSTemporaryDirectory() + "dhcpscope-rotate-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let sniff = Process()
    sniff.executableURL = URL(fileURLWithPath: dhcpscopeBinary)
    sniff.arguments = [
      "sniff", "-i", "lo", "-B", "32768", "-w", "\(directory)/rot.pcap", "-C", "1", "-W", "3", "--duration", "4",
      "--format", "jsonl",
      "-o", "\(directory)/report.jsonl",
    ]
    try sniff.run()
    usleep(800_000)
    // Loopback only: 1 200 datagrams of 2 000 bytes to 127.0.0.1:67, paced so the capture
    // keeps up (it writes each frame through to the file).
    sendToLoopbackServerPort((0..<1_200).map { _ in [UInt8](repeating: 0, count: 2_000) }, pauseMicroseconds: 1_000)
    sniff.waitUntilExit()
    #expect(sniff.terminationStatus == 0)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("rot.pcap") }
      .sorted()
    #expect(files == ["rot.pcap0", "rot.pcap1", "rot.pcap2"], "\(files)")
    var frames = 0
    for file in files {
      let r = try dhcpscope("decode", "--format", "jsonl", "\(directory)/\(file)")
      #expect(r.status == 0, "\(file) is not a whole capture: \(r.stderr)")
      let size = (try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")[.size] as? Int) ?? 0
      #expect(size < 1_000_000 + 70_000, "\(file): \(size) bytes")
      frames += r.stdout.split(separator: "\n").count
    }
    _ = frames
    #expect(try dhcpscope("sniff", "-i", "lo", "-C", "1").status == 2)  // -C rotates -w: needs -w
  }

  /// -o with -G: a new report file every second, each whole JSON Lines; together they hold
  /// every transaction once, and the summary is in the last file and on stderr.
  @Test func rotatesTheReport() throws {
    let directory = NSTemporaryDirectory() + "dhcpscope-rotate-report-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let sniff = Process()
    sniff.executableURL = URL(fileURLWithPath: dhcpscopeBinary)
    sniff.arguments = [
      "sniff", "-i", "lo", "--format", "jsonl", "--timeout", "1", "-G", "1", "-o", "\(directory)/report-%H%M%S.jsonl",
      "--duration", "5",
    ]
    let errors = Pipe()
    sniff.standardError = errors
    try sniff.run()
    usleep(800_000)
    // 300 DISCOVERs nobody answers, each its own xid, over three seconds: each times out.
    let discovers = (0..<300).map { BOOTPBuilder(type: 1, xid: 0xD15C_0000 + UInt32($0)).build() }
    sendToLoopbackServerPort(discovers, pauseMicroseconds: 10_000)
    sniff.waitUntilExit()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(sniff.terminationStatus == 0, "\(stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(files.count >= 3, "\(files)")
    var xids: [String] = []
    for (n, file) in files.enumerated() {
      let lines = try jsonLines(try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8))
      xids += lines.compactMap { $0["xid"] as? String }
      let summaries = lines.filter { $0["summary"] != nil }.count
      #expect(summaries == (n == files.count - 1 ? 1 : 0), "\(file)")
    }
    #expect(xids.count == 300 && Set(xids).count == 300)
    #expect(stderr.contains("{\"summary\":"))
    // Other formats have headers or brackets a cut would break.
    #expect(try dhcpscope("sniff", "-i", "lo", "-G", "1", "-o", "\(directory)/r.txt").status == 2)
  }

  @Test func stopsByItselfAfterDuration() throws {
    let r = try dhcpscope("sniff", "-i", "lo", "--duration", "1", "--format", "jsonl")
    #expect(r.status == 0)
    let lines = try jsonLines(r.stdout)
    #expect(lines.count == 1 && lines[0]["summary"] != nil)
    // With a capture buffer of 4 MiB (-B, as tcpdump).
    #expect(try dhcpscope("sniff", "-i", "lo", "-B", "4096", "--duration", "0.3", "--format", "jsonl").status == 0)
  }
}

/// Sends each payload as a UDP datagram to 127.0.0.1:67 (loopback only), pausing between them.
func sendToLoopbackServerPort(_ payloads: [[UInt8]], pauseMicroseconds: UInt32) {
  let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(67).bigEndian
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  for payload in payloads {
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    usleep(pauseMicroseconds)
  }
}

/// `sniff --metrics` in the lab, scraped with curl while it runs and checked with promtool. In
/// the lab's suite, which runs one scenario at a time.
extension LiveLabTests {
  static let scrapers = which("curl") != nil && which("promtool") != nil

  @Test(.enabled(if: scrapers, "needs curl and promtool (make test-deps installs them)"))
  func metricsScrapedWhileARelayedLeaseIsMade() throws {
    // A bound transaction ends once its grace for late copies has passed: the lab holds on.
    let lab = try Lab.sniff("single", hold: 4, metricsPort: 9167)
    defer { try? FileManager.default.removeItem(atPath: lab.directory) }
    #expect(lab.result["RELAY_CMD_STATUS"] == "0")
    let scrape = try #require(lab.scrapes.last, "no scrape succeeded while sniff ran")
    let server = try #require(lab.result["SERVER_ID"])
    let bound = ["family": "dhcpv4", "kind": "DORA", "outcome": "bound"]
    #expect(Exposition.value(scrape, "dhcpscope_transactions_total", bound) ?? 0 >= 1, "\(scrape)")
    #expect(Exposition.value(scrape, "dhcpscope_server_response_seconds_count", ["server": server]) ?? 0 >= 2)
    #expect(
      Exposition.value(scrape, "dhcpscope_server_response_seconds_bucket", ["server": server, "le": "10.0"]) ?? 0 >= 2)
    #expect(Exposition.value(scrape, "dhcpscope_server_exchanges_answered_total", ["server": server]) ?? 0 >= 2)
    #expect(Exposition.value(scrape, "dhcpscope_relay_replies_total", ["relay": "192.0.2.1"]) ?? 0 >= 2)
    #expect(Exposition.value(scrape, "dhcpscope_packets_total", ["class": "dhcp"]) ?? 0 >= 8)
    #expect(Exposition.value(scrape, "dhcpscope_pcap_received_total", [:]) ?? 0 >= 8)
    #expect(
      scrape.split(separator: "\n").contains {
        $0.hasPrefix("dhcpscope_build_info{version=\"") && $0.hasSuffix("} 1.0")
      })
    try scrape.write(toFile: "\(lab.directory)/checked.prom", atomically: true, encoding: .utf8)
    let check = try run(which("promtool")!, ["check", "metrics"], standardInput: "\(lab.directory)/checked.prom")
    #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
  }

  /// The DISCOVER nobody answers counts as a timeout by the clock, before sniff stops.
  @Test(.enabled(if: scrapers, "needs curl and promtool (make test-deps installs them)"))
  func metricsCountATimeoutWhileRunning() throws {
    let run = try Lab.sniff("no-server", extra: "--timeout 3", hold: 6, metricsPort: 9168)
    defer { try? FileManager.default.removeItem(atPath: run.directory) }
    #expect(run.result["RELAY_CMD_STATUS"] == "0")
    let timeout = ["family": "dhcpv4", "kind": "DORA", "outcome": "timeout"]
    let seen = run.scrapes.firstIndex { Exposition.value($0, "dhcpscope_transactions_total", timeout) ?? 0 >= 1 }
    #expect(seen != nil, "no scrape counted the timeout: \(run.scrapes.last ?? "no scrape")")
    let last = try #require(run.scrapes.last)
    #expect(Exposition.value(last, "dhcpscope_server_exchanges_total", ["server": "198.51.100.2"]) ?? 0 >= 1)
    #expect(Exposition.value(last, "dhcpscope_server_exchanges_answered_total", ["server": "198.51.100.2"]) == 0)
    #expect(Exposition.value(last, "dhcpscope_transaction_flags_total", ["flag": "server-no-reply"]) ?? 0 >= 1)
  }
}

/// Reads samples out of a Prometheus text exposition.
enum Exposition {
  /// The value of the sample `name` whose labels are exactly `labels`.
  static func value(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let space = line.lastIndex(of: " ") else { continue }
      let series = line[..<space]
      let sampleName = series.prefix { $0 != "{" }
      guard sampleName == name, self.labels(of: series) == labels else { continue }
      return Double(line[line.index(after: space)...])
    }
    return nil
  }

  static func labels(of series: Substring) -> [String: String] {
    guard let open = series.firstIndex(of: "{"), series.hasSuffix("}") else { return [:] }
    var result: [String: String] = [:]
    for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
      let kv = pair.split(separator: "=", maxSplits: 1)
      guard kv.count == 2 else { continue }
      result[String(kv[0])] = String(kv[1].dropFirst().dropLast())
    }
    return result
  }
}

/// `sniff` on the client-facing relay of the DHCPv6 lab while ISC dhclient -6 gets a lease
/// through dhcrelay -6 from dhcpd -6 (or Kea's kea-dhcp6).
@Suite(
  .serialized,
  .enabled(if: Lab.available && which("curl") != nil, "needs the lab (root, ip netns, ISC DHCP) and curl"))
struct LiveDHCPv6Tests {
  /// Runs `lab6.sh scenario` with `sniff` (its command line given the run's directory) on the
  /// client-facing relay: the address dhclient -6 got, sniff's report, and the directory.
  static func sniff(
    _ scenario: String, prefix: String, hold: Int, sniffCommand: (String) throws -> String
  ) throws -> (leased: String?, live: [[String: Any]], directory: String) {
    let dir = NSTemporaryDirectory() + "dhcpscope-lab6-\(scenario)-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var env = ProcessInfo.processInfo.environment
    env["LAB_PREFIX"] = prefix
    env["CLIENT_SECONDS"] = "8"
    let lab = try run(
      "\(fixtures)/lab/lab6.sh", [scenario, dir, "--hold", "\(hold)", "--run-in-relay", try sniffCommand(dir)],
      timeout: 120, environment: env)
    #expect(lab.status == 0, "lab6.sh \(scenario): \(lab.stderr)")
    let result = try String(contentsOfFile: "\(dir)/result.env", encoding: .utf8)
    let leased = result.split(separator: "\n").first { $0.hasPrefix("LEASED_ADDRESS=") }?.dropFirst(15)
    let live = try jsonLines((try? String(contentsOfFile: "\(dir)/live.jsonl", encoding: .utf8)) ?? "")
    return (leased.map(String.init), live, dir)
  }

  /// The SARR sniff reported, bound to the address dhclient -6 got.
  static func boundSARR(_ leased: String?, _ live: [[String: Any]]) throws -> [String: Any] {
    #expect(leased?.isEmpty == false, "dhclient -6 got no lease")
    let sarr = try #require(live.first { $0["family"] as? String == "dhcpv6" && $0["kind"] as? String == "SARR" })
    #expect(sarr["outcome"] as? String == "bound")
    let addresses = (sarr["assigned_addresses"] as? [[String: Any]])?.compactMap { $0["address"] as? String }
    #expect(addresses == [leased ?? ""])
    #expect(sarr["relay_agents"] as? [String] == ["2001:db8:1::1"])
    return sarr
  }

  @Test func sniffSeesTheRelayedSARR() throws {
    let (leased, live, dir) = try Self.sniff("single", prefix: "dse2e6", hold: 4) { dir in
      let script = """
        main=$$
        while kill -0 $main 2>/dev/null; do
          curl -sf --max-time 2 http://127.0.0.1:9171/metrics -o \(dir)/scrape.tmp && mv \(dir)/scrape.tmp \(dir)/scrape.prom
          sleep 0.5
        done &
        exec \(dhcpscopeBinary) sniff -i any --format jsonl -o \(dir)/live.jsonl --metrics 127.0.0.1:9171 2> \(dir)/sniff.err
        """
      try script.write(toFile: "\(dir)/sniff.sh", atomically: true, encoding: .utf8)
      return "bash \(dir)/sniff.sh"
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sarr = try Self.boundSARR(leased, live)
    let legs = (sarr["sequence"] as? [[String: Any]])?.compactMap { $0["leg"] as? String } ?? []
    #expect(legs.starts(with: ["client-relay", "relay-server", "server-relay", "relay-client"]))
    // Counted in the metrics while sniff ran.
    let scrape = (try? String(contentsOfFile: "\(dir)/scrape.prom", encoding: .utf8)) ?? ""
    let bound = ["family": "dhcpv6", "kind": "SARR", "outcome": "bound"]
    #expect(Exposition.value(scrape, "dhcpscope_transactions_total", bound) ?? 0 >= 1, "\(scrape)")
  }

  /// Kea's kea-dhcp6 behind the same relay: sniff reports the address dhclient -6 got from it.
  @Test(.enabled(if: which("kea-dhcp6") != nil, "kea-dhcp6 is not installed (make test-deps installs it)"))
  func sniffSeesTheSARRKeaGave() throws {
    let (leased, live, dir) = try Self.sniff("kea", prefix: "dse2e6k", hold: 1) { dir in
      "\(dhcpscopeBinary) sniff -i any --format jsonl -o \(dir)/live.jsonl 2> \(dir)/sniff.err"
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sarr = try Self.boundSARR(leased, live)
    #expect((sarr["findings"] as? [Any])?.isEmpty == true)
  }
}
