import Glibc
import Report

/// Writes report bytes to standard output or a file. Bytes go in blocks of about 1 MiB to a
/// background thread that writes them with write(2), so the kernel's copy into the page cache
/// runs on the second core while the report goes on; at most `queuedBlocks` wait, which bounds
/// memory. A report's own buffer, once it holds `drainSize` bytes, is handed over as it is
/// (no copy) and a written one, already grown and paged in, comes back in exchange.
public final class FileSink: ReportSink {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var block = ByteBuffer(capacity: FileSink.blockSize)
  private let queue = BoundedQueue<Job>(capacity: FileSink.queuedBlocks)
  private let done = BoundedQueue<Void>(capacity: 1)
  /// Written buffers, emptied, for `drain` to reuse.
  private let spare = BoundedQueue<ByteBuffer>(capacity: FileSink.queuedBlocks + 2)
  private var writer: BackgroundThread?
  /// The first write error (a full disk, a closed pipe), reported once.
  private let failure = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

  /// The sink writing to standard output, flushed before an error message so the two appear
  /// in order on a terminal.
  nonisolated(unsafe) public static weak var standardOutput: FileSink?

  public static let blockSize = 1 << 20
  static let queuedBlocks = 4
  /// How full a report's buffer gets before the report drains it here.
  public static let drainSize = 1 << 20

  private enum Job {
    case write(ByteBuffer)
    /// Reply on `done` once everything before it is written.
    case sync
  }

  public struct OpenError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Writes to `path`, or to standard output for nil or "-".
  public convenience init(path: String?) throws {
    if let path, path != "-" {
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw OpenError(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
      }
      self.init(descriptor: fd, owned: true)
    } else {
      fflush(stdout)
      self.init(descriptor: STDOUT_FILENO, owned: false)
    }
  }

  /// Writes to an open descriptor, closed at the end when `owned`.
  public init(descriptor: Int32, owned: Bool) {
    self.descriptor = descriptor
    ownsDescriptor = owned
    defer { if descriptor == STDOUT_FILENO { FileSink.standardOutput = self } }
    failure.pointee = 0
    let (queue, done, spare, failure) = (queue, done, spare, failure)
    writer = BackgroundThread {
      while let job = queue.take() {
        switch job {
        case .write(var bytes):
          if failure.pointee == 0 { failure.pointee = bytes.withUnsafeBytes { FileSink.writeAll(descriptor, $0) } }
          bytes.removeAll()
          spare.tryPut(bytes)
        case .sync: done.put(())
        }
      }
    }
  }

  public func write(_ bytes: UnsafeRawBufferPointer) {
    if block.count + bytes.count > Self.blockSize && !block.isEmpty { handOff() }
    block.append(bytes)
  }

  private func handOff() {
    queue.put(.write(block))
    block = spare.tryTake() ?? ByteBuffer(capacity: Self.blockSize)
  }

  /// Small amounts are copied into the current block; a full report buffer goes as it is.
  public func drain(_ w: inout JSONWriter) {
    guard w.out.count >= Self.drainSize / 2 else { return copyOut(&w) }
    if !block.isEmpty { handOff() }
    queue.put(.write(w.out))
    w.out = spare.tryTake() ?? ByteBuffer(capacity: w.out.count + Self.drainSize / 4)
  }

  /// An empty buffer for a report to fill on another thread: a written one when there is
  /// one, already grown and paged in.
  public func emptyBuffer() -> ByteBuffer {
    spare.tryTake() ?? ByteBuffer(capacity: Self.drainSize + Self.drainSize / 4)
  }

  /// Writes a filled buffer as it is (no copy), after everything before it.
  public func write(buffer: ByteBuffer) {
    if !block.isEmpty { handOff() }
    queue.put(.write(buffer))
  }

  /// Waits until everything written so far is in the file (live output, and before errors).
  public func flush() {
    if !block.isEmpty { handOff() }
    queue.put(.sync)
    _ = done.take()
  }

  /// Waits until the report is written, and throws `InputFailure` (exit 1) when it did not
  /// reach its destination whole: a full disk, a file that takes no writes. A reader that went
  /// away (EPIPE, as `| head` does) ends quietly: nobody wants the rest.
  public func finish() throws {
    flush()
    let error = failure.pointee
    failure.pointee = 0
    guard error != 0, error != EPIPE else { return }
    printError("writing the report failed: \(String(cString: strerror(error)))")
    throw InputFailure()
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
    if failure.pointee != 0 && failure.pointee != EPIPE {
      fputs("dhcpscope: writing the report failed: \(String(cString: strerror(failure.pointee)))\n", stderr)
    }
    if ownsDescriptor { close(descriptor) }
    failure.deallocate()
  }
}
