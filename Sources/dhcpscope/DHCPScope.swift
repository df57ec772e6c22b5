import ArgumentParser
import Glibc

@main
struct DHCPScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dhcpscope",
    abstract: "Reconstruct DHCP and DHCP-relay exchanges from captures or live traffic.",
    subcommands: [DecodeCommand.self, AnalyzeCommand.self, SniffCommand.self, InterfacesCommand.self]
  )

  /// Exit codes are the contract's: 0 success, 1 unreadable input, 2 usage error.
  static func main() {
    do {
      var command = try parseAsRoot()
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

/// Thrown after the report is written and the error message printed, to end with exit 1.
struct InputFailure: Error {
  var code: Int32 = 1
}

/// Thrown after a usage problem found while running (a filter libpcap cannot compile).
struct UsageFailure: Error {
  var code: Int32 = 2
}

/// Reports to stderr after flushing what the report wrote to stdout so far, so on a terminal
/// an error stands after the records read before it.
func printError(_ message: String) {
  FileSink.standardOutput?.flush()
  fflush(stdout)
  fputs("dhcpscope: \(message)\n", stderr)
}
