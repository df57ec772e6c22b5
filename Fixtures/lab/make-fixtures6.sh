#!/usr/bin/env bash
# Regenerates the DHCPv6 lab fixtures in Fixtures/dhcpv6 from real ISC dhcpd -6 (or Kea's
# kea-dhcp6), dhcrelay -6 and dhclient -6 (lab6.sh). Needs root. Each scenario writes SCENARIO.pcap (tcpdump -i any,
# SLL2, in the client-facing relay's namespace); the chain also chain-relay2.pcap (the second
# relay's), and lab/dhcpv6-SCENARIO.env records what dhclient got.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/.." && pwd)
mkdir -p "$fixtures/dhcpv6"
for scenario in ${*:-single chain two-servers no-server release kea}; do
  tmp=$(mktemp -d)
  CLIENT_SECONDS=8 "$here/lab6.sh" "$scenario" "$tmp" --capture
  if [ "$scenario" = chain ]; then
    cp "$tmp/relay1-any.pcap" "$fixtures/dhcpv6/chain-relay1.pcap"
    cp "$tmp/relay2-any.pcap" "$fixtures/dhcpv6/chain-relay2.pcap"
    # The second relay's clock 2.5 s ahead, for clock alignment.
    editcap -t 2.5 "$tmp/relay2-any.pcap" "$fixtures/points/dhcpv6-chain-relay2-ahead.pcap"
  else
    cp "$tmp/relay1-any.pcap" "$fixtures/dhcpv6/$scenario.pcap"
  fi
  cp "$tmp/result.env" "$fixtures/lab/dhcpv6-$scenario.env"
  rm -rf "$tmp"
  echo "made $scenario"
done
