#!/usr/bin/env bash
# Regenerates the lab fixtures in Fixtures/ from real ISC dhcpd/dhcrelay/dhclient, dnsmasq and
# Kea.
# Needs root. Each scenario writes <scenario>-any.pcap (tcpdump -i any, SLL2, on the relay)
# and <scenario>-multi.pcapng (dumpcap on the relay's three interfaces).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/.." && pwd)
for scenario in ${*:-single two-servers first-down no-server nak release renew dnsmasq kea}; do
  tmp=$(mktemp -d)
  DHCLIENT_TIMEOUT=10 "$here/lab.sh" "$scenario" "$tmp" --capture
  cp "$tmp/relay-any.pcap" "$fixtures/$scenario-any.pcap"
  [ -f "$tmp/relay-multi.pcapng" ] && cp "$tmp/relay-multi.pcapng" "$fixtures/$scenario-multi.pcapng"
  cp "$tmp/result.env" "$fixtures/lab/$scenario.env"
  # Several capture points of one run, for clock alignment: the client side as it is, and
  # each server's capture with its clock made to run 2.5 s ahead (editcap -t).
  case $scenario in
    single|first-down|no-server)
      mkdir -p "$fixtures/points"
      cp "$tmp/client.pcap" "$fixtures/points/$scenario-client.pcap"
      editcap -t 2.5 "$tmp/server1.pcap" "$fixtures/points/$scenario-server1-ahead.pcap"
      [ $scenario = first-down ] && editcap -t -1.25 "$tmp/server2.pcap" "$fixtures/points/$scenario-server2-behind.pcap"
      ;;
  esac
  rm -rf "$tmp"
  echo "made $scenario"
done
