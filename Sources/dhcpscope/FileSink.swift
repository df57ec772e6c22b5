import Glibc
import Report

/// Writes report bytes to standard output or a file. Bytes are collected in 1 MiB blocks that
/// a background thread writes with write(2), so the kernel's copy into the page cache runs on
/// the second core while the report goes on; at most `queuedBlocks` wait, which bounds memory.
final class FileSink: ReportSink {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var block = ByteBuffer(capacity: FileSink.blockSize)
  private let queue = BoundedQueue<Job>(capacity: FileSink.queuedBlocks)
  private let done = BoundedQueue<Void>(capacity: 1)
  private var writer: BackgroundThread?
  /// The first write error (a full disk, a closed pipe), reported once.
  private let failure = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

  /// The sink writing to standard output, flushed before an error message so the two appear
  /// in order on a terminal.
  nonisolated(unsafe) static weak var standardOutput: FileSink?

  static let blockSize = 1 << 20
  static let queuedBlocks = 4

  private enum Job {
    case write(ByteBuffer)
    /// Reply on `done` once everything before it is written.
    case sync
  }

  struct OpenError: Error, CustomStringConvertible {
    var description: String
  }

  init(path: String?) throws {
    if let path, path != "-" {
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw OpenError(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
      }
      descriptor = fd
      ownsDescriptor = true
    } else {
      fflush(stdout)
      descriptor = STDOUT_FILENO
      ownsDescriptor = false
    }
    defer { if !ownsDescriptor { FileSink.standardOutput = self } }
    failure.pointee = 0
    let (queue, done, descriptor, failure) = (queue, done, descriptor, failure)
    writer = BackgroundThread {
      while let job = queue.take() {
        switch job {
        case .write(let bytes):
          if failure.pointee == 0 { failure.pointee = bytes.withUnsafeBytes { FileSink.writeAll(descriptor, $0) } }
        case .sync: done.put(())
        }
      }
    }
  }

  func write(_ bytes: UnsafeRawBufferPointer) {
    if block.count + bytes.count > Self.blockSize && !block.isEmpty { handOff() }
    block.append(bytes)
  }

  private func handOff() {
    queue.put(.write(block))
    block = ByteBuffer(capacity: Self.blockSize)
  }

  /// Waits until everything written so far is in the file (live output, and before errors).
  func flush() {
    if !block.isEmpty { handOff() }
    queue.put(.sync)
    _ = done.take()
  }

  private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      offset += n
    }
    return 0
  }

  deinit {
    flush()
    queue.close()
    writer?.join()
    if failure.pointee != 0 {
      fputs("dhcpscope: writing the report failed: \(String(cString: strerror(failure.pointee)))\n", stderr)
    }
    if ownsDescriptor { close(descriptor) }
    failure.deallocate()
  }
}
