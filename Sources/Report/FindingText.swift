import Correlate
import Dissect

extension Finding {
  /// The finding in words, with capture points named as `files` names them.
  public func sentence(_ files: InputFiles) -> String {
    guard case .lostBetweenPoints(let t, let isRequest, let seenAt, let missingAt) = self else { return sentence }
    let seen = files.point(seenAt) ?? files.path(seenAt)
    let missing = files.point(missingAt) ?? files.path(missingAt)
    let between =
      isRequest ? "between the client's side and the server" : "between the server and the relay's client side"
    return "\(MessageType.name(t)) seen at \(seen) and never at \(missing): lost \(between)"
  }

  /// The finding in words, for people: the `anomalies` of JSON and the text ladder.
  public var sentence: String {
    func type(_ t: UInt8?) -> String { MessageType.name(t) }
    func server(_ s: IPv4Address?) -> String { s.map { "server \($0)" } ?? "a server" }
    switch self {
    case .retransmission(let t, let count, let secs):
      return "the client sent \(type(t)) \(count) times (secs \(secs.map(String.init).joined(separator: ", ")))"
    case .serverNoReply(let s, let requests):
      return "server \(s) was sent \(plural(requests, "request")) and never replied"
    case .failover(let from, let to, let after):
      return "server \(from) never answered; the relay failed over to \(to) after \(duration(after))"
    case .multipleOffers(let servers):
      return "offers came from \(servers.count) servers: \(servers.map(\.description).joined(separator: ", "))"
    case .duplicateReply(let s, let t, let count):
      return "\(server(s)) sent \(type(t)) \(count) times"
    case .lateOffer(let s, let after):
      return
        "OFFER from \(s.map(\.description) ?? "a server") arrived \(duration(after)) after the client had sent REQUEST"
    case .lateFinalReply(let s, let t, let after):
      return
        "\(type(t)) from \(s.map(\.description) ?? "a server") arrived after the \(type(after)) that ended the exchange"
    case .nak(let s, let requested, let message):
      var sentence = "the request"
      if let requested { sentence += " for \(requested)" }
      sentence += " was refused with NAK"
      if let s { sentence += " by \(s)" }
      if let message, !message.isEmpty { sentence += ": \"\(message)\"" }
      return sentence
    case .declined(let address):
      let what = address.map { "the address \($0)" } ?? "the address"
      return "the client declined \(what) (DHCPDECLINE): it is probably in use by another host"
    case .timeout(let t, _, let timeout):
      return "the client's \(type(t)) got no reply within \(duration(timeout * 1000)) (--timeout)"
    case .stalled(let after, let timeout):
      return
        "the exchange stalled after \(type(after)): the client sent nothing more within \(duration(timeout * 1000))"
    case .captureEnded(let t, let waited):
      if let waited {
        return "the capture ended \(duration(waited)) after the client's \(type(t)), before --timeout: no verdict"
      }
      return "the capture ended in the middle of the exchange, before --timeout: no verdict"
    case .evicted(let limit):
      return "closed early: more than \(limit) transactions were open at once"
    case .unansweredServerIdentifier(let s):
      return "the client requested from server \(s) (option 54), which never answered"
    case .relayHopsNotIncremented(let relay, let t):
      return "relay \(relay) forwarded \(type(t)) with hops 0 (RFC 1542 requires incrementing)"
    case .replyWithoutGiaddr(let s, let t):
      return "\(type(t)) from \(s) to the relay has no giaddr"
    case .replyGiaddrMismatch(let s, let giaddr, let t):
      return "\(type(t)) from \(s) carries giaddr \(giaddr), not the request's"
    case .replyToClientOnServerPort(let s, let t):
      return "\(type(t)) from \(s) was sent to the client on port 67 instead of 68"
    case .option82NotRemoved(let t):
      return "\(type(t)) to the client still carries option 82 (RFC 3046 requires the relay to remove it)"
    case .replyToRelayOnClientPort(let relay, let t):
      return "\(type(t)) to relay \(relay) was sent to port 68 instead of 67"
    case .serverIdentifierMismatch(let source, let identifier):
      return "replies from \(source) name server \(identifier) (option 54): a multi-homed server, or spoofed replies"
    case .icmpUnreachable(let s, let reporter, let code, let t, let count):
      let times = count == 1 ? "" : " (\(count) times)"
      let what = ICMPError(code: code, reporter: reporter, quotedDestination: s).codeName
      if reporter == s && code == 3 {
        return
          "\(s) answered \(type(t)) with ICMP port unreachable\(times): no DHCP server is listening on that address"
      }
      if reporter == s {
        return "\(s) answered \(type(t)) with ICMP \(what)\(times)"
      }
      let cause = (code == 9 || code == 10 || code == 13) ? " (a filter on the way)" : ""
      return "router \(reporter) reported \(s) \(what) for the \(type(t))\(times)\(cause)"
    case .lostBetweenPoints(let t, let isRequest, let seenAt, let missingAt):
      return
        "\(type(t)) seen at capture \(seenAt + 1) and never at capture \(missingAt + 1): lost \(isRequest ? "between the client's side and the server" : "between the server and the relay's client side")"
    case .routedAndRelayed(let t, let s):
      return
        "\(server(s)) was sent the client's \(type(t)) twice: routed by the relay host and relayed by the relay agent (replies to both are expected)"
    case .ackWithoutAddress(let s):
      return "the ACK from \(s.map(\.description) ?? "the server") carries yiaddr 0.0.0.0: no address was assigned"
    case .packetsNotListed(let count, let kept):
      return
        "\(plural(count, "more packet")) of this transaction were counted but not listed (at most \(kept) are kept)"
    }
  }
}

