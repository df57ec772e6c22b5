import ArgumentParser
import Correlate
import Dissect
import Glibc

/// Which whole transactions the report shows; a packet filter (`-f`) would cut legs out of
/// them instead.
struct SelectionOptions: ParsableArguments {
  @Flag(name: .long, help: "Report only transactions with a problem.")
  var onlyProblems = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Only this client: hardware address, host name or client identifier (repeatable).", valueName: "client"))
  var client: [String] = []

  @Option(name: .long, help: ArgumentHelp("Only this transaction id, 0x… or decimal (repeatable).", valueName: "xid"))
  var xid: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Only transactions this server was asked or answered, IPv4 or IPv6 (repeatable).", valueName: "address"))
  var server: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Only transactions through this relay agent, IPv4 or IPv6 (repeatable).", valueName: "address"))
  var relay: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Only transactions that started at or after this time: ISO 8601 (local time unless it names a zone), epoch seconds, or +SECONDS after the first packet.",
      valueName: "time"))
  var since: String?

  @Option(
    name: .long, help: ArgumentHelp("Only transactions that started before this time (as --since).", valueName: "time"))
  var until: String?

  @Flag(name: [.customShort("q"), .customLong("summary")], help: "Print only the summary.")
  var summaryOnly = false

  func validate() throws { _ = try selection() }

  func selection() throws -> TransactionSelection {
    var s = TransactionSelection()
    s.onlyProblems = onlyProblems
    s.clients = client
    s.xids = try xid.map { text in
      let value = text.lowercased().hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
      guard let value else { throw ValidationError("--xid \(text): not a transaction id (0x1c3533 or 1848627)") }
      return value
    }
    (s.servers, s.serversV6) = try Self.addresses(server, "--server")
    (s.relays, s.relaysV6) = try Self.addresses(relay, "--relay")
    s.since = try since.map { try Self.timeBound($0, "--since") }
    s.until = try until.map { try Self.timeBound($0, "--until") }
    return s
  }

  /// IPv4 and IPv6 addresses apart: the first select DHCPv4 transactions, the second DHCPv6.
  private static func addresses(_ texts: [String], _ option: String) throws -> ([IPv4Address], [IPv6Address]) {
    var v4: [IPv4Address] = []
    var v6: [IPv6Address] = []
    for text in texts {
      if let a = IPv4Address(text) {
        v4.append(a)
      } else if let a = IPv6Address(text) {
        v6.append(a)
      } else {
        throw ValidationError("\(option) \(text): not an IPv4 or IPv6 address")
      }
    }
    return (v4, v6)
  }

  /// `+SECONDS` after the first packet, epoch seconds, or an ISO 8601 date and time
  /// (`2026-11-21T09:14:00`, with `Z` or `+01:00` for a zone, else local time; a space may
  /// stand for the `T`).
  static func timeBound(_ text: String, _ option: String) throws -> TransactionSelection.TimeBound {
    if text.hasPrefix("+"), let seconds = Double(text.dropFirst()), seconds.isFinite {
      return .afterCaptureStart(seconds: seconds)
    }
    if let seconds = Double(text), seconds.isFinite, !text.contains("-") {
      return .absolute(Timestamp(seconds: 0, nanoseconds: 0).adding(seconds: seconds))
    }
    guard let t = isoTime(text) else {
      throw ValidationError(
        "\(option) \(text): not a time (2026-11-21T09:14:00, 2026-11-21T09:14:00Z, epoch seconds, or +SECONDS)")
    }
    return .absolute(t)
  }

  static func isoTime(_ text: String) -> Timestamp? {
    let chars = Array(text)
    var i = 0
    func number(_ digits: Int) -> Int? {
      guard i + digits <= chars.count else { return nil }
      var v = 0
      for c in chars[i..<(i + digits)] {
        guard let d = c.wholeNumberValue else { return nil }
        v = v * 10 + d
      }
      i += digits
      return v
    }
    func expect(_ c: Character) -> Bool {
      guard i < chars.count, chars[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else {
      return nil
    }
    var hour = 0
    var minute = 0
    var second = 0
    var fraction = 0.0
    if i < chars.count, chars[i] == "T" || chars[i] == " " {
      i += 1
      guard let h = number(2), expect(":"), let m = number(2) else { return nil }
      (hour, minute) = (h, m)
      if expect(":") {
        guard let s = number(2) else { return nil }
        second = s
        if expect(".") {
          var digits = ""
          while i < chars.count, chars[i].isNumber {
            digits.append(chars[i])
            i += 1
          }
          guard !digits.isEmpty, let f = Double("0." + digits) else { return nil }
          fraction = f
        }
      }
    }
    var offsetSeconds: Int? = nil
    if expect("Z") {
      offsetSeconds = 0
    } else if i < chars.count, chars[i] == "+" || chars[i] == "-" {
      let sign = chars[i] == "-" ? -1 : 1
      i += 1
      guard let h = number(2) else { return nil }
      _ = expect(":")
      let m = number(2) ?? 0
      offsetSeconds = sign * (h * 3600 + m * 60)
    }
    guard i == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var fields = tm()
    fields.tm_year = Int32(year - 1900)
    fields.tm_mon = Int32(month - 1)
    fields.tm_mday = Int32(day)
    fields.tm_hour = Int32(hour)
    fields.tm_min = Int32(minute)
    fields.tm_sec = Int32(second)
    fields.tm_isdst = -1
    let epoch: Int
    if let offsetSeconds {
      epoch = timegm(&fields) - offsetSeconds
    } else {
      epoch = mktime(&fields)
    }
    return Timestamp(seconds: Int64(epoch), nanoseconds: Int32(fraction * 1e9))
  }
}
