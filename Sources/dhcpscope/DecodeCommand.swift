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
    var (readers, failed) = try openReaders(files, filter: common.filter)
    if readers.isEmpty && failed { throw InputFailure() }
    let sink = try common.openSink()
    let inputs = InputFiles(
      paths: files, nanosecondPrecision: files.indices.map { i in
        readers.first { $0.fileIndex == i }?.file.hasNanosecondPrecision ?? false
      })
    var report = PacketReport(format: common.format, files: inputs)
    sink.write(report.header())
    for index in readers.indices {
      do {
        while let packet = try readers[index].next() {
          sink.write(report.render(packet))
        }
      } catch {
        sink.flush()
        printError("\(error)")
        failed = true
      }
    }
    sink.write(report.footer())
    sink.flush()
    if failed { throw InputFailure() }
  }
}
