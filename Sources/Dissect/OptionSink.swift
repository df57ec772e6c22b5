/// Receives decoded options as a stream of events, the way a SAX parser hands XML to its
/// handler. `decode` writes a million options a second this way without building a tree per
/// option; `OptionTreeBuilder` builds the tree where one is wanted (tests, the fuzzer).
///
/// Each option, and each sub-option, arrives as
/// `beginOption` (`beginSuboption`), exactly one value, `endValue`, optionally
/// `beginSuboptions` … (nested sub-options) … `endSuboptions`, then `endOption`. A value is one scalar event, or
/// `beginList` … values … `endList`, or `beginRecord` then `field` and a value per field, then
/// `endRecord`. Warnings may arrive anywhere inside an option; they belong to the message.
public protocol OptionSink: ~Copyable {
  /// A top-level option, named `dhcpOptionName(code)`: a sink that shows names keeps its own
  /// table of them, so a million options pass no name strings around.
  mutating func beginOption(code: UInt8)
  /// A sub-option (or an enterprise block), with the name the decoder found for it.
  mutating func beginSuboption(code: UInt32, name: String)
  mutating func endValue(raw: ArraySlice<UInt8>, pieces: Int)
  mutating func beginSuboptions()
  mutating func endSuboptions()
  mutating func endOption()

  /// Text from the wire, trailing NULs already dropped. It may be invalid UTF-8: show it
  /// repaired, as `String(decoding:as:)` does.
  mutating func text(_ utf8: ArraySlice<UInt8>)
  /// Text the decoder made (names of codes, formatted identifiers).
  mutating func string(_ text: String)
  mutating func number(_ value: Int64)
  mutating func flag(_ value: Bool)
  mutating func address(_ value: IPv4Address)
  mutating func hex(_ bytes: ArraySlice<UInt8>)
  /// No value: the option carries none, or its content is in its sub-options.
  mutating func none()
  mutating func beginList()
  mutating func endList()
  mutating func beginRecord()
  mutating func field(_ name: StaticString)
  mutating func endRecord()

  mutating func warning(_ text: String)
}
