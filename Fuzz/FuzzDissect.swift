// libFuzzer target for the dissector: every input is a frame of some link type.
// `make fuzz` compiles it together with Sources/Dissect (one module, so no import) using
// swiftc -sanitize=fuzzer,address -parse-as-library.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDissect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let selector = bytes.first else { return 0 }
  let linkTypes = [LinkType.ethernet, LinkType.linuxSLL, LinkType.linuxSLL2, LinkType.raw, LinkType.null]
  let frame = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
  var dissector = PacketDissector()
  // Feed the frame twice so the fragment reassembler sees a follow-up too.
  for n in 0..<2 {
    let result = dissector.dissect(
      frame, linkType: linkTypes[Int(selector) % linkTypes.count],
      timestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: Int32(n)), frame: n + 1, fileIndex: 0)
    if case .dhcp(let packet) = result {
      for option in OptionDecoder.decodeAll(packet.message) { _ = option.warnings.count }
    }
  }
  // The raw bytes as a BOOTP payload too.
  let message = DHCPMessage(payload: frame)
  _ = OptionDecoder.decodeAll(message)
  return 0
}
