import ArgumentParser

struct SniffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "sniff", abstract: "Live capture.")
  @OptionGroup var common: CommonOptions
  func run() throws { throw ValidationError("sniff is not built yet") }
}
