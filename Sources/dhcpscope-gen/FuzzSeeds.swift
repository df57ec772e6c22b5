import ArgumentParser
import Capture
import Dissect
import Foundation

/// Writes every frame of the given captures as a libFuzzer seed: one byte choosing the link
/// type (as Fuzz/FuzzDissect.swift reads it), then the frame.
struct FuzzSeeds: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "seeds", abstract: "Write fuzzing seeds from captures.")

  @Option(name: .shortAndLong, help: "Output directory.") var output: String
  @Argument(help: "Capture files.") var files: [String]

  func run() throws {
    let selectors = [
      LinkType.ethernet: 0, LinkType.linuxSLL: 1, LinkType.linuxSLL2: 2, LinkType.raw: 3, LinkType.rawDLT12: 3,
      LinkType.null: 4,
    ]
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    var written = 0
    for path in files {
      guard let file = try? CaptureFile(path: path), let selector = selectors[file.linkType] else { continue }
      while let frame = try? file.next() {
        let bytes = [UInt8(selector)] + Array(frame.bytes)
        FileManager.default.createFile(atPath: "\(output)/seed-\(written)", contents: Data(bytes))
        written += 1
      }
    }
    print("wrote \(written) seeds to \(output)")
  }
}
