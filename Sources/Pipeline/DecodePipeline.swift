import Dissect
import Report

/// decode: capture files in, one record per DHCP packet out.
public enum FileDecode {
  /// Reads `inputs` one after the other and writes every DHCP packet to `sink`, header to
  /// footer. Returns false when a file was damaged (its message printed, and everything read
  /// before the damage written).
  public static func run(
    _ inputs: sending InputSet, report: PacketReport, sink: FileSink, formatting: WorkSharing = .shared
  ) -> Bool {
    var intact = true
    var report = report
    sink.write(report.header())
    var output = ReportWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)
    // Reading and locating packets run on a second thread, which also formats a batch
    // whenever this thread is behind. Messages are decoded where they are formatted, each
    // into the same reused packet.
    let readerReport = report
    let spareBuffers = sink.spareBuffers
    let feed = PacketFeed<LocatedPackets>(inputs.readers) { readers, output in
      output.shareEveryBatch = formatting == .readingThreadOnly
      if formatting != .consumingThreadOnly {
        output.render = { batch, before in
          var w = ReportWriter(buffer: spareBuffers.take())
          var report = readerReport
          var packet = DHCPPacket()
          report.rendered = before
          for i in 0..<batch.count {
            if let dhcpv6 = batch.dhcpv6Packet(i) {
              report.render(dhcpv6, into: &w)
            } else {
              batch.decode(i, into: &packet)
              report.render(packet, into: &w)
            }
          }
          return w.takeBuffer()
        }
      }
      readPackets(
        from: &readers, read: { try $0.next(into: &output.items) ? () : nil }, packet: { output.sendIfFull() },
        damaged: { output.damaged($0) })
    }
    var packet = DHCPPacket()
    while let batch = feed.next() {
      switch consume batch {
      case .items(let batch):
        for i in 0..<batch.count {
          if let dhcpv6 = batch.dhcpv6Packet(i) {
            report.render(dhcpv6, into: &output)
          } else {
            batch.decode(i, into: &packet)
            report.render(packet, into: &output)
          }
          if output.out.count >= FileSink.drainSize { sink.drain(&output) }
        }
      case .rendered(let buffer, let count):
        sink.drain(&output)
        sink.write(buffer: buffer)
        report.rendered += count
      case .damaged(let message):
        sink.drain(&output)
        sink.flush()
        printError(message)
        intact = false
      case .finished: break
      }
    }
    sink.drain(&output)
    sink.write(report.footer())
    return intact
  }
}
