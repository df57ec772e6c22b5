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
  public var warnings: [String] = []
}
