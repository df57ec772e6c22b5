import Dissect

/// Which whole transactions a report shows (`--only-problems`, `--client`, `--xid`,
/// `--server`, `--relay`, `--since`, `--until`). Unlike a packet filter, it keeps every leg
/// of a transaction it selects, so a failover or a silent server stays visible. Criteria of
/// different kinds must all hold; several values of one kind (two `--xid`s) are alternatives.
public struct TransactionSelection: Sendable {
  public var onlyProblems = false
  /// A client hardware address, host name (option 12) or client identifier (option 61, as
  /// text or as hex digits), compared without case.
  public var clients: [String] = []
  public var xids: [UInt32] = []
  /// A server the transaction's requests went to or that answered: IPv4 addresses select
  /// DHCPv4 transactions, IPv6 addresses DHCPv6 ones.
  public var servers: [IPv4Address] = []
  public var serversV6: [IPv6Address] = []
  /// A relay agent of the transaction: DHCPv4's giaddr, or a DHCPv6 relay's address.
  public var relays: [IPv4Address] = []
  public var relaysV6: [IPv6Address] = []
  /// Transactions that started at or after this time.
  public var since: TimeBound?
  /// Transactions that started before this time.
  public var until: TimeBound?

  /// A point in time: absolute, or seconds after the run's first packet.
  public enum TimeBound: Sendable, Equatable {
    case absolute(Timestamp)
    case afterCaptureStart(seconds: Double)

    func resolved(_ captureStart: Timestamp) -> Timestamp {
      switch self {
      case .absolute(let t): return t
      case .afterCaptureStart(let seconds): return captureStart.adding(seconds: seconds)
      }
    }
  }

  public init() {}

  /// Whether anything is left out at all.
  public var isActive: Bool {
    onlyProblems || !clients.isEmpty || !xids.isEmpty || namesServers || namesRelays || since != nil || until != nil
  }

  private var namesServers: Bool { !servers.isEmpty || !serversV6.isEmpty }
  private var namesRelays: Bool { !relays.isEmpty || !relaysV6.isEmpty }

  public func selects(_ t: TransactionRecord) -> Bool {
    if onlyProblems && !t.hasProblem { return false }
    if !xids.isEmpty && !xids.contains(t.xid) { return false }
    if namesServers && !t.servers.contains(where: { servers.contains($0.address) }) { return false }
    if namesRelays && !t.relayAgents.contains(where: { relays.contains($0) }) { return false }
    if let since, t.firstSeen < since.resolved(t.captureStart) { return false }
    if let until, !(t.firstSeen < until.resolved(t.captureStart)) { return false }
    if !clients.isEmpty && !clients.contains(where: { Self.names(t, $0) }) { return false }
    return true
  }

  /// A DHCPv6 transaction: `--server` matches any address a server used, `--relay` a relay
  /// agent's address; `--client` matches its DUID (hex, any separators) or the MAC in it.
  public func selects(_ t: DHCPv6TransactionRecord) -> Bool {
    if onlyProblems && !t.hasProblem { return false }
    if !xids.isEmpty && !xids.contains(t.xid) { return false }
    if namesServers && !t.servers.contains(where: { $0.addresses.contains(where: serversV6.contains) }) { return false }
    if namesRelays && !t.relayAgents.contains(where: relaysV6.contains) { return false }
    if let since, t.firstSeen < since.resolved(t.captureStart) { return false }
    if let until, !(t.firstSeen < until.resolved(t.captureStart)) { return false }
    if !clients.isEmpty {
      let duid = t.clientDUID.map { Hex.string($0) }
      let mac = t.clientMAC?.description.filter(\.isHexDigit).lowercased()
      guard
        clients.contains(where: { c in
          let digits = c.lowercased().filter(\.isHexDigit)
          return !digits.isEmpty && (digits == duid || digits == mac)
        })
      else { return false }
    }
    return true
  }

  /// Whether `client` names the transaction's client: its hardware address (any of the
  /// usual spellings), host name, or client identifier.
  static func names(_ t: TransactionRecord, _ client: String) -> Bool {
    let wanted = client.lowercased()
    let digits = wanted.filter(\.isHexDigit)
    if !digits.isEmpty, digits.count == wanted.count - wanted.filter({ ":-.".contains($0) }).count {
      if digits == t.clientMAC.description.lowercased().filter(\.isHexDigit) { return true }
      if let id = t.client.clientID, digits == Hex.string(id) {
        return true
      }
    }
    if let host = t.client.hostName, host.lowercased() == wanted { return true }
    if let id = t.client.clientID, String(decoding: id, as: UTF8.self).lowercased() == wanted { return true }
    if let id = t.client.clientID, id.count > 1, String(decoding: id.dropFirst(), as: UTF8.self).lowercased() == wanted
    {
      return true  // type 0: a text identifier after its type byte
    }
    return false
  }
}
