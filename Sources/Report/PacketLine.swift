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
}
