import CPcap
import Glibc

/// A live capture through libpcap in immediate mode, so each packet is delivered at once.
public final class LiveCapture {
  public let device: String
  public private(set) var linkType: Int
  private let handle: OpaquePointer
  private var dumper: OpaquePointer?
  private var savePath: String?
  private var framesRead = 0
  private var selectableFD: Int32 = -1
  private var readTimeoutMs: Int32 = 100

  /// Opens `device` (a name, or `any`) with the built-in DHCP filter and the user's, compiled
  /// into the kernel.
  /// `bufferKiB`: the kernel's capture buffer, as tcpdump -B (libpcap's default when nil).
  public init(
    device: String, userFilter: String?, snapLength: Int32 = 65_535, readTimeoutMs: Int32 = 100,
    bufferKiB: Int? = nil
  ) throws {
    self.device = device
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    guard let h = pcap_create(device, &errbuf) else {
      throw CaptureError.liveFailure(device: device, reason: String(cString: errbuf))
    }
    pcap_set_snaplen(h, snapLength)
    pcap_set_promisc(h, device == "any" ? 0 : 1)
    pcap_set_immediate_mode(h, 1)
    pcap_set_timeout(h, readTimeoutMs)
    pcap_set_tstamp_precision(h, Int32(PCAP_TSTAMP_PRECISION_NANO))
    if let bufferKiB { pcap_set_buffer_size(h, Int32(clamping: bufferKiB * 1024)) }
    let status = pcap_activate(h)
    if status < 0 {
      let detail = String(cString: pcap_geterr(h))
      pcap_close(h)
      switch status {
      case PCAP_ERROR_NO_SUCH_DEVICE: throw CaptureError.noSuchDevice(device)
      case PCAP_ERROR_PERM_DENIED: throw CaptureError.permissionDenied(device)
      case PCAP_ERROR_IFACE_NOT_UP: throw CaptureError.interfaceDown(device)
      default: throw CaptureError.liveFailure(device: device, reason: detail)
      }
    }
    // From here on `deinit` owns the handle: an error below throws without closing it, since
    // a class whose stored properties are all set runs its deinit when its initializer throws.
    handle = h
    // On `any`, cooked v2 keeps the interface index of each packet, as `tcpdump -y LINUX_SLL2`.
    if device == "any" { _ = pcap_set_datalink(h, 276) }
    // In immediate mode Linux's libpcap ignores the read timeout and would block forever;
    // non-blocking reads behind poll() keep a quiet segment from stalling timers and signals.
    _ = pcap_setnonblock(h, 1, &errbuf)
    selectableFD = pcap_get_selectable_fd(h)
    self.readTimeoutMs = readTimeoutMs
    linkType = Int(pcap_datalink(h))
    let filter = DHCPFilter.expression(linkType: Int32(linkType), user: userFilter)
    var program = bpf_program()
    guard pcap_compile(h, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
      let reason = String(cString: pcap_geterr(h))
      throw CaptureError.badFilter(expression: filter, reason: reason)
    }
    defer { pcap_freecode(&program) }
    guard pcap_setfilter(h, &program) == 0 else {
      let reason = String(cString: pcap_geterr(h))
      throw CaptureError.badFilter(expression: filter, reason: reason)
    }
  }

  deinit {
    if let dumper { pcap_dump_close(dumper) }
    pcap_close(handle)
  }

  /// Also write every captured frame to `path` as pcap, like `tcpdump -w`.
  public func save(to path: String) throws {
    guard let d = pcap_dump_open(handle, path) else {
      throw CaptureError.cannotWrite(path: path, reason: String(cString: pcap_geterr(handle)))
    }
    dumper = d
    savePath = path
  }

  public enum Event {
    case frame(CapturedFrame)
    /// The read timeout passed with no packet: a chance to fire timers.
    case idle
  }

  /// Waits for the next frame up to the read timeout; a signal also ends the wait.
  public func next() throws -> Event {
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    var status = pcap_next_ex(handle, &header, &data)
    if status == 0, selectableFD >= 0 {
      var descriptor = pollfd(fd: selectableFD, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, readTimeoutMs)
      guard ready > 0 else { return .idle }
      status = pcap_next_ex(handle, &header, &data)
    }
    switch status {
    case 1:
      framesRead += 1
      if let dumper, let savePath {
        pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), header, data)
        if pcap_dump_flush(dumper) != 0 {
          let reason = String(cString: strerror(errno))
          closeSaveFile()
          throw CaptureError.cannotWrite(path: savePath, reason: reason)
        }
      }
      let h = header!.pointee
      return .frame(
        CapturedFrame(
          number: framesRead, rawSeconds: h.ts.tv_sec, rawFraction: h.ts.tv_usec,
          capturedLength: Int(h.caplen), originalLength: Int(h.len),
          bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen))))
    case 0, PCAP_ERROR_BREAK:
      return .idle
    default:
      throw CaptureError.liveFailure(device: device, reason: String(cString: pcap_geterr(handle)))
    }
  }

  /// libpcap's counts: packets received by the filter and dropped by the kernel or interface.
  public func statistics() -> (received: UInt32, dropped: UInt32, interfaceDropped: UInt32)? {
    var stats = pcap_stat()
    guard pcap_stats(handle, &stats) == 0 else { return nil }
    return (stats.ps_recv, stats.ps_drop, stats.ps_ifdrop)
  }

  /// Flushes and closes the -w file; the error when what was captured did not reach it whole.
  @discardableResult public func closeSaveFile() -> CaptureError? {
    guard let dumper, let savePath else { return nil }
    self.dumper = nil
    var problem: CaptureError? = nil
    if pcap_dump_flush(dumper) != 0 || ferror(pcap_dump_file(dumper)) != 0 {
      problem = .cannotWrite(path: savePath, reason: String(cString: strerror(errno)))
    }
    pcap_dump_close(dumper)
    return problem
  }
}

/// A capture device as `pcap_findalldevs` lists it.
public struct CaptureDevice {
  public var name: String
  public var description: String?
  public var addresses: [String]
  public var isUp: Bool
  public var isRunning: Bool
  public var isLoopback: Bool
}

public func listCaptureDevices() throws -> [CaptureDevice] {
  var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
  var list: UnsafeMutablePointer<pcap_if_t>?
  guard pcap_findalldevs(&list, &errbuf) == 0 else {
    throw CaptureError.liveFailure(device: "interfaces", reason: String(cString: errbuf))
  }
  defer { pcap_freealldevs(list) }
  var devices: [CaptureDevice] = []
  var cursor = list
  while let entry = cursor?.pointee {
    var addresses: [String] = []
    var a = entry.addresses
    while let address = a?.pointee {
      if let sa = address.addr, sa.pointee.sa_family == sa_family_t(AF_INET) {
        let sin = UnsafeRawPointer(sa).assumingMemoryBound(to: sockaddr_in.self).pointee
        let v = UInt32(bigEndian: sin.sin_addr.s_addr)
        addresses.append("\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)")
      }
      a = address.next
    }
    devices.append(
      CaptureDevice(
        name: String(cString: entry.name), description: entry.description.map { String(cString: $0) },
        addresses: addresses, isUp: entry.flags & UInt32(PCAP_IF_UP) != 0,
        isRunning: entry.flags & UInt32(PCAP_IF_RUNNING) != 0,
        isLoopback: entry.flags & UInt32(PCAP_IF_LOOPBACK) != 0))
    cursor = entry.next
  }
  return devices
}
