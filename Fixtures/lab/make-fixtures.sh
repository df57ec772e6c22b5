#!/usr/bin/env bash
# Regenerates the lab fixtures in Fixtures/ from real ISC dhcpd/dhcrelay/dhclient and dnsmasq.
# Needs root. Each scenario writes <scenario>-any.pcap (tcpdump -i any, SLL2, on the relay)
# and <scenario>-multi.pcapng (dumpcap on the relay's three interfaces).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/.." && pwd)
for scenario in ${*:-single two-servers first-down no-server nak release renew dnsmasq}; do
  tmp=$(mktemp -d)
  DHCLIENT_TIMEOUT=10 "$here/lab.sh" "$scenario" "$tmp" --capture
  cp "$tmp/relay-any.pcap" "$fixtures/$scenario-any.pcap"
  [ -f "$tmp/relay-multi.pcapng" ] && cp "$tmp/relay-multi.pcapng" "$fixtures/$scenario-multi.pcapng"
  cp "$tmp/result.env" "$fixtures/lab/$scenario.env"
  rm -rf "$tmp"
  echo "made $scenario"
done
