/// A typed option value, shaped so every output format can render it: JSON maps it one to one.
public indirect enum OptionValue: Sendable, Equatable {
  case text(String)
  case number(Int64)
  case flag(Bool)
  case address(IPv4Address)
  case hex([UInt8])
  case list([OptionValue])
  case record([Field])
  case none

  public struct Field: Sendable, Equatable {
    public var name: String
    public var value: OptionValue
    public init(_ name: String, _ value: OptionValue) {
      self.name = name
      self.value = value
    }
  }
}

/// One option, or sub-option, decoded: named, typed, with its raw bytes and any sub-options.
public struct DecodedOption: Sendable {
  public var code: UInt32
  public var name: String
  public var value: OptionValue
  public var raw: ArraySlice<UInt8>
  public var suboptions: [DecodedOption]?
  /// How many instances RFC 3396 concatenated into this option (1 when not split).
  public var pieces: Int = 1
  /// The warnings found in this option and its sub-options.
  public var warnings: [String] = []
}

/// Builds `DecodedOption` trees from the decoder's events.
public struct OptionTreeBuilder: OptionSink {
  public private(set) var options: [DecodedOption] = []
  /// Options begun and not yet ended, innermost last.
  private var open: [DecodedOption] = []
  /// Lists and records begun and not yet ended, innermost last, with the pending field name.
  private var containers: [(value: OptionValue, field: String?)] = []
  private var warnings: [String] = []

  public init() {}

  public mutating func beginOption(code: UInt8) {
    beginSuboption(code: UInt32(code), name: dhcpOptionName(code))
  }
  public mutating func beginSuboption(code: UInt32, name: String) {
    open.append(DecodedOption(code: code, name: name, value: .none, raw: []))
  }
  public mutating func endValue(raw: ArraySlice<UInt8>, pieces: Int) {
    open[open.count - 1].raw = raw
    open[open.count - 1].pieces = pieces
  }
  public mutating func beginSuboptions() { open[open.count - 1].suboptions = [] }
  public mutating func endSuboptions() {}
  public mutating func endOption() {
    var option = open.removeLast()
    if open.isEmpty {
      option.warnings = warnings
      warnings = []
      options.append(option)
    } else {
      open[open.count - 1].suboptions!.append(option)
    }
  }

  public mutating func text(_ utf8: ArraySlice<UInt8>) { add(.text(String(decoding: utf8, as: UTF8.self))) }
  public mutating func string(_ text: String) { add(.text(text)) }
  public mutating func number(_ value: Int64) { add(.number(value)) }
  public mutating func flag(_ value: Bool) { add(.flag(value)) }
  public mutating func address(_ value: IPv4Address) { add(.address(value)) }
  public mutating func hex(_ bytes: ArraySlice<UInt8>) { add(.hex(Array(bytes))) }
  public mutating func none() { add(.none) }
  public mutating func beginList() { containers.append((.list([]), nil)) }
  public mutating func beginRecord() { containers.append((.record([]), nil)) }
  public mutating func endList() { add(containers.removeLast().value) }
  public mutating func endRecord() { add(containers.removeLast().value) }
  public mutating func field(_ name: StaticString) { containers[containers.count - 1].field = "\(name)" }
  public mutating func warning(_ text: String) { warnings.append(text) }

  private mutating func add(_ value: OptionValue) {
    guard let last = containers.indices.last else {
      open[open.count - 1].value = value
      return
    }
    switch containers[last].value {
    case .list(var items):
      items.append(value)
      containers[last].value = .list(items)
    case .record(var fields):
      fields.append(.init(containers[last].field ?? "", value))
      containers[last].value = .record(fields)
    default: break
    }
  }
}
