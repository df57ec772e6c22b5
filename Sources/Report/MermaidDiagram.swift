import Correlate
import Dissect

/// `analyze --format mermaid`: one Mermaid `sequenceDiagram` per transaction, fenced as
/// Markdown, so it pastes into a GitHub or GitLab ticket or a wiki and renders there.
enum MermaidDiagram {
  static func write(_ t: TransactionRecord, into w: inout ReportWriter) {
    var lines = ["```mermaid", "sequenceDiagram"]
    var title = "\(t.kind.rawValue) xid \(Ladder.formatXID(t.xid)) client \(t.clientMAC): \(t.outcome.rawValue)"
    if let a = t.assignedAddress { title += " \(a)" }
    lines.append("  title \(clean(title))")
    lines.append("  participant C as client \(t.clientMAC)")
    var relayNames: [IPv4Address: String] = [:]
    for (i, r) in t.relayAgents.enumerated() {
      relayNames[r] = "R\(i + 1)"
      lines.append("  participant R\(i + 1) as relay \(r)")
    }
    var serverNames: [IPv4Address: String] = [:]
    let servers = t.serverAddresses
    for (i, a) in servers.enumerated() {
      serverNames[a] = "S\(i + 1)"
      lines.append("  participant S\(i + 1) as server \(a)")
    }
    let anyRelay = relayNames.values.sorted().first ?? "R"
    if relayNames.isEmpty && t.sequence.contains(where: { $0.leg == .clientRelay || $0.leg == .relayClient }) {
      lines.append("  participant R as relay")
    }
    if servers.isEmpty { lines.append("  participant S as server") }
    let anyServer = serverNames.isEmpty ? "S" : "S1"
    let start = t.sequence.first?.timestamp ?? t.firstSeen
    for e in t.sequence {
      let relay = relayNames[e.giaddr] ?? anyRelay
      let server = e.serverAddress.flatMap { serverNames[$0] } ?? anyServer
      func participant(_ party: Leg.Party) -> String {
        switch party {
        case .client: return "C"
        case .relay: return relay
        case .server: return server
        }
      }
      let (from, to) = (participant(e.leg.ends.from), participant(e.leg.ends.to))
      // A solid arrow for a packet, a dotted one for the same packet captured again.
      let arrow = e.isDuplicate ? "-->>" : "->>"
      let time = formatDecimal(e.timestamp.milliseconds(since: start), places: 3)
      lines.append(
        "  \(from)\(arrow)\(to): \(e.typeName) frame \(e.frame) +\(time) ms\(e.isDuplicate ? " (same packet)" : "")")
    }
    for f in t.findings {
      let over = servers.isEmpty ? "C" : "C,\(serverNames[servers.last!] ?? anyServer)"
      lines.append("  Note over \(over): \(f.severity == .problem ? "problem" : "note"): \(clean(f.sentence))")
    }
    lines.append("```")
    w.raw(text: lines.joined(separator: "\n") + "\n\n")
  }

  /// A DHCPv6 transaction: a participant per relay of the chain and per server.
  static func write(_ t: DHCPv6TransactionRecord, into w: inout ReportWriter) {
    var lines = ["```mermaid", "sequenceDiagram"]
    var title = "\(t.kind.rawValue) xid \(PacketReport.xid(t.xid)): \(t.outcome.rawValue)"
    for a in t.assignedAddresses { title += " \(a.address)" }
    lines.append("  title \(clean(title))")
    lines.append("  participant C as client \(t.clientMAC?.description ?? "")")
    let relays = t.relayAgents.count
    for (i, r) in t.relayAgents.enumerated() { lines.append("  participant R\(i + 1) as relay \(r)") }
    let servers = t.servers.isEmpty ? ["?"] : t.servers.map { $0.addresses.first?.description ?? "?" }
    for (i, a) in servers.enumerated() { lines.append("  participant S\(i + 1) as server \(a)") }
    for e in t.sequence {
      let (from, to) = DHCPv6Ladder.lanesOf(e, relays: relays)
      let server = (servers.firstIndex(of: (from > to ? e.source : e.destination).description) ?? 0) + 1
      func name(_ lane: Int) -> String { lane == 0 ? "C" : lane <= relays ? "R\(lane)" : "S\(server)" }
      let arrow = e.isDuplicate ? "-->>" : "->>"
      let time = formatDecimal(e.timestamp.milliseconds(since: t.firstSeen), places: 3)
      lines.append(
        "  \(name(from))\(arrow)\(name(to)): \(DHCPv6MessageType.name(e.messageType)) frame \(e.frame) +\(time) ms\(e.isDuplicate ? " (same packet)" : "")"
      )
    }
    for f in t.findings {
      lines.append("  Note over C,S1: \(f.severity == .problem ? "problem" : "note"): \(clean(f.sentence))")
    }
    lines.append("```")
    w.raw(text: lines.joined(separator: "\n") + "\n\n")
  }

  /// Text Mermaid takes on a line: no line breaks, no semicolons or `#` entity starts.
  static func clean(_ text: String) -> String {
    String(text.map { "\n\r;#".contains($0) ? " " : $0 })
  }
}

extension TransactionRecord {
  /// Every server the drawings give a lane: those with activity, then any other address a
  /// packet names as its server.
  var serverAddresses: [IPv4Address] {
    var servers = self.servers.map(\.address)
    for e in sequence { if let a = e.serverAddress, !servers.contains(a) { servers.append(a) } }
    return servers
  }
}
