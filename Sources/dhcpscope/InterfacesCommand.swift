import ArgumentParser
import Capture
import Pipeline

struct InterfacesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interfaces", abstract: "List the capture devices libpcap can open (as tcpdump -D).")

  func run() throws {
    do {
      let devices = try listCaptureDevices()
      for (n, d) in devices.enumerated() {
        var flags: [String] = []
        if d.isUp { flags.append("Up") }
        if d.isRunning { flags.append("Running") }
        if d.isLoopback { flags.append("Loopback") }
        var line = "\(n + 1).\(d.name)"
        if let text = d.description { line += " (\(text))" }
        if !flags.isEmpty { line += " [\(flags.joined(separator: ", "))]" }
        if !d.addresses.isEmpty { line += " " + d.addresses.joined(separator: " ") }
        print(line)
      }
    } catch {
      printError("\(error)")
      throw InputFailure()
    }
  }
}
