import Dissect

/// Writes `decode`'s JSON "options" array straight from the decoder's events, with no option
/// tree in between. Warnings are kept for the record's "warnings" list.
struct JSONOptionWriter: OptionSink, ~Copyable {
  var w: ReportWriter
  var warnings: [String] = []

  init(_ w: consuming ReportWriter) { self.w = w }

  /// `"code":N,"name":"…","value":` of every top-level option, rendered once: the start
  /// of every option record is one copy. Fetched once per message, not once per option.
  private let topLevelMembers = JSONOptionWriter.renderedMembers
  private static let renderedMembers = RenderedTable(
    rendered: (0...255).map { code in
      var w = ReportWriter(capacity: 128)
      w.beginObject()
      w.key("code")
      w.int(code)
      w.key("name")
      w.string(dhcpOptionName(UInt8(code)))
      w.key("value")
      return w.out.withUnsafeBytes { Array($0.dropFirst()) }  // without the "{"
    })

  mutating func beginOption(code: UInt8) {
    w.beginObject()
    topLevelMembers.writeMembers(Int(code), into: &w)
  }
  mutating func beginSuboption(code: UInt32, name: String) {
    w.beginObject()
    w.key("code")
    w.int(code)
    w.key("name")
    w.string(name)
    w.key("value")
  }
  mutating func endValue(raw: ArraySlice<UInt8>, pieces: Int) {
    w.key("raw")
    w.hex(raw)
    if pieces > 1 {
      w.key("pieces")
      w.int(pieces)
    }
  }
  mutating func beginSuboptions() {
    w.key("suboptions")
    w.beginArray()
  }
  mutating func endSuboptions() { w.endArray() }
  mutating func endOption() { w.endObject() }

  mutating func text(_ utf8: ArraySlice<UInt8>) { w.string(utf8: utf8) }
  mutating func string(_ text: String) { w.string(text) }
  mutating func number(_ value: Int64) { w.int(value) }
  mutating func flag(_ value: Bool) { w.bool(value) }
  mutating func address(_ value: IPv4Address) { w.address(value) }
  mutating func hex(_ bytes: ArraySlice<UInt8>) { w.hex(bytes) }
  mutating func none() { w.null() }
  mutating func beginList() { w.beginArray() }
  mutating func endList() { w.endArray() }
  mutating func beginRecord() { w.beginObject() }
  mutating func field(_ name: StaticString) { w.key(name) }
  mutating func endRecord() { w.endObject() }
  mutating func warning(_ text: String) { warnings.append(text) }
}

/// Writes `decode`'s text option lines, as tcpdump -v and dhcpdump show them:
///
///     Option (51) IP Address Lease Time: 3600 (1h)
///     Option (82) Relay Agent Information
///       (1) Agent Circuit ID: "eth0"
///
/// Lists read "a, b", records "name=value name=value", wire text is quoted. The message
/// type, overload and DHCP state read unquoted; lease times get a readable duration; the
/// parameter request list names each code.
struct TextOptionWriter: OptionSink, ~Copyable {
  var w: ReportWriter
  var warnings: [String] = []
  /// 1 inside a top-level option, 2 inside its sub-options, and so on.
  private var optionDepth = 0
  private var topLevelCode: UInt32 = 0
  /// Lists and records open in the current value; one bit each, innermost in bit 0.
  private var containerDepth = 0
  private var hasItemBits: UInt64 = 0
  private var isRecordBits: UInt64 = 0

  init(_ w: consuming ReportWriter) { self.w = w }

  /// The start of each top-level option's line, "\n  Option (N) Name", rendered once.
  private let topLevelLines = TextOptionWriter.renderedLines
  private static let renderedLines = RenderedTable(
    rendered: (0...255).map { Array("\n  Option (\($0)) \(dhcpOptionName(UInt8($0)))".utf8) })

