import ArgumentParser
import Glibc
import Pipeline
import Report

extension OutputFormat: ExpressibleByArgument {}

/// Options every command shares, named as the contract and tcpdump users expect.
struct CommonOptions: ParsableArguments {
  @Option(name: .long, help: "Output format: text, json, jsonl or csv.")
  var format: OutputFormat = .text

  @Option(
    name: [.customShort("f"), .long],
    help: ArgumentHelp(
      "BPF expression added to the built-in 'udp port 67 or udp port 68' (as tshark -f).", valueName: "expression"))
  var filter: String?

  @Option(
    name: [.customShort("o"), .long],
    help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"),
    completion: .file())
  var output: String?

  @Flag(name: .long, help: "Print times in UTC rather than local time (text format).")
  var utc = false

  var style: TextStyle { TextStyle(utc: utc) }

  func validate() throws {
    if let filter, filter.isEmpty { throw ValidationError("--filter needs a BPF expression") }
  }

  func openSink() throws -> FileSink {
    do {
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

  var all: [String] { read + files }

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
