import Correlate
import Dissect
import Foundation
import Monitoring
import Pipeline
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
  "../../Fixtures"
).standardized.path

/// The exposition's series of one metric, as `name{labels}` strings.
private func series(_ text: String, _ name: String) -> [Substring] {
  text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
}

struct DHCPMetricsTests {
  /// A flood of spoofed Server Identifiers: the first 32 servers get their own series, the
  /// rest share `other`, and the overflow is counted.
  @Test func serverLabelsAreCapped() throws {
    let records = try FileAnalysis.records(of: ["\(fixtures)/crafted/failover.pcap"])
    let template = try #require(records.first { !$0.servers.isEmpty })
    let metrics = DHCPMetrics(version: "test")
    for n in 0..<100 {
      var spoofed = template
      spoofed.servers = [template.servers[0]]
      spoofed.servers[0].address = IPv4Address(UInt32(0xC633_6400) + UInt32(n))  // 198.51.100.n
      metrics.record(spoofed)
    }
    let text = String(decoding: metrics.exposition(), as: UTF8.self)
    let requests = series(text, "dhcpscope_server_requests_total")
    #expect(requests.count == DHCPMetrics.endpointLimit + 1)
    #expect(requests.contains { $0.hasPrefix("dhcpscope_server_requests_total{server=\"other\"}") })
    let overflow = series(text, "dhcpscope_endpoint_label_overflow_total").first { $0.contains("role=\"server\"") }
    #expect(overflow?.hasSuffix(" 68") == true, "\(overflow ?? "none")")
    // 17 histogram buckets (16 bounds and +Inf) per series.
    #expect(series(text, "dhcpscope_server_response_seconds_bucket").count <= 17 * (DHCPMetrics.endpointLimit + 1))
  }

  /// Packet counters follow the reader's counts by their growth, however often refreshed.
  @Test func packetCountersFollowTheReader() {
    let metrics = DHCPMetrics(version: "test")
    var counts = ReadCounts()
    counts.dhcp = 5
    counts.other = 2
    metrics.refresh(counts: counts, openTransactions: 3, capture: nil)
    metrics.refresh(counts: counts, openTransactions: 3, capture: nil)
    counts.dhcp = 9
    metrics.refresh(
      counts: counts, openTransactions: 1, capture: CaptureCounters(received: 11, dropped: 0, interfaceDropped: 0))
    let text = String(decoding: metrics.exposition(), as: UTF8.self)
    #expect(series(text, "dhcpscope_packets_total").contains("dhcpscope_packets_total{class=\"dhcp\"} 9"))
    #expect(series(text, "dhcpscope_packets_total").contains("dhcpscope_packets_total{class=\"other\"} 2"))
    #expect(series(text, "dhcpscope_open_transactions") == ["dhcpscope_open_transactions 1.0"])
    #expect(series(text, "dhcpscope_pcap_received_total") == ["dhcpscope_pcap_received_total 11"])
  }
}