  mutating func beginOption(code: UInt8) {
    optionDepth += 1
    topLevelCode = UInt32(code)
    topLevelLines.writeRaw(Int(code), into: &w)
  }
  mutating func beginSuboption(code: UInt32, name: String) {
    optionDepth += 1
    w.raw("\n")
    for _ in 0...optionDepth { w.raw("  ") }
    w.raw("(")
    w.plainInt(code)
    w.raw(") ")
    w.raw(text: name)
  }
  mutating func endValue(raw: ArraySlice<UInt8>, pieces: Int) {}
  mutating func beginSuboptions() {}
  mutating func endSuboptions() {}
  mutating func endOption() { optionDepth -= 1 }

  /// The value is the option's own (not an item of a list or record) in a top-level option.
  private var atTopLevelValue: Bool { optionDepth == 1 && containerDepth == 0 }

  /// Message type, option overload and NetBIOS node type: names the decoder chose.
  private func isNameOfCode(_ code: UInt32) -> Bool { code == 53 || code == 52 || code == 46 }

  /// Writes what goes before a value: ": " before an option's value, ", " between list items.
  private mutating func beginValue() {
    if containerDepth == 0 {
      w.raw(": ")
    } else if isRecordBits & 1 == 0 {
      if hasItemBits & 1 != 0 { w.raw(", ") }
      hasItemBits |= 1
    }
  }

  mutating func text(_ utf8: ArraySlice<UInt8>) {
    let quoted = !(atTopLevelValue && isNameOfCode(topLevelCode))
    beginValue()
    if quoted { w.raw("\"") }
    if utf8.allSatisfy({ $0 < 0x80 }) {
      utf8.withUnsafeBytes { w.out.append($0) }
    } else {
      w.raw(text: String(decoding: utf8, as: UTF8.self))
    }
    if quoted { w.raw("\"") }
  }
  mutating func string(_ text: String) {
    let quoted = !(atTopLevelValue && isNameOfCode(topLevelCode))
    beginValue()
    if quoted { w.raw("\"") }
    w.raw(text: text)
    if quoted { w.raw("\"") }
  }
  mutating func number(_ value: Int64) {
    let topLevel = atTopLevelValue
    let isParameterCode = optionDepth == 1 && containerDepth == 1 && topLevelCode == 55
    beginValue()
    w.plainInt(value)
    if topLevel && (topLevelCode == 51 || topLevelCode == 58 || topLevelCode == 59) {
      w.raw(" (")
      w.plainDuration(Int(value))
      w.raw(")")
    } else if isParameterCode {
      w.raw(" ")
      w.raw(text: dhcpOptionName(UInt8(truncatingIfNeeded: value)))
    }
  }
  mutating func flag(_ value: Bool) {
    beginValue()
    w.raw(value ? "enabled" : "disabled")
  }
  mutating func address(_ value: IPv4Address) {
    beginValue()
    w.plainAddress(value)
  }
  mutating func hex(_ bytes: ArraySlice<UInt8>) {
    beginValue()
    if bytes.isEmpty { w.raw("(empty)") } else { w.plainHex(bytes) }
  }
  mutating func none() {
    if containerDepth > 0 { beginValue() }
  }
  mutating func beginList() { beginContainer(isRecord: false) }
  mutating func beginRecord() { beginContainer(isRecord: true) }
  mutating func endList() { endContainer() }
  mutating func endRecord() { endContainer() }
  mutating func field(_ name: StaticString) {
    if hasItemBits & 1 != 0 { w.raw(" ") }
    hasItemBits |= 1
    w.raw(name)
    w.raw("=")
  }
  mutating func warning(_ text: String) { warnings.append(text) }

  private mutating func beginContainer(isRecord: Bool) {
    beginValue()
    containerDepth += 1
    hasItemBits <<= 1
    isRecordBits = isRecordBits << 1 | (isRecord ? 1 : 0)
  }
  private mutating func endContainer() {
    containerDepth -= 1
    hasItemBits >>= 1
    isRecordBits >>= 1
  }
}
