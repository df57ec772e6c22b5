import Correlate
import Dissect

/// How far each capture file's clock runs ahead of the first file's, estimated from the DHCP
/// traffic itself: the same message seen at two capture points is the anchor.
///
/// A message is known by its xid, client, type, op and secs; relayed copies keep all five.
/// Each sighting is on the client's side of the relay (a request without giaddr, a reply to
/// port 68) or on the servers' side (a request with giaddr, a reply to port 67). A request
/// travels from the client's side to the servers', a reply back, so each matched message
/// bounds the offset from one side, as NTP's four timestamps do: with θ the second file's
/// clock minus the first's and d its time minus the first file's time, a message that
/// travelled from the first file's point to the second's gives θ ≤ d, one that travelled the
/// other way θ ≥ d. The estimate is the middle of the tightest bounds and the uncertainty
/// half their width. A message seen identically at both points (a routed unicast, the
/// relay's copy captured by the relay and by the server) gives d itself on both sides.
///
/// DHCPv6 messages anchor the same way, hop by hop (see `Key.init(dhcpv6:)`).
///
/// Memory stays bounded: each file keeps at most `maximumMessages` first sightings.
public struct ClockAlignment: Sendable {
  /// The estimate for one file.
  public struct FileClock: Sendable {
    /// Nanoseconds the file's clock runs ahead of the reference (0 for the reference, nil
    /// when no message matched and the file is left as it is).
    public var offsetNanoseconds: Int64?
    /// Half the width of the bounds on the offset; nil when only one side bounds it.
    public var uncertaintyNanoseconds: Int64?
    /// Messages seen both in this file and in the reference.
    public var matchedMessages: Int
    /// DHCP packets, and the first and last packet time (corrected by the offset).
    public var packets: Int
    public var first: Timestamp?
    public var last: Timestamp?
  }

  public static let maximumMessages = 200_000

  struct Key: Hashable {
    var xid: UInt32
    var client: UInt64
    var type: UInt8
    var op: UInt8
    var secs: UInt16
  }

  struct Sighting {
    var time: Int64
    var clientSide: Bool
  }

  /// Reads every file once and estimates its offset from the first. Files that cannot be
  /// read again (standard input) or that break are estimated from what was read.
  public static func estimate(_ paths: [String], filter: String?) -> [FileClock] {
    var sightings: [[Key: Sighting]] = []
    var clocks: [FileClock] = []
    for (index, path) in paths.enumerated() {
      var seen: [Key: Sighting] = [:]
      var clock = FileClock(
        offsetNanoseconds: index == 0 ? 0 : nil, uncertaintyNanoseconds: index == 0 ? 0 : nil, matchedMessages: 0,
        packets: 0)
      if path != "-", var reader = try? PacketReader(path: path, fileIndex: index, userFilter: filter) {
        reader.collectsDHCPv6 = true
        var summary = PacketSummary()
        func noteDHCPv6() {
          for packet in reader.takeDHCPv6() {
            guard let s = DHCPv6Sighting(packet) else { continue }
            clock.packets += 1
            if clock.first == nil || s.timestamp < clock.first! { clock.first = s.timestamp }
            if clock.last == nil || clock.last! < s.timestamp { clock.last = s.timestamp }
            guard seen.count < maximumMessages else { continue }
            let key = Key(dhcpv6: s)
            let time = s.timestamp.totalNanoseconds
            if let earlier = seen[key], earlier.time <= time { continue }
            seen[key] = Sighting(time: time, clientSide: true)
          }
        }
        defer { noteDHCPv6() }
        while (try? reader.nextSummary(into: &summary)) == true {
          noteDHCPv6()
          guard summary.icmpError == nil else { continue }
          clock.packets += 1
          if clock.first == nil || summary.timestamp < clock.first! { clock.first = summary.timestamp }
          if clock.last == nil || clock.last! < summary.timestamp { clock.last = summary.timestamp }
          guard seen.count < maximumMessages else { continue }
          let key = Key(
            xid: summary.xid, client: summary.clientKey, type: summary.messageType ?? 0, op: summary.op,
            secs: summary.secs)
          let clientSide = summary.isRequest ? summary.giaddr.isZero : summary.destinationPort == 68
          let time = summary.timestamp.totalNanoseconds
          if let earlier = seen[key], earlier.time <= time { continue }
          seen[key] = Sighting(time: time, clientSide: clientSide)
        }
      }
      sightings.append(seen)
      clocks.append(clock)
    }
    guard let reference = sightings.first else { return clocks }
    for i in clocks.indices.dropFirst() {
      let (offset, uncertainty, matched) = offset(of: sightings[i], from: reference)
      clocks[i].offsetNanoseconds = offset
      clocks[i].uncertaintyNanoseconds = uncertainty
      clocks[i].matchedMessages = matched
      if let offset {
        clocks[i].first = clocks[i].first.map { Timestamp(totalNanoseconds: $0.totalNanoseconds - offset) }
        clocks[i].last = clocks[i].last.map { Timestamp(totalNanoseconds: $0.totalNanoseconds - offset) }
      }
    }
    return clocks
  }

  /// θ for one file against the reference: the middle of the tightest bounds.
  static func offset(of file: [Key: Sighting], from reference: [Key: Sighting]) -> (Int64?, Int64?, Int) {
    var lower = Int64.min
    var upper = Int64.max
    var differences: [Int64] = []
    for (key, sighting) in file {
      guard let anchor = reference[key] else { continue }
      let d = sighting.time - anchor.time
      differences.append(d)
      if sighting.clientSide == anchor.clientSide {
        // The same packet at both points: no delay between the two sightings to speak of.
        lower = max(lower, d)
        upper = min(upper, d)
        continue
      }
      // Whether the message went from the reference's point to this file's.
      let towardsThisFile = (key.op == 1) == anchor.clientSide
      if towardsThisFile { upper = min(upper, d) } else { lower = max(lower, d) }
    }
    guard !differences.isEmpty else { return (nil, nil, 0) }
    switch (lower != .min, upper != .max) {
    case (true, true) where lower <= upper:
      return (lower + (upper - lower) / 2, (upper - lower) / 2, differences.count)
    case (true, true):
      // Bounds that cross (a wrong match, or a clock that drifted): the median difference,
      // as uncertain as the crossing is wide.
      differences.sort()
      return (differences[differences.count / 2], (lower - upper) / 2, differences.count)
    case (true, false): return (lower, nil, differences.count)
    case (false, true): return (upper, nil, differences.count)
    case (false, false): return (nil, nil, differences.count)
    }
  }
}

extension ClockAlignment.Key {
  /// A DHCPv6 message on one hop: its xid, client DUID, type and how many relay layers wrap
  /// it there. The same hop seen at two points (a relay's upper link is the next relay's
  /// lower link) is the same packet, so it counts as seen on the same side at both: the
  /// difference of its times is the offset itself. op 3 keeps it apart from DHCPv4 keys.
  init(dhcpv6 s: DHCPv6Sighting) {
    var client: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the DUID
    for byte in s.clientDUID ?? [] { client = (client ^ UInt64(byte)) &* 0x100_0000_01B3 }
    self.init(xid: s.xid, client: client, type: s.messageType, op: 3, secs: UInt16(s.layers.count))
  }
}
