import Capture
import Glibc
import Report
import Synchronization

/// Writes report bytes to standard output or a file. Bytes go in blocks of about 1 MiB to a
/// background thread that writes them with write(2), so the kernel's copy into the page cache
/// runs on the second core while the report goes on; at most `queuedBlocks` wait, which bounds
/// memory. A report's own buffer, once it holds `drainSize` bytes, is handed over as it is
/// (no copy) and a written one, already grown and paged in, comes back in exchange.
public final class FileSink: ReportSink {
  private var block = OutputBuffer(capacity: FileSink.blockSize)
  private let queue = BoundedQueue<Job>(capacity: FileSink.queuedBlocks)
  private let done = BoundedQueue<Void>(capacity: 1)
  /// Written buffers, emptied, for `drain` and other threads' reports to reuse.
  public let spareBuffers = SpareBuffers(capacity: FileSink.queuedBlocks + 2)
  private var writer: BackgroundThread?
  /// The first write error (a full disk, a closed pipe), reported once.
  private let failure = WriteFailure()
  /// Whether bytes went to the writer since the last `flush`: live capture flushes after
  /// every packet, and a flush with nothing to wait for must cost nothing.
  private var unsynced = false
  /// With -G/-C/-W, the files the report rotates through.
  private var rotating: RotatingFiles?
  /// The file a rotating report writes now.
  public var rotatingPath: String? {
    rotating.map { $0.rotation.fileName($0.template, index: $0.opened - 1, at: $0.openedAt) }
  }
  /// Whether -G with -W has filled its last file: the capture is over, as with tcpdump.
  public var rotationLimitReached: Bool { rotating?.limitReached ?? false }

  public static let blockSize = 1 << 20
  static let queuedBlocks = 4
  /// How full a report's buffer gets before the report drains it here.
  public static let drainSize = 1 << 20

  private enum Job: ~Copyable, Sendable {
    case write(OutputBuffer)
    /// Write to this descriptor from now on, closing the one before.
    case switchTo(Int32)
    /// Reply on `done` once everything before it is written.
    case sync
  }

  public struct OpenError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Writes to `path`, or to standard output for nil or "-".
  public convenience init(path: String?) throws {
    if let path, path != "-" {
      self.init(descriptor: try Self.create(path), owned: true)
    } else {
      fflush(nil)
      self.init(descriptor: STDOUT_FILENO, owned: false)
    }
  }

  /// Writes to files named from `template` as `rotation` says (sniff -o with -G/-C/-W): the
  /// report moves to the next file between records, so each file holds whole ones.
  public convenience init(rotating template: String, rotation: SaveRotation) throws {
    let now = Int(time(nil))
    let first = rotation.fileName(template, index: 0, at: now)
    self.init(descriptor: try Self.create(first), owned: true)
    rotating = RotatingFiles(template: template, rotation: rotation, opened: 1, openedAt: now)
  }

  private static func create(_ path: String) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw OpenError(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
    }
    return fd
  }

  /// Writes to an open descriptor, closed at the end when `owned`.
  public init(descriptor: Int32, owned: Bool) {
    let (queue, done, spare, failure) = (queue, done, spareBuffers, failure)
    // The writing thread owns the descriptor: rotation replaces it there, in order.
    writer = BackgroundThread {
      var descriptor = descriptor
      while let job = queue.take() {
        switch consume job {
        case .write(var bytes):
          if failure.errno == 0 { failure.errno = bytes.withUnsafeBytes { FileSink.writeAll(descriptor, $0) } }
          bytes.removeAll()
          spare.giveBack(bytes)
        case .switchTo(let next):
          close(descriptor)
          descriptor = next
        case .sync: done.put(())
        }
      }
      if owned { close(descriptor) }
    }
  }

  public func write(_ bytes: UnsafeRawBufferPointer) {
    unsynced = true
    if block.count + bytes.count > Self.blockSize && !block.isEmpty { handOff() }
    block.append(bytes)
  }

  private func handOff() {
    var full = spareBuffers.take(capacity: Self.blockSize)
    swap(&full, &block)
    put(full)
  }

  /// Every filled buffer goes to the writer through here: whole records, so rotation may
  /// start a new file before any of them.
  private func put(_ buffer: consuming OutputBuffer) {
    unsynced = true
    if rotating != nil { rotateIfDue(incoming: buffer.count) }
    queue.put(.write(buffer))
  }

  private func rotateIfDue(incoming: Int) {
    let now = Int(time(nil))
    defer { rotating!.size += Int64(incoming) }
    guard !rotating!.limitReached,
      rotating!.rotation.isDue(
        size: rotating!.size, incoming: Int64(incoming), openedAt: rotating!.openedAt, now: now)
    else { return }
    if rotating!.rotation.isLastFile(opened: rotating!.opened) {
      rotating!.limitReached = true
      return
    }
    let name = rotating!.rotation.fileName(rotating!.template, index: rotating!.opened, at: now)
    let fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      // The report stays in the file it was in; finish() reports the failure.
      if failure.errno == 0 { failure.errno = errno }
      return
    }
    queue.put(.switchTo(fd))
    rotating!.opened += 1
    rotating!.openedAt = now
    rotating!.size = 0
  }

  /// Small amounts are copied into the current block; a full report buffer goes as it is.
  public func drain(_ w: inout ReportWriter) {
    guard w.out.count >= Self.drainSize / 2 else { return copyOut(&w) }
    if !block.isEmpty { handOff() }
    var full = spareBuffers.take(capacity: w.out.count + Self.drainSize / 4)
    swap(&full, &w.out)
    put(full)
  }

  /// Writes a filled buffer as it is (no copy), after everything before it.
  public func write(buffer: consuming OutputBuffer) {
    if !block.isEmpty { handOff() }
    put(buffer)
  }

  /// Waits until everything written so far is in the file (live output, and before errors).
  public func flush() {
    guard unsynced else { return }
    if !block.isEmpty { handOff() }
    queue.put(.sync)
    _ = done.take()
    unsynced = false
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
  }
}

/// The report files of a rotating sink: how many were opened, and the current one's age and size.
private struct RotatingFiles {
  let template: String
  let rotation: SaveRotation
  var opened: Int
  var openedAt: Int
  var size: Int64 = 0
  var limitReached = false
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
