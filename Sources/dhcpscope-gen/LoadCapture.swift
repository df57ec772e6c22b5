import ArgumentParser
import Capture
import Dissect
import PacketCraft

/// A relay's busy day: many concurrent relayed transactions with distinct xids and MACs,
/// written in time order. Most are clean 8-packet DORAs; a share retransmit, meet a silent
/// second server, get NAKed, or release.
struct LoadCapture: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "load", abstract: "Write a synthetic relay capture.")

  @Option(help: "Number of transactions.") var transactions = 80_000
  @Option(help: "Transactions started per second.") var rate = 1_000.0
  @Option(name: .shortAndLong, help: "Output pcap.") var output: String
  @Option(help: "Random seed.") var seed: UInt64 = 42
  @Option(
    help: """
      ethernet: a relay's server-side segment, mixed outcomes; relay-any: Linux 'any' (SLL2) on \
      the relay host, every client a relayed DORA with a retransmitted DISCOVER, then a RELEASE \
      routed (seen twice) and relayed.
      """)
  var shape: Shape = .ethernet

  enum Shape: String, ExpressibleByArgument {
    case ethernet
    case relayAny = "relay-any"
  }

  struct Event: Comparable {
    var time: Double
    var order: Int
    var frame: [UInt8]
    static func < (a: Event, b: Event) -> Bool { a.time != b.time ? a.time < b.time : a.order < b.order }
    static func == (a: Event, b: Event) -> Bool { a.time == b.time && a.order == b.order }
  }

  func run() throws {
    let writer = try CaptureWriter(
      path: output, linkType: shape == .ethernet ? LinkType.ethernet : LinkType.linuxSLL2)
    var rng = SplitMix(seed: seed)
    var pending: [Event] = []  // kept sorted descending so the earliest is popped from the end
    var order = 0
    var packets = 0
    let serverA = IPv4Address("198.51.100.2")!
    let serverB = IPv4Address("198.51.100.10")!
    func schedule(_ t: Double, _ f: [UInt8]) {
      order += 1
      let e = Event(time: t, order: order, frame: f)
      let index = pending.firstIndex { $0 < e } ?? pending.count
      pending.insert(e, at: index)
    }
    func flush(before t: Double) {
      while let last = pending.last, last.time < t {
        pending.removeLast()
        let ns = Int64((last.time * 1e9).rounded())
        writer.write(
          last.frame, seconds: CraftedFixtures.epoch + ns / 1_000_000_000, nanoseconds: Int32(ns % 1_000_000_000))
        packets += 1
      }
    }
    let discover = MessageType.discover
    let offer = MessageType.offer
    let request = MessageType.request
    let ack = MessageType.ack
    if shape == .relayAny {
      // Two transactions per client (its DORA and its RELEASE); the relay's client side is
      // interface 3, its server side interface 5.
      let clientSide: UInt32 = 3
      let serverSide: UInt32 = 5
      let broadcast: UInt8 = 1
      let toUs: UInt8 = 0
      let outgoing: UInt8 = 4
      for n in 0..<(transactions + 1) / 2 {
        let start = Double(n) / (rate / 2)
        flush(before: start)
        let mac: [UInt8] = [
          0x02, 0x20, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF),
        ]
        let s = RelayScenario(xid: UInt32(truncatingIfNeeded: rng.next()), clientMAC: mac)
        let address = IPv4Address(0x0A00_0000 | UInt32(n & 0xFFFFFF))
        let serverDelay = 0.0005 + Double(rng.next() % 2000) / 1e6
        var id = UInt16(truncatingIfNeeded: n &* 16)
        func nextID() -> UInt16 {
          id &+= 1
          return id
        }
        func seen(_ t: Double, _ frame: [UInt8], on interface: UInt32, _ packetType: UInt8) {
          schedule(t, Self.sll2(frame, interface: interface, packetType: packetType))
        }
        var t = start
        seen(t, s.clientBroadcast(discover, ipID: nextID()), on: clientSide, broadcast)
        seen(t + 0.0001, s.relayToServer(discover, server: serverA, ipID: nextID()), on: serverSide, outgoing)
        t += 1.0
        seen(t, s.clientBroadcast(discover, secs: 1, ipID: nextID()), on: clientSide, broadcast)
        seen(t + 0.0001, s.relayToServer(discover, server: serverA, secs: 1, ipID: nextID()), on: serverSide, outgoing)
        t += serverDelay
        seen(t, s.serverToRelay(offer, server: serverA, yiaddr: address, ipID: nextID()), on: serverSide, toUs)
        seen(
          t + 0.0001, s.relayToClient(offer, server: serverA, yiaddr: address, ipID: nextID()), on: clientSide, outgoing
        )
        t += 0.0003
        seen(
          t, s.clientBroadcast(request, requested: address, server: serverA, ipID: nextID()), on: clientSide, broadcast)
        seen(
          t + 0.0001, s.relayToServer(request, server: serverA, requested: address, serverID: serverA, ipID: nextID()),
          on: serverSide, outgoing)
        t += serverDelay
        seen(t, s.serverToRelay(ack, server: serverA, yiaddr: address, ipID: nextID()), on: serverSide, toUs)
        seen(
          t + 0.0001, s.relayToClient(ack, server: serverA, yiaddr: address, ipID: nextID()), on: clientSide, outgoing)
        // The RELEASE, routed by the host (seen coming in and going out) and relayed.
        t += 0.5
        let release = s.clientUnicast(MessageType.release, from: address, to: serverA, ipID: nextID())
        seen(t, release, on: clientSide, toUs)
        seen(t + 0.00005, release, on: serverSide, outgoing)
        seen(
          t + 0.0001, s.relayToServer(MessageType.release, server: serverA, ipID: nextID()), on: serverSide, outgoing)
      }
      flush(before: .infinity)
      writer.close()
      print("wrote \(packets) packets, \((transactions + 1) / 2 * 2) transactions to \(output)")
      return
    }
    for n in 0..<transactions {
      let start = Double(n) / rate
      flush(before: start)
      let mac: [UInt8] = [
        0x02, 0x10, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF),
      ]
      let s = RelayScenario(xid: UInt32(truncatingIfNeeded: rng.next()), clientMAC: mac)
      let address = IPv4Address(0x0A00_0000 | UInt32(n & 0xFFFFFF))
      let roll = rng.next() % 100
      let serverDelay = 0.0005 + Double(rng.next() % 2000) / 1e6
      var t = start
      var id = UInt16(truncatingIfNeeded: n)
      func nextID() -> UInt16 {
        id &+= 1
        return id
      }
      if roll < 5 {
        // RELEASE by unicast, straight to the server.
        schedule(t, s.clientUnicast(MessageType.release, from: address, to: serverA, ipID: nextID()))
        continue
      }
      let parallel = roll >= 5 && roll < 8  // also forwarded to a silent second server
      schedule(t, s.clientBroadcast(discover, ipID: nextID()))
      schedule(t + 0.0001, s.relayToServer(discover, server: serverA, ipID: nextID()))
      if parallel { schedule(t + 0.00012, s.relayToServer(discover, server: serverB, ipID: nextID())) }
      if roll >= 8 && roll < 13 {
        // The client retransmits before the (slow) server answers; both DISCOVERs are answered.
        schedule(t + 1.0, s.clientBroadcast(discover, secs: 1, ipID: nextID()))
        schedule(t + 1.0001, s.relayToServer(discover, server: serverA, secs: 1, ipID: nextID()))
        t += 1.0
      }
      t += serverDelay
      schedule(t, s.serverToRelay(offer, server: serverA, yiaddr: address, ipID: nextID()))
      schedule(t + 0.0001, s.relayToClient(offer, server: serverA, yiaddr: address, ipID: nextID()))
      t += 0.0003
      schedule(t, s.clientBroadcast(request, requested: address, server: serverA, ipID: nextID()))
      schedule(
        t + 0.0001, s.relayToServer(request, server: serverA, requested: address, serverID: serverA, ipID: nextID()))
      if parallel {
        schedule(
          t + 0.00012, s.relayToServer(request, server: serverB, requested: address, serverID: serverA, ipID: nextID()))
      }
      let reply = roll >= 13 && roll < 15 ? MessageType.nak : ack
      t += serverDelay
      schedule(t, s.serverToRelay(reply, server: serverA, yiaddr: address, ipID: nextID()))
      schedule(t + 0.0001, s.relayToClient(reply, server: serverA, yiaddr: address, ipID: nextID()))
    }
    flush(before: .infinity)
    writer.close()
    print("wrote \(packets) packets, \(transactions) transactions to \(output)")
  }
}

extension LoadCapture {
  /// An Ethernet frame as Linux's `any` device records it: the SLL2 header (interface index,
  /// packet type, source MAC) in place of the Ethernet header.
  static func sll2(_ ethernet: [UInt8], interface: UInt32, packetType: UInt8) -> [UInt8] {
    var f = FrameBuilder()
    f.sourceMAC = Array(ethernet[6..<12])
    return f.sll2(Array(ethernet[14...]), interfaceIndex: interface, packetType: packetType)
  }
}

/// A small deterministic generator, so a seed reproduces a capture.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
