import ArgumentParser

@main
struct Generator: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dhcpscope-gen",
    abstract: "Writes dhcpscope's crafted fixtures and synthetic load captures (through libpcap).",
    subcommands: [CraftedFixtures.self, LoadCapture.self, FloodCapture.self, FuzzSeeds.self])
}
