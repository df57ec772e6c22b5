import ArgumentParser
import Capture
import Dissect
import Report

struct DecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Print every DHCP/BOOTP packet with all options decoded.")

  @OptionGroup var common: CommonOptions

  @Argument(help: "Capture files: pcap, pcapng, or either gzip'd.")
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one capture file") }
  }

  func run() throws {
    var inputs = try OpenedInputs(files, filter: common.filter)
    let sink = try common.openSink()
    var report = PacketReport(format: common.format, files: inputs.files)
    sink.write(report.header())
    var output = JSONWriter(capacity: FileSink.drainSize + FileSink.drainSize / 4)
    // Reading and dissecting run on a second thread. Options are decoded here: decoding them
    // there too measured slower (their many small allocations were freed across threads).
    let feed = PacketFeed<DHCPPacket>(inputs.readers) { readers, output in
      readPackets(from: &readers, read: { try $0.next() }, packet: output.add, damaged: output.damaged)
    }
    while let batch = feed.next() {
      switch batch {
      case .items(let packets):
        for packet in packets {
          report.render(packet, into: &output)
          if output.out.count >= FileSink.drainSize { sink.drain(&output) }
        }
      case .damaged(let message):
        sink.drain(&output)
        printError(message)
        inputs.failed = true
      case .finished: break
      }
    }
    sink.drain(&output)
    sink.write(report.footer())
    sink.flush()
    if inputs.failed { throw InputFailure() }
  }
}
