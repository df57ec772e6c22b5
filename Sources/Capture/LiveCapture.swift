import CPcap
import Glibc

/// A live capture through libpcap: TPACKET_V3 blocks, handed over within the read timeout.
public final class LiveCapture {
  public let device: String
  public private(set) var linkType: Int
  private let handle: OpaquePointer
  private var dumper: OpaquePointer?
  /// The file -w writes now (rotation changes it).
  public private(set) var savePath: String?
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
      throw CaptureError.liveFailure(device: device, reason: cText(errbuf))
    }
    pcap_set_snaplen(h, snapLength)
    pcap_set_promisc(h, device == "any" ? 0 : 1)
    // Not immediate mode: there Linux's libpcap uses TPACKET_V2, whose ring holds a slot of
    // snapLength per packet (32 packets in the default 2 MiB), and drops at 20 000 packets/s.
    // TPACKET_V3 packs packets into blocks the kernel hands over within the read timeout.
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
    // Non-blocking reads behind poll() keep a quiet segment from stalling timers and signals.
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

  /// Also write every captured frame to `path` as pcap, like `tcpdump -w`; with `rotation`,
  /// to a new file every so many seconds or megabytes, as tcpdump -G, -C and -W.
  public func save(to path: String, rotation: SaveRotation = SaveRotation()) throws {
    self.rotation = rotation
    template = path
    try openSaveFile(at: nil)
  }

  /// Whether `-G` with `-W` has written its last file: the capture is over, as with tcpdump.
  public private(set) var saveLimitReached = false
  private var rotation = SaveRotation()
  private var template = ""
  private var filesOpened = 0
  private var openedAt: Int = 0

  private func openSaveFile(at seconds: Int?) throws {
    let now = seconds ?? Int(time(nil))
    let path = template == "-" ? "-" : rotation.fileName(template, index: filesOpened, at: now)
    guard let d = pcap_dump_open(handle, path) else {
      throw CaptureError.cannotWrite(path: path, reason: String(cString: pcap_geterr(handle)))
    }
    dumper = d
    savePath = path
    filesOpened += 1
    openedAt = now
  }

  /// After a frame: the next file, when this one is full or old enough.
  private func rotateIfDue(_ seconds: Int) throws {
    guard template != "-", let dumper,
      rotation.isDue(size: pcap_dump_ftell64(dumper), openedAt: openedAt, now: seconds)
    else { return }
    if let problem = closeSaveFile() { throw problem }
    if rotation.isLastFile(opened: filesOpened) {
      saveLimitReached = true
      return
    }
    try openSaveFile(at: seconds)
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
        try rotateIfDue(Int(header!.pointee.ts.tv_sec))
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
    throw CaptureError.liveFailure(device: "interfaces", reason: cText(errbuf))
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

/// tcpdump's -G, -C and -W for the -w file.
public struct SaveRotation: Sendable {
  /// -G: a new file every so many seconds, named by strftime from the -w pattern.
  public var seconds: Int?
  /// -C: a new file once this one holds this many million bytes.
  public var megabytes: Int?
  /// -W: with -C, how many files to cycle through; with -G alone, how many to write before
  /// the capture stops.
  public var files: Int?

  public init(seconds: Int? = nil, megabytes: Int? = nil, files: Int? = nil) {
    self.seconds = seconds
    self.megabytes = megabytes
    self.files = files
  }

  public var isEnabled: Bool { seconds != nil || megabytes != nil }

  /// The name of file number `index` (from 0), opened at `seconds`: with -G the template is
  /// an strftime pattern; with -C a number follows it (none on the first file without -W, as
  /// tcpdump names them).
  public func fileName(_ template: String, index: Int, at seconds: Int) -> String {
    var name = template
    if self.seconds != nil {
      var t = time_t(seconds)
      var fields = tm()
      localtime_r(&t, &fields)
      var buffer = [CChar](repeating: 0, count: 4096)
      if strftime(&buffer, buffer.count, template, &fields) > 0 { name = cText(buffer) }
    }
    guard megabytes != nil else { return name }
    if let files {
      let digits = String(max(files - 1, 0)).count
      let number = String(index % files)
      return name + String(repeating: "0", count: max(0, digits - number.count)) + number
    }
    return index == 0 ? name : name + String(index)
  }

  /// Whether the file opened at `openedAt`, holding `size` bytes, is done at `now` once
  /// `incoming` more bytes are due.
  public func isDue(size: Int64, incoming: Int64 = 0, openedAt: Int, now: Int) -> Bool {
    if let megabytes, size > 0, size + incoming >= Int64(megabytes) * 1_000_000 { return true }
    if let seconds, now - openedAt >= seconds { return true }
    return false
  }

  /// Whether, with -G and -W but no -C, `opened` files are all there will be.
  public func isLastFile(opened: Int) -> Bool {
    guard let files, seconds != nil, megabytes == nil else { return false }
    return opened >= files
  }
}
