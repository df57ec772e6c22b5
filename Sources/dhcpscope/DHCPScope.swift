import ArgumentParser
import Glibc
import Pipeline

@main
struct DHCPScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dhcpscope",
    abstract: "Reconstruct DHCP and DHCP-relay exchanges from captures or live traffic.",
    version: "dhcpscope \(version)",
    subcommands: [DecodeCommand.self, AnalyzeCommand.self, SniffCommand.self, InterfacesCommand.self]
  )

  static let version = "0.3.0"

  /// Exit codes are the contract's: 0 success, 1 unreadable input, 2 usage error.
  static func main() {
    var arguments = Array(CommandLine.arguments.dropFirst())
    // tcpdump's and tshark's -V for the version.
    if arguments == ["-V"] { arguments = ["--version"] }
    if let first = arguments.first, let message = unknownCommandMessage(first) {
      printError(message)
      Glibc.exit(2)
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch let exit as UsageFailure {
      Glibc.exit(exit.code)
    } catch let exit as InputFailure {
      Glibc.exit(exit.code)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Glibc.exit(0)
      }
      let message = fullMessage(for: error)
      if !message.isEmpty { printError(message) }
      let isUsage = code == .validationFailure || error is ValidationError
      Glibc.exit(isUsage ? 2 : (code.rawValue == 0 ? 0 : 1))
    }
  }
}

extension DHCPScope {
  /// "unknown command 'analyse'; did you mean 'analyze'?" for a first word that is no
  /// subcommand; nil for a subcommand, an option or `help`.
  static func unknownCommandMessage(_ word: String) -> String? {
    let names = configuration.subcommands.compactMap { $0.configuration.commandName }
    guard !word.hasPrefix("-"), !names.contains(word), word != "help" else { return nil }
    let closest = names.map { ($0, editDistance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
    if let (name, distance) = closest, distance <= max(2, word.count / 3) {
      return "unknown command '\(word)'; did you mean '\(name)'?"
    }
    return "unknown command '\(word)'; the commands are \(names.joined(separator: ", "))"
  }

  /// Levenshtein distance, with a transposition counting as one edit (analzye → analyze).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[a.count][b.count]
  }
}
