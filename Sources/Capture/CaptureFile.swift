import CPcap
import CStreams
import Glibc

/// Reads a pcap (micro- or nanosecond), pcapng, or gzip'd capture through libpcap.
public final class CaptureFile {
  public let path: String
  public let linkType: Int
  /// Whether the file stores nanoseconds, so reports can print the precision it has.
  public let hasNanosecondPrecision: Bool
  private let handle: OpaquePointer
  private var framesRead = 0

  /// Opens `path`; with `userFilter`, only frames matching it (and the built-in DHCP filter)
  /// are returned.
  /// The path "-" reads standard input, as tcpdump -r - and tshark -r - do.
  public init(path: String, userFilter: String? = nil) throws {
    self.path = path
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    if path == "-" {
      var magic = [UInt8](repeating: 0, count: 4)
      var got: Int32 = 0
      guard let stream = dhcpscope_gz_fdopen_peeking(STDIN_FILENO, &magic, &got) else {
        throw CaptureError.cannotOpen(path: path, reason: "cannot read standard input")
      }
      guard got == 4 else {
        fclose(stream)
        throw CaptureError.notACapture(path: path, reason: got == 0 ? "standard input is empty" : "only \(got) bytes")
      }
      guard let opened = pcap_fopen_offline_with_tstamp_precision(stream, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
      else {
        fclose(stream)
        throw CaptureError.notACapture(path: path, reason: "libpcap: " + cText(errbuf))
      }
      handle = opened
      linkType = Int(pcap_datalink(opened))
      hasNanosecondPrecision = Self.nanosecondMagics.contains(magic)
      try compile(userFilter)
      return
    }
    var magic = [UInt8](repeating: 0, count: 4)
    guard let probe = fopen(path, "rb") else {
      throw CaptureError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
    }
    let got = fread(&magic, 1, 4, probe)
    fclose(probe)
    var isDirectory = stat()
    if stat(path, &isDirectory) == 0, isDirectory.st_mode & S_IFMT == S_IFDIR {
      throw CaptureError.cannotOpen(path: path, reason: "is a directory")
    }
    guard got == 4 else {
      throw CaptureError.notACapture(path: path, reason: got == 0 ? "the file is empty" : "only \(got) bytes")
    }
    let opened: OpaquePointer?
    var innerMagic = magic
    if magic[0] == 0x1F && magic[1] == 0x8B {
      guard let stream = dhcpscope_gz_fopen(path) else {
        throw CaptureError.cannotOpen(path: path, reason: "cannot start gzip decompression")
      }
      // Peek at the decompressed magic through a second stream; the first goes to libpcap.
      if let peek = dhcpscope_gz_fopen(path) {
        _ = fread(&innerMagic, 1, 4, peek)
        fclose(peek)
      }
      opened = pcap_fopen_offline_with_tstamp_precision(stream, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
      if opened == nil { fclose(stream) }
    } else {
      // Our own stream with a 1 MiB buffer: glibc's default (the 4 KiB block size) makes one
      // read system call per 4 KiB, a tenth of the reading thread's time on a large capture.
      let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.readBufferSize)
      guard let stream = dhcpscope_fopen_unlocked(path, buffer, Self.readBufferSize) else {
        buffer.deallocate()
        throw CaptureError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
      }
      readBuffer = buffer
      opened = pcap_fopen_offline_with_tstamp_precision(stream, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
      if opened == nil { fclose(stream) }
    }
    guard let opened else {
      readBuffer?.deallocate()
      throw CaptureError.notACapture(path: path, reason: "libpcap: " + cText(errbuf))
    }
    handle = opened
    linkType = Int(pcap_datalink(opened))
    hasNanosecondPrecision = Self.nanosecondMagics.contains(innerMagic)
    try compile(userFilter)
  }

  /// pcap's magic numbers for nanosecond files, in either byte order.
  private static let nanosecondMagics: [[UInt8]] = [[0xA1, 0xB2, 0x3C, 0x4D], [0x4D, 0x3C, 0xB2, 0xA1]]

  private func compile(_ userFilter: String?) throws {
    guard let userFilter else { return }
    let filter = DHCPFilter.expression(linkType: Int32(linkType), user: userFilter)
    guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
      // deinit closes the handle.
      throw CaptureError.badFilter(expression: filter, reason: String(cString: pcap_geterr(handle)))
    }
    hasFilter = true
  }

  deinit {
    if hasFilter { pcap_freecode(&program) }
    pcap_close(handle)  // closes the stream, so its buffer goes after
    readBuffer?.deallocate()
  }

  private static let readBufferSize = 1 << 16
  private var readBuffer: UnsafeMutablePointer<CChar>?

  // The filter runs here rather than inside libpcap so that skipped records still count
  // towards frame numbers, which then match tshark's.
  private var program = bpf_program()
  private var hasFilter = false

  /// Bytes of the (decompressed) file consumed so far: where a damaged file broke.
  public var byteOffset: Int? {
    guard let file = pcap_file(handle) else { return nil }
    let position = ftell(file)
    return position >= 0 ? position : nil
  }

  /// The next frame, nil at the end of the file; throws `.damaged` where the file breaks.
  /// Frame numbers count every record, also those the filter skips, as tshark numbers them.
  public func next() throws -> CapturedFrame? {
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    var status = pcap_next_ex(handle, &header, &data)
    while status == 1, hasFilter {
      framesRead += 1
      if pcap_offline_filter(&program, header, data) != 0 { break }
      status = pcap_next_ex(handle, &header, &data)
    }
    switch status {
    case 1:
      if !hasFilter { framesRead += 1 }
      let h = header!.pointee
      return CapturedFrame(
        number: framesRead, rawSeconds: h.ts.tv_sec, rawFraction: h.ts.tv_usec,
        capturedLength: Int(h.caplen), originalLength: Int(h.len),
        bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
    case PCAP_ERROR_BREAK:
      return nil
    default:
      throw CaptureError.damaged(
        path: path, frame: framesRead + 1, byteOffset: byteOffset,
        reason: String(cString: pcap_geterr(handle)))
    }
  }
}
