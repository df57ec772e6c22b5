import Foundation
import Synchronization

/// The repository root, found from this file's path.
let repositoryRoot: String = {
  var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)
  return parts.joined(separator: "/")
}()
let fixtures = repositoryRoot + "/Fixtures"

/// The dhcpscope binary `swift build` made beside the tests. The test runner's own directory
/// comes first, so `make asan` (scratch path .build-asan) runs the sanitized binary.
let dhcpscopeBinary: String = {
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent().path
  let candidates =
    [beside + "/dhcpscope", beside + "/../dhcpscope"]
    + [".build/debug/dhcpscope", ".build/release/dhcpscope"].map { repositoryRoot + "/" + $0 }
  return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
}()

struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs a program to completion (with a time limit) and captures its output.
@discardableResult
/// Runs a program to its end (or `timeout`); `standardInput` is a file to read from, or none.
func run(
  _ path: String, _ arguments: [String], timeout: Double = 120, environment: [String: String]? = nil,
  standardInput: String? = nil
) throws -> RunResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  // Text output is the same on every machine: local time is UTC, the locale UTF-8 and the
  // width the default 100 columns, unless a test says otherwise.
  var fullEnvironment = environment ?? ProcessInfo.processInfo.environment
  if fullEnvironment["TZ"] == nil { fullEnvironment["TZ"] = "UTC" }
  if environment == nil {
    fullEnvironment["LC_ALL"] = "C.UTF-8"
    fullEnvironment["COLUMNS"] = nil
    fullEnvironment["NO_COLOR"] = nil
  }
  process.environment = fullEnvironment
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput =
    try standardInput.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
  try process.run()
  // Read both pipes while the process runs so a full pipe cannot block it.
  let outData = Collected()
  let errData = Collected()
  let group = DispatchGroup()
  for (pipe, collected) in [(out, outData), (err, errData)] {
    group.enter()
    DispatchQueue.global().async {
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      collected.data.withLock { $0 = data }
      group.leave()
    }
  }
  let deadline = Date().addingTimeInterval(timeout)
  while process.isRunning && Date() < deadline { usleep(20_000) }
  if process.isRunning { process.terminate() }
  process.waitUntilExit()
  group.wait()
  return RunResult(
    status: process.terminationStatus, stdout: String(decoding: outData.data.withLock { $0 }, as: UTF8.self),
    stderr: String(decoding: errData.data.withLock { $0 }, as: UTF8.self))
}

/// What a reading thread collected from a pipe.
final class Collected: Sendable {
  let data = Mutex(Data())
}

func dhcpscope(_ arguments: String...) throws -> RunResult { try run(dhcpscopeBinary, arguments) }
func dhcpscope(_ arguments: [String]) throws -> RunResult { try run(dhcpscopeBinary, arguments) }

func which(_ tool: String) -> String? {
  for dir in ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"]
  where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
    return "\(dir)/\(tool)"
  }
  return nil
}

/// Every capture file under Fixtures.
func allFixtures() -> [String] {
  let e = FileManager.default.enumerator(atPath: fixtures)
  var files: [String] = []
  while let f = e?.nextObject() as? String {
    if f.hasSuffix(".pcap") || f.hasSuffix(".pcapng") || f.hasSuffix(".pcap.gz") { files.append(f) }
  }
  return files.sorted()
}

func jsonLines(_ text: String) throws -> [[String: Any]] {
  try text.split(separator: "\n").map {
    try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
  }
}
