import ArgumentParser
import Capture
import Dissect
import PacketCraft

/// A DHCP starvation attack: DISCOVERs from ever new random MACs and xids, as tools like
/// dhcpstarv and yersinia send them, relayed to a server that cannot keep up and never answers.
/// Made to show that memory stays bounded by `--max-tracked` however long the attack lasts.
struct FloodCapture: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flood", abstract: "Write a DHCP starvation flood (distinct xids and MACs, no answers).")

  @Option(help: "Number of spoofed clients (one DISCOVER each, plus the relay's copy).") var clients = 1_000_000
  @Option(help: "DISCOVERs per second.") var rate = 20_000.0
  @Option(name: .shortAndLong, help: "Output pcap.") var output: String
  @Option(help: "Random seed.") var seed: UInt64 = 7

  func run() throws {
    let writer = try CaptureWriter(path: output, linkType: LinkType.ethernet)
    var rng = SplitMix(seed: seed)
    let server = IPv4Address("198.51.100.2")!
    for n in 0..<clients {
      let random = rng.next()
      let mac: [UInt8] = [0x02] + (0..<5).map { UInt8(truncatingIfNeeded: random >> UInt64(8 * $0)) }
      let s = RelayScenario(xid: UInt32(truncatingIfNeeded: random >> 32), clientMAC: mac)
      let ns = Int64((Double(n) / rate * 1e9).rounded())
      // The relay's copy follows 50 µs later.
      for (frame, at) in [
        (s.clientBroadcast(MessageType.discover), ns),
        (s.relayToServer(MessageType.discover, server: server), ns + 50_000),
      ] {
        writer.write(
          frame, seconds: CraftedFixtures.epoch + at / 1_000_000_000, nanoseconds: Int32(at % 1_000_000_000))
      }
    }
  }
}
