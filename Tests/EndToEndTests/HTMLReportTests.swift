import Foundation
import Testing

/// Headless Chromium, where installed (`make test-deps` installs Debian's `chromium`).
let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}

/// `analyze --format html` and `--format mermaid`.
@Suite struct HTMLReportTests {
  func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dhcpscope-html-\(getpid())-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  /// The page as headless Chromium leaves it after its scripts ran, with every network
  /// fetch sent to a closed port.
  func renderedDOM(_ page: String) throws -> String {
    let browser = try run(
      chromium!,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--dump-dom", "file://\(page)",
      ], timeout: 90)
    try #require(browser.status == 0, "\(browser.stderr)")
    return browser.stdout
  }

  /// The page of the failover fixture and a lab capture, loaded by a real browser: a drawn
  /// ladder per transaction, the failover finding and the silent server on the page, the
  /// filter script run, and nothing on the page that reaches the network.
  @Test(.enabled(if: chromium != nil, "needs chromium")) func browserRendersTheLadders() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let page = directory.appendingPathComponent("report.html").path
    let made = try dhcpscope(
      "analyze", "--format", "html", "-o", page, "\(fixtures)/crafted/failover.pcap",
      "\(fixtures)/first-down-multi.pcapng")
    try #require(made.status == 0, "\(made.stderr)")
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(
      !html.contains("http://") && !html.contains("https://") && !html.contains(" src="), "the page fetches nothing")

    let dom = try renderedDOM(page)
    let sections = dom.components(separatedBy: "<section class=\"tx").count - 1
    let ladders = dom.components(separatedBy: "<svg class=\"ladder\"").count - 1
    #expect(sections == 2 && ladders == sections, "\(sections) transactions, \(ladders) ladders")
    #expect(dom.contains("id=\"xid-0xf0f00001\""))
    #expect(dom.contains("the relay failed over to 198.51.100.10 after 6 s"))
    #expect(dom.contains("server (silent)") && dom.contains("✕ no reply"))
    #expect(dom.contains("data-code=\"failover\"") && dom.contains("data-code=\"server-no-reply\""))
    // The filter script ran: it shows the controls and counts what it shows.
    #expect(dom.contains("2 of 2 drawn transactions shown"))
  }

  /// A DHCPv6 relay chain seen at both relays: a lane per relay, every hop drawn.
  @Test(.enabled(if: chromium != nil, "needs chromium")) func browserRendersADHCPv6Chain() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let page = directory.appendingPathComponent("report.html").path
    let made = try dhcpscope(
      "analyze", "--format", "html", "-o", page, "\(fixtures)/dhcpv6/chain-relay1.pcap@relay1",
      "\(fixtures)/dhcpv6/chain-relay2.pcap@relay2")
    try #require(made.status == 0, "\(made.stderr)")
    let dom = try renderedDOM(page)
    #expect(dom.components(separatedBy: "<section class=\"tx").count - 1 == 1)
    #expect(dom.contains(">relay 1</text>") && dom.contains(">relay 2</text>"))
    #expect(dom.components(separatedBy: "<line class=\"arrow").count - 1 == 16, "one arrow per hop")
    #expect(dom.contains("16 DHCPv6 messages") && dom.contains("1 of 1 drawn transactions shown"))
  }

  /// A large capture gives a page a browser can open: ladders up to the documented limits,
  /// a note of what was left out, and the summary over every transaction.
  @Test func largeCaptureDrawsASample() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let generator = URL(fileURLWithPath: dhcpscopeBinary).deletingLastPathComponent().path + "/dhcpscope-gen"
    let capture = directory.appendingPathComponent("load.pcap").path
    let generated = try run(generator, ["load", "--transactions", "3000", "-o", capture])
    try #require(generated.status == 0, "\(generated.stderr)")
    let page = directory.appendingPathComponent("report.html").path
    let made = try dhcpscope("analyze", "--format", "html", "-o", page, capture)
    try #require(made.status == 0, "\(made.stderr)")
    let html = try String(contentsOfFile: page, encoding: .utf8)
    let ladders = html.components(separatedBy: "<svg class=\"ladder\"").count - 1
    #expect(ladders > 0 && ladders <= 2_000 + 200)
    #expect(html.contains("Left out to keep the page small"))
    let summary = try dhcpscope("analyze", "--format", "jsonl", "-q", capture)
    let counted = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
    let transactions = try #require((counted?["summary"] as? [String: Any])?["transactions"] as? Int)
    #expect(transactions >= 3000)
    #expect(html.contains("· \(transactions) transactions from"), "the summary counts every transaction")
    #expect(html.utf8.count < 20_000_000)
  }

  /// Mermaid: one fenced sequenceDiagram per transaction, every line of the grammar's forms.
  @Test func mermaidDiagramsParse() throws {
    let r = try dhcpscope(
      "analyze", "--format", "mermaid", "\(fixtures)/crafted/failover.pcap", "\(fixtures)/release-any.pcap",
      "\(fixtures)/dhcpv6/chain-relay1.pcap", "\(fixtures)/dhcpv6/chain-relay2.pcap")
    #expect(r.status == 0)
    let participant = try Regex(#"^  participant [A-Z][0-9]* as [^;#\n]+$"#)
    let message = try Regex(#"^  [A-Z][0-9]*(->>|-->>)[A-Z][0-9]*: [^;#\n]+$"#)
    let note = try Regex(#"^  Note over [A-Z][0-9]*(,[A-Z][0-9]*)?: [^;#\n]+$"#)
    let title = try Regex(#"^  title [^;#\n]+$"#)
    var diagrams = 0
    var inside = false
    for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
      if line == "```mermaid" {
        #expect(!inside)
        inside = true
        diagrams += 1
      } else if line == "```" {
        #expect(inside)
        inside = false
      } else if line == "sequenceDiagram" {
        #expect(inside)
      } else {
        #expect(
          line.wholeMatch(of: participant) != nil || line.wholeMatch(of: message) != nil
            || line.wholeMatch(of: note) != nil || line.wholeMatch(of: title) != nil, "not Mermaid: \(line)")
      }
    }
    #expect(diagrams == 4 && !inside)
    #expect(r.stdout.contains("R1->>S1: DISCOVER frame 2"))
    // DHCPv6 through two relays: the hop between them is drawn.
    #expect(r.stdout.contains("R1->>R2: SOLICIT") && r.stdout.contains("R2->>S1: SOLICIT"))
    // The page and the diagrams are analyze's.
    #expect(try dhcpscope("decode", "--format", "html", "\(fixtures)/crafted/failover.pcap").status == 2)
  }
}
