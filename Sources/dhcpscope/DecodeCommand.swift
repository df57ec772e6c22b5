import ArgumentParser
import Capture
import Dissect
import Glibc
import Report

struct DecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Print every DHCP/BOOTP packet with all options decoded.")

  @OptionGroup var inputs: InputOptions
  @OptionGroup var common: CommonOptions

  func validate() throws {
    try refuseOverwriting(inputs: inputs.all, outputs: [common.output])
  }

  func run() throws {
    var inputs = try OpenedInputs(self.inputs.all, filter: common.filter)
    let sink = try common.openSink()
    var report = PacketReport(format: common.format, files: inputs.files)
    sink.write(report.header())
    var output = JSONWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)
    // Reading and locating packets run on a second thread, which also formats a batch
    // whenever this thread is behind. Messages are decoded where they are formatted, each
    // into the same reused packet.
    // DHCPSCOPE_FORMAT_ON_READER=always or =never pins formatting to one thread (for tests).
    let placement = getenv("DHCPSCOPE_FORMAT_ON_READER").map { String(cString: $0) }
    let readerReport = report
    let feed = PacketFeed<LocatedPackets>(inputs.readers) { readers, output in
      output.renderAlways = placement == "always"
      if placement != "never" {
        output.render = { batch, before in
          var w = JSONWriter(buffer: sink.emptyBuffer())
          var report = readerReport
          var packet = DHCPPacket()
          report.rendered = before
          for i in 0..<batch.count {
            batch.decode(i, into: &packet)
            report.render(packet, into: &w)
          }
          return w.out
        }
      }
      readPackets(
        from: &readers, read: { try $0.next(into: &output.items) ? () : nil }, packet: output.sendIfFull,
        damaged: output.damaged)
    }
    var packet = DHCPPacket()
    while let batch = feed.next() {
      switch batch {
      case .items(let batch):
        for i in 0..<batch.count {
          batch.decode(i, into: &packet)
          report.render(packet, into: &output)
          if output.out.count >= FileSink.drainSize { sink.drain(&output) }
        }
      case .rendered(let buffer, let count):
        sink.drain(&output)
        sink.write(buffer: buffer)
        report.rendered += count
      case .damaged(let message):
        sink.drain(&output)
        printError(message)
        inputs.failed = true
      case .finished: break
      }
    }
    sink.drain(&output)
    sink.write(report.footer())
    try sink.finish()
    if inputs.failed { throw InputFailure() }
  }
}
