import Dissect

/// One line per DHCP packet as `sniff --packets` shows it while capturing, in the manner of
/// tcpdump's default output:
///
///     2026-11-21 09:14:00.123456 +01:00  192.0.2.1.67 > 198.51.100.2.67  DISCOVER xid 0x1c3533 chaddr 02:00:00:00:c0:01 giaddr 192.0.2.1 hops 1
public enum PacketLine {
  public static func write(_ p: PacketSummary, style: TextStyle, into w: inout ReportWriter) {
    w.plainCalendarTime(p.timestamp, utc: style.utc)
    w.raw("  ")
    w.plainAddress(p.source)
    w.raw(".")
    w.plainInt(p.sourcePort)
    w.raw(" > ")
    w.plainAddress(p.destination)
    w.raw(".")
    w.plainInt(p.destinationPort)
    w.raw("  ")
    w.raw(text: p.messageType.map { MessageType.name($0) } ?? (p.isRequest ? "BOOTREQUEST" : "BOOTREPLY"))
    w.raw(" xid ")
    w.plainXID(p.xid)
    w.raw(" chaddr ")
    w.plainHardwareAddress(p.clientHardwareAddress)
    for (label, address) in [(" ciaddr ", p.ciaddr), (" yiaddr ", p.yiaddr), (" giaddr ", p.giaddr)]
    where address != IPv4Address(0) {
      w.raw(text: label)
      w.plainAddress(address)
    }
    if p.hops > 0 {
      w.raw(" hops ")
      w.plainInt(p.hops)
    }
    w.newline()
  }

  /// A DHCPv6 message: its relay layers outermost first, then the message, as tcpdump nests
  /// them:
  ///
  ///     … 2001:db8:ff01::1.547 > 2001:db8:ff01::2.547  RELAY-FORW(hop 0 link 2001:db8:1::1) SOLICIT xid 0x529405
  public static func write(_ p: DHCPv6Packet, style: TextStyle, into w: inout ReportWriter) {
    let m = p.message
    w.plainCalendarTime(p.timestamp, utc: style.utc)
    w.raw(text: "  \(p.source).\(p.sourcePort) > \(p.destination).\(p.destinationPort)  ")
    for layer in m.relays {
      w.raw(
        text: "\(DHCPv6MessageType.name(layer.messageType))(hop \(layer.hopCount) link \(layer.linkAddress)) ")
    }
    if let problem = m.malformation {
      w.raw(text: "malformed (\(problem.reason.rawValue))")
    } else {
      w.raw(text: "\(m.messageTypeName) xid \(PacketReport.xid(m.transactionID))")
    }
    w.newline()
  }
}
