import CPcap
import Glibc

/// Writes frames to a pcap file through libpcap (`pcap_open_dead` + `pcap_dump`), for the
/// crafted fixtures and the load generator.
public final class CaptureWriter {
  private let dead: OpaquePointer
  private let dumper: OpaquePointer
  public let nanosecondPrecision: Bool

  public init(path: String, linkType: Int, nanosecondPrecision: Bool = false, snapLength: Int32 = 65_535) throws {
    let precision = UInt32(nanosecondPrecision ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO)
    guard let d = pcap_open_dead_with_tstamp_precision(Int32(linkType), snapLength, precision) else {
      throw CaptureError.cannotWrite(path: path, reason: "pcap_open_dead failed")
    }
    guard let w = pcap_dump_open(d, path) else {
      let reason = String(cString: pcap_geterr(d))
      pcap_close(d)
      throw CaptureError.cannotWrite(path: path, reason: reason)
    }
    dead = d
    dumper = w
    self.nanosecondPrecision = nanosecondPrecision
  }

  /// Appends one frame; `fraction` is nanoseconds, written at the file's precision.
  public func write(_ bytes: [UInt8], seconds: Int64, nanoseconds: Int32, originalLength: Int? = nil) {
    var header = pcap_pkthdr()
    header.ts.tv_sec = Int(seconds)
    header.ts.tv_usec = Int(nanosecondPrecision ? nanoseconds : nanoseconds / 1000)
    header.caplen = UInt32(bytes.count)
    header.len = UInt32(originalLength ?? bytes.count)
    bytes.withUnsafeBufferPointer { buffer in
      pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, buffer.baseAddress)
    }
  }

  public func close() {
    pcap_dump_flush(dumper)
  }

  deinit {
    pcap_dump_close(dumper)
    pcap_close(dead)
  }
}