/// "1 request", "3 requests".
func plural(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

/// "850 ms", "6.02 s": durations in sentences.
func duration(_ milliseconds: Double) -> String {
  if milliseconds < 1000 {
    return milliseconds < 10 ? "\(Double(Int(milliseconds * 100)) / 100) ms" : "\(Int(milliseconds.rounded())) ms"
  }
  let s = milliseconds / 1000
  return s == s.rounded() ? "\(Int(s)) s" : "\(Double(Int(s * 100)) / 100) s"
}

/// Findings in words, as each output writes them, kept for findings that recur: the same
/// server silent, the same retransmission, the same routed-and-relayed RELEASE, transaction
/// after transaction. Building a sentence costs far more than looking it up. One report (one
/// thread) owns it; it holds a bounded number.
final class RenderedFindings {
  private var quoted = FindingMemo<[UInt8]>()
  private var objects = FindingMemo<[UInt8]>()
  private var lines = FindingMemo<String>()

  // Each looks the finding up before making anything: a closure that made the value would
  // capture (and copy) what it needs on every call, hit or miss.

  /// The sentence as a JSON string.
  func quoted(_ finding: Finding, files: InputFiles) -> [UInt8] {
    if let known = quoted[finding] { return known }
    let made = ReportWriter.quoted(finding.sentence(files))
    quoted.keep(made, for: finding)
    return made
  }

  /// The finding as the JSON object `TransactionReport.writeFinding` writes.
  func object(_ finding: Finding, files: InputFiles) -> [UInt8] {
    if let known = objects[finding] { return known }
    var w = ReportWriter(capacity: 256)
    TransactionReport.writeFinding(finding, files: files, into: &w)
    let made = w.out.withUnsafeBytes { Array($0) }
    objects.keep(made, for: finding)
    return made
  }

  /// The text ladder's line for the finding.
  func line(_ finding: Finding, files: InputFiles, layout: borrowing LadderLayout) -> String {
    if let known = lines[finding] { return known }
    let made = layout.findingLine(finding.severity, finding.sentence(files))
    lines.keep(made, for: finding)
    return made
  }
}

/// Values made from findings, at most `maximumKept`. The last few used are compared first:
/// a finding usually recurs in the next transactions, and comparing it costs less than
/// hashing it.
struct FindingMemo<Value> {
  private var recent: [(finding: Finding, value: Value)] = []
  private var nextReplaced = 0
  private var known: [Finding: Value] = [:]
  static var recentKept: Int { 4 }
  static var maximumKept: Int { 4_096 }

  subscript(finding: Finding) -> Value? {
    mutating get {
      for i in recent.indices where recent[i].finding == finding { return recent[i].value }
      guard let value = known[finding] else { return nil }
      remember(value, for: finding)
      return value
    }
  }

  mutating func keep(_ value: Value, for finding: Finding) {
    if known.count >= Self.maximumKept { known.removeAll(keepingCapacity: true) }
    known[finding] = value
    remember(value, for: finding)
  }

  private mutating func remember(_ value: Value, for finding: Finding) {
    if recent.count < Self.recentKept {
      recent.append((finding, value))
    } else {
      recent[nextReplaced] = (finding, value)
      nextReplaced = (nextReplaced + 1) % Self.recentKept
    }
  }
}
