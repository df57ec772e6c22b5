import ArgumentParser
import Capture
import Foundation
import Glibc
import Pipeline
import Report

extension OutputFormat: ExpressibleByArgument {}

/// Options every command shares, named as the contract and tcpdump users expect.
struct CommonOptions: ParsableArguments {
  @Option(name: .long, help: "Output format: text, json, jsonl or csv; analyze also html and mermaid.")
  var format: OutputFormat = .text

  @Option(
    name: [.customShort("f"), .long],
    help: ArgumentHelp(
      "BPF expression added to the built-in 'udp port 67 or udp port 68 or udp port 546 or udp port 547' (as tshark -f).",
      valueName: "expression"))
  var filter: String?

  @Option(
    name: [.customShort("o"), .long],
    help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"),
    completion: .file())
  var output: String?

  @Flag(name: .long, help: "Print times in UTC rather than local time (text format).")
  var utc = false

  @Flag(
    name: .long, help: "Plain ASCII instead of box-drawing characters (text format; the default outside UTF-8 locales)."
  )
  var ascii = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Colour problems red and notes dim: auto (a terminal without NO_COLOR), always or never.", valueName: "when"))
  var color: ColorChoice = .auto

  enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
  }

  /// The text layout: as wide as COLUMNS or the terminal says (80 to 100 columns; 100 when
  /// neither says), box drawing only in a UTF-8 locale, colour only on a terminal.
  var style: TextStyle {
    let toTerminal = (output == nil || output == "-") && isatty(STDOUT_FILENO) == 1
    var columns = 100
    if let text = getenv("COLUMNS").map({ String(cString: $0) }), let n = Int(text), n > 0 {
      columns = n
    } else if toTerminal {
      var size = winsize()
      if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { columns = Int(size.ws_col) }
    }
    let noColor = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
    let color: Bool
    switch self.color {
    case .always: color = true
    case .never: color = false
    case .auto: color = toTerminal && !noColor
    }
    return TextStyle(utc: utc, columns: min(columns, 100), ascii: ascii || !Self.localeIsUTF8, color: color)
  }

  /// Whether the locale's character set is UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as C
  /// looks them up).
  static var localeIsUTF8: Bool {
    for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
      guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { continue }
      let lower = value.lowercased()
      return lower.contains("utf-8") || lower.contains("utf8")
    }
    return false
  }

  /// For decode and sniff, which print packets or stream live: the page and the diagrams
  /// are analyze's.
  func requirePacketFormat(_ command: String) throws {
    if !format.isForPackets { throw ValidationError("--format \(format.rawValue) is for analyze, not \(command)") }
  }

  func validate() throws {
    if let filter, filter.isEmpty { throw ValidationError("--filter needs a BPF expression") }
  }

  /// The report's sink; with `rotation`, `-o FILE` rotates as sniff's -G/-C/-W say.
  func openSink(rotation: SaveRotation = SaveRotation()) throws -> FileSink {
    do {
      if let output, output != "-", rotation.isEnabled { return try FileSink(rotating: output, rotation: rotation) }
      return try FileSink(path: output)
    } catch {
      printError("\(error)")
      throw InputFailure()
    }
  }
}

/// Capture files, as positional arguments or with tcpdump's and tshark's `-r`, in that order:
/// every `-r` file first, then the positional ones.
struct InputOptions: ParsableArguments {
  @Option(
    name: [.customShort("r"), .long],
    help: ArgumentHelp("Read this capture file ('-': standard input; repeatable).", valueName: "file"),
    completion: .file(extensions: ["pcap", "pcapng", "gz", "cap"]))
  var read: [String] = []

  @Argument(
    help: "Capture files: pcap, pcapng, or either gzip'd ('-' is standard input); several are merged in time order.",
    completion: .file(extensions: ["pcap", "pcapng", "gz", "cap"])
  )
  var files: [String] = []

  /// The files, without the capture point names of `FILE@NAME`.
  var all: [String] { (read + files).map { Self.split($0).path } }
  /// The capture point names, by file (nil where none was given).
  var points: [String?] { (read + files).map { Self.split($0).point } }

  /// `FILE@NAME`: the name after the last "@", unless the whole argument names a file.
  static func split(_ argument: String) -> (path: String, point: String?) {
    guard let at = argument.lastIndex(of: "@"), !FileManager.default.fileExists(atPath: argument) else {
      return (argument, nil)
    }
    let name = String(argument[argument.index(after: at)...])
    guard !name.isEmpty, !name.contains("/") else { return (argument, nil) }
    return (String(argument[..<at]), name)
  }

  func validate() throws {
    if all.isEmpty { throw ValidationError("give at least one capture file (as an argument or with -r)") }
  }
}

/// A usage error when an output names an input (`analyze -o victim.pcap victim.pcap` would
/// replace the capture with its report) or another output. Files are compared by device and
/// inode, so another path to the same file counts; "-" is standard output, never a file.
func refuseOverwriting(inputs: [String], outputs: [String?]) throws {
  struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    init?(_ path: String) {
      var info = stat()
      guard path != "-", stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
      (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
    }
  }
  var seen: [(path: String, identity: FileIdentity?)] = []
  for output in outputs.compactMap({ $0 }) where output != "-" {
    let identity = FileIdentity(output)
    if seen.contains(where: { $0.path == output || ($0.identity != nil && $0.identity == identity) }) {
      throw ValidationError("'\(output)' is named as two outputs")
    }
    seen.append((output, identity))
    guard let identity else { continue }
    if inputs.contains(where: { FileIdentity($0) == identity }) {
      throw ValidationError("'\(output)' is also an input: writing there would destroy the capture")
    }
  }
}
