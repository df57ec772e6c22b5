import ArgumentParser

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "analyze", abstract: "Reconstruct transactions.")
  @OptionGroup var common: CommonOptions
  @Argument var files: [String]
  func run() throws { throw ValidationError("analyze is not built yet") }
}

struct SniffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "sniff", abstract: "Live capture.")
  @OptionGroup var common: CommonOptions
  func run() throws { throw ValidationError("sniff is not built yet") }
}
