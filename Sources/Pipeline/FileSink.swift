import Glibc
import Report
import Synchronization

/// Writes report bytes to standard output or a file. Bytes go in blocks of about 1 MiB to a
/// background thread that writes them with write(2), so the kernel's copy into the page cache
/// runs on the second core while the report goes on; at most `queuedBlocks` wait, which bounds
/// memory. A report's own buffer, once it holds `drainSize` bytes, is handed over as it is
/// (no copy) and a written one, already grown and paged in, comes back in exchange.
public final class FileSink: ReportSink {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var block = OutputBuffer(capacity: FileSink.blockSize)
  private let queue = BoundedQueue<Job>(capacity: FileSink.queuedBlocks)
  private let done = BoundedQueue<Void>(capacity: 1)
  /// Written buffers, emptied, for `drain` and other threads' reports to reuse.
  public let spareBuffers = SpareBuffers(capacity: FileSink.queuedBlocks + 2)
  private var writer: BackgroundThread?
  /// The first write error (a full disk, a closed pipe), reported once.
  private let failure = WriteFailure()

  public static let blockSize = 1 << 20
  static let queuedBlocks = 4
  /// How full a report's buffer gets before the report drains it here.
  public static let drainSize = 1 << 20

  private enum Job: ~Copyable, Sendable {
    case write(OutputBuffer)
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
      fflush(nil)
      self.init(descriptor: STDOUT_FILENO, owned: false)
    }
  }

  /// Writes to an open descriptor, closed at the end when `owned`.
  public init(descriptor: Int32, owned: Bool) {
    self.descriptor = descriptor
    ownsDescriptor = owned
    let (queue, done, spare, failure) = (queue, done, spareBuffers, failure)
    writer = BackgroundThread {
      while let job = queue.take() {
        switch consume job {
        case .write(var bytes):
          if failure.errno == 0 { failure.errno = bytes.withUnsafeBytes { FileSink.writeAll(descriptor, $0) } }
          bytes.removeAll()
          spare.giveBack(bytes)
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
    var full = spareBuffers.take(capacity: Self.blockSize)
    swap(&full, &block)
    queue.put(.write(full))
  }

  /// Small amounts are copied into the current block; a full report buffer goes as it is.
  public func drain(_ w: inout ReportWriter) {
    guard w.out.count >= Self.drainSize / 2 else { return copyOut(&w) }
    if !block.isEmpty { handOff() }
    var full = spareBuffers.take(capacity: w.out.count + Self.drainSize / 4)
    swap(&full, &w.out)
    queue.put(.write(full))
  }

  /// Writes a filled buffer as it is (no copy), after everything before it.
  public func write(buffer: consuming OutputBuffer) {
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
    let error = failure.errno
    failure.errno = 0
    guard error != 0, error != EPIPE else { return }
    printError("writing the report failed: \(String(cString: strerror(error)))")
    throw InputFailure()
  }

  /// Writes all of `bytes` to `fd`, through EINTR; 0, or the errno that stopped it.
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
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
    let error = failure.errno
    if error != 0 && error != EPIPE {
      writeStandardError("dhcpscope: writing the report failed: \(String(cString: strerror(error)))\n")
    }
    if ownsDescriptor { close(descriptor) }
  }
}

/// The first error of a sink's writing thread: set there, read by the sink's owner after a
/// `flush` (whose hand-off orders the two).
final class WriteFailure: Sendable {
  private let value = Atomic<Int32>(0)
  var errno: Int32 {
    get { value.load(ordering: .relaxed) }
    set { value.store(newValue, ordering: .relaxed) }
  }
}

/// Output buffers the sink has written and emptied, for reports on any thread to fill again:
/// already grown and paged in.
public final class SpareBuffers: Sendable {
  private let queue: BoundedQueue<OutputBuffer>

  init(capacity: Int) { queue = BoundedQueue(capacity: capacity) }

  /// A spare buffer, or a new one of `capacity` bytes when none is waiting.
  public func take(capacity: Int = FileSink.drainSize + FileSink.drainSize / 4) -> OutputBuffer {
    if let buffer = queue.tryTake() { return buffer }
    return OutputBuffer(capacity: capacity)
  }

  /// Keeps `buffer` for reuse, unless enough are kept already.
  func giveBack(_ buffer: consuming OutputBuffer) { _ = queue.tryPut(buffer) }
}
