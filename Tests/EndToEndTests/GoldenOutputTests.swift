import Foundation
import Testing

/// The output of every fixture is fixed: Fixtures/expected holds `decode` and `analyze` of
/// each in JSON Lines, text and CSV, so a change to a fast path that alters a byte fails here.
/// Regenerate with scripts/update-expected.sh only for intended changes, and name them in
/// CHANGELOG.md.
@Suite struct GoldenOutputTests {
  @Test func decodeAndAnalyzeMatchTheRecordedOutput() throws {
    var checked = 0
    for file in allFixtures() {
      let name = file.replacingOccurrences(of: "/", with: "_")
      for command in ["decode", "analyze"] {
        for format in ["jsonl", "text", "csv"] {
          let expectedPath = "\(fixtures)/expected/\(name).\(command).\(format)"
          guard let expected = try? String(contentsOfFile: expectedPath, encoding: .utf8) else {
            Issue.record("no recorded output for \(file) (\(command) \(format)): run scripts/update-expected.sh")
            continue
          }
          let process = Process()
          process.executableURL = URL(fileURLWithPath: dhcpscopeBinary)
          process.arguments = [command, "--format", format, "Fixtures/\(file)"]
          process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
          let pipe = Pipe()
          process.standardOutput = pipe
          process.standardError = FileHandle.nullDevice
          try process.run()
          let data = pipe.fileHandleForReading.readDataToEndOfFile()
          process.waitUntilExit()
          let actual = String(decoding: data, as: UTF8.self)
          #expect(actual == expected, "\(command) \(file) differs from Fixtures/expected/\(name).\(command).\(format)")
          checked += 1
        }
      }
    }
    #expect(checked >= 180)
  }
}
