import Capture
import Dissect
import Report

/// Counts of what a run read, for summaries.
public struct ReadCounts: Sendable {
  public var frames = 0
  public var dhcp = 0
  public var other = 0
  public var malformed = 0
  /// Malformed frames by reason, indexed as `Malformed.Reason.allCases`.
  public var malformedByReason = [Int](repeating: 0, count: Malformed.Reason.allCases.count)
  public var fragments = 0
  /// ICMP errors that quote a DHCP message.
  public var icmpErrors = 0
  /// DHCPv6 messages (UDP 546/547).
  public var dhcpv6 = 0

  public init() {}

  /// Counts one dissected frame; returns its DHCP packet, if it was one.
  public mutating func tally<Packet>(_ result: DissectOutcome<Packet>) -> Packet? {
    frames += 1
    switch result {
    case .dhcp(let packet):
      dhcp += 1
      return packet
    case .other: other += 1
    case .fragment: fragments += 1
    case .icmpError(let packet):
      icmpErrors += 1
      return packet
    case .dhcpv6: dhcpv6 += 1
    case .malformed(let why):
      malformed += 1
      malformedByReason[Malformed.Reason.allCases.firstIndex(of: why.reason)!] += 1
    }
    return nil
  }
}

/// Streams the DHCP packets of one capture file: libpcap reads, the dissector decodes, and
/// everything else is counted and dropped. Every entry point reads files through this.
public struct PacketReader {
  public let file: CaptureFile
  public let fileIndex: Int
  private var dissector = PacketDissector()
  public private(set) var counts = ReadCounts()
  /// With this set, `nextSummary` keeps the DHCPv6 messages it passes over in
  /// `pendingDHCPv6` (analyze and sniff correlate them apart from DHCPv4).
  public var collectsDHCPv6 = false
  /// DHCPv6 messages read before the summary `nextSummary` returned, oldest first.
  public private(set) var pendingDHCPv6: [DHCPv6Packet] = []
  /// How far this file's clock runs ahead of the run's reference (`ClockAlignment`): packet
  /// times are read back by this much.
  public var clockOffsetNanoseconds: Int64 = 0

  public init(path: String, fileIndex: Int, userFilter: String?) throws {
    // With no user filter the dissector alone decides, which is cheaper than BPF per packet.
    file = try CaptureFile(path: path, userFilter: userFilter)
    guard LinkType.isSupported(file.linkType) else {
      throw CaptureError.unsupportedLinkType(source: path, linkType: file.linkType)
    }
    self.fileIndex = fileIndex
  }

  /// Appends the next DHCP packet, located but not decoded, to `batch`; false at the end.
  /// Throws `CaptureError.damaged` where the file breaks.
  public mutating func next(into batch: inout LocatedPackets) throws -> Bool {
    try read(dhcpv6: ()) { dissector, frame in
      let outcome = dissector.locate(frame, appendingTo: &batch)
      if case .dhcpv6(let packet) = outcome { batch.append(packet) }
      return outcome
    } != nil
  }

  /// The next DHCP packet, every field and option decoded.
  public mutating func nextPacket() throws -> DHCPPacket? {
    try read { dissector, frame in dissector.dissect(frame) }
  }

  /// The DHCPv6 messages kept since the last call (`collectsDHCPv6`).
  public mutating func takeDHCPv6() -> [DHCPv6Packet] {
    guard !pendingDHCPv6.isEmpty else { return [] }
    defer { pendingDHCPv6.removeAll(keepingCapacity: true) }
    return pendingDHCPv6
  }

  /// The next DHCP packet as correlation needs it.
  public mutating func nextSummary() throws -> PacketSummary? {
    var summary = PacketSummary()
    return try nextSummary(into: &summary) ? summary : nil
  }

  /// `nextSummary`, written into `summary`; false at the end.
  public mutating func nextSummary(into summary: inout PacketSummary) throws -> Bool {
    try read { dissector, frame in dissector.summarize(frame, into: &summary) } != nil
  }

  /// The next frame's packet; `dhcpv6` is returned for a DHCPv6 message (which the caller
  /// took from the outcome), or with nil such a message is counted and passed over.
  private mutating func read<Packet>(
    dhcpv6: Packet? = nil, _ dissect: (inout PacketDissector, LinkFrame) -> DissectOutcome<Packet>
  ) throws -> Packet? {
    while let frame = try file.next() {
      var linkFrame = frame.linkFrame(linkType: file.linkType, fileIndex: fileIndex)
      if clockOffsetNanoseconds != 0 {
        linkFrame.timestamp = Timestamp(
          totalNanoseconds: linkFrame.timestamp.totalNanoseconds &- clockOffsetNanoseconds)
      }
      let outcome = dissect(&dissector, linkFrame)
      if let packet = counts.tally(outcome) { return packet }
      if case .dhcpv6(let packet) = outcome {
        if let dhcpv6 { return dhcpv6 }
        if collectsDHCPv6 { pendingDHCPv6.append(packet) }
      }
    }
    return nil
  }
}

/// The inputs of a file command, opened up front so a missing or non-capture file is
/// reported before any output: readers for the files that opened, whether any failed, and
/// their names and time precision for the report.
public struct InputSet {
  public var readers: [PacketReader]
  public var failed: Bool
  public let files: InputFiles

  /// Opens `paths`, printing why each that does not open fails. A filter libpcap rejects is a
  /// usage error (`UsageFailure`, exit 2); when no file opens, this throws `InputFailure`.
  public init(_ paths: [String], filter: String?, points: [String?] = []) throws {
    readers = []
    failed = false
    for (index, path) in paths.enumerated() {
      do {
        readers.append(try PacketReader(path: path, fileIndex: index, userFilter: filter))
      } catch let error as CaptureError {
        printError("\(error)")
        if case .badFilter = error { throw UsageFailure() }
        failed = true
      } catch {
        printError("\(path): \(error)")
        failed = true
      }
    }
    if readers.isEmpty && failed { throw InputFailure() }
    let opened = readers
    files = InputFiles(
      paths: paths,
      nanosecondPrecision: paths.indices.map { i in
        opened.first { $0.fileIndex == i }?.file.hasNanosecondPrecision ?? false
      }, points: points)
  }
}

extension CapturedFrame {
  public var timestamp: Timestamp { Timestamp(seconds: seconds, nanoseconds: nanoseconds) }

  /// This frame as the dissector takes it.
  public func linkFrame(linkType: Int, fileIndex: Int) -> LinkFrame {
    LinkFrame(bytes, linkType: linkType, timestamp: timestamp, number: number, fileIndex: fileIndex)
  }
}
