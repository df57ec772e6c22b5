// libFuzzer target for the dissector: every input is a frame of some link type.
// `make fuzz` compiles it together with Sources/Dissect (one module, so no import) using
// swiftc -sanitize=fuzzer,address -parse-as-library.

/// decode's path: one packet decoded into again and again, across inputs. Whatever it held
/// before, it must come out as `dissect` makes the same frame alone.
nonisolated(unsafe) var reusedPacket = DHCPPacket()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDissect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let selector = bytes.first else { return 0 }
  let linkTypes = [LinkType.ethernet, LinkType.linuxSLL, LinkType.linuxSLL2, LinkType.raw, LinkType.null]
  let frame = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
  var dissector = PacketDissector()
  var locating = PacketDissector()
  var summarizing = PacketDissector()
  var located = LocatedPackets()
  // Feed the frame twice so the fragment reassembler sees a follow-up too.
  for n in 0..<2 {
    let linkType = linkTypes[Int(selector) % linkTypes.count]
    let timestamp = Timestamp(seconds: 1_700_000_000, nanoseconds: Int32(n))
    let linkFrame = LinkFrame(frame, linkType: linkType, timestamp: timestamp, number: n + 1)
    let result = dissector.dissect(linkFrame)
    _ = locating.locate(linkFrame, appendingTo: &located)
    // analyze's path, ICMP errors quoting DHCP included.
    _ = summarizing.summarize(linkFrame)
    if case .dhcp(let packet) = result {
      for option in OptionDecoder.decodeAll(packet.message) { _ = option.warnings.count }
      precondition(located.count > 0, "dissect found a packet that locate did not")
      located.decode(located.count - 1, into: &reusedPacket)
      precondition(reusedPacket.message == packet.message, "a reused packet decoded differently")
    }
    if case .dhcpv6(let packet) = result {
      let m = packet.message
      for layer in m.relays { _ = DHCPv6OptionDecoder.decodeAll(layer.options, of: m) }
      _ = DHCPv6OptionDecoder.decodeAll(m.options, of: m)
    }
  }
  // The raw bytes as a BOOTP payload, and as a DHCPv6 one, too.
  let message = DHCPMessage(payload: frame)
  _ = OptionDecoder.decodeAll(message)
  let v6 = DHCPv6Message(payload: frame)
  for layer in v6.relays { _ = DHCPv6OptionDecoder.decodeAll(layer.options, of: v6) }
  _ = DHCPv6OptionDecoder.decodeAll(v6.options, of: v6)
  return 0
}
