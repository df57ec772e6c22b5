import ArgumentParser
import Pipeline
import Report

struct DecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Print every DHCP/BOOTP packet with all options decoded.")

  @OptionGroup var inputs: InputOptions
  @OptionGroup var common: CommonOptions

  func validate() throws {
    try common.requirePacketFormat("decode")
    try refuseOverwriting(inputs: inputs.all, outputs: [common.output])
  }

  func run() throws {
    let inputs = try InputSet(self.inputs.all, filter: common.filter)
    let (files, someFailed) = (inputs.files, inputs.failed)
    let sink = try common.openSink()
    let intact = FileDecode.run(
      inputs, report: PacketReport(format: common.format, files: files, style: common.style), sink: sink)
    try sink.finish()
    if someFailed || !intact { throw InputFailure() }
  }
}
