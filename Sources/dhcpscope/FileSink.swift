import Glibc
import Report

/// Writes report bytes to standard output or a file through a large stdio buffer.
final class FileSink: ReportSink {
  private let file: UnsafeMutablePointer<FILE>
  private let ownsFile: Bool

  struct OpenError: Error, CustomStringConvertible {
    var description: String
  }

  init(path: String?) throws {
    if let path, path != "-" {
      guard let f = fopen(path, "w") else {
        throw OpenError(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
      }
      file = f
      ownsFile = true
    } else {
      file = stdout
      ownsFile = false
    }
    setvbuf(file, nil, _IOFBF, 1 << 16)
  }

  func write(_ bytes: UnsafeRawBufferPointer) {
    _ = fwrite(bytes.baseAddress, 1, bytes.count, file)
  }

  /// For live output: make what was written visible now.
  func flush() { fflush(file) }

  deinit {
    fflush(file)
    if ownsFile { fclose(file) }
  }
}
