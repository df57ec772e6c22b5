import Foundation
import Testing

/// The optimised output paths must keep producing what the first, plain implementation did:
/// Fixtures/expected holds `decode` and `analyze --format jsonl` of every fixture, made before
/// any optimisation (regenerate with scripts/update-expected.sh only for intended changes).
@Suite struct GoldenOutputTests {
  @Test func decodeAndAnalyzeMatchTheRecordedOutput() throws {
    var checked = 0
    for file in allFixtures() {
      let name = file.replacingOccurrences(of: "/", with: "_")
      for command in ["decode", "analyze"] {
        let expectedPath = "\(fixtures)/expected/\(name).\(command).jsonl"
        guard let expected = try? String(contentsOfFile: expectedPath, encoding: .utf8) else {
          Issue.record("no recorded output for \(file) (\(command)): run scripts/update-expected.sh")
          continue
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dhcpscopeBinary)
        process.arguments = [command, "--format", "jsonl", "Fixtures/\(file)"]
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let actual = String(decoding: data, as: UTF8.self)
        #expect(actual == expected, "\(command) \(file) differs from Fixtures/expected/\(name).\(command).jsonl")
        checked += 1
      }
    }
    #expect(checked >= 60)
  }
}
