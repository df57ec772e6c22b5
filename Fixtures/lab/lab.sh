#!/usr/bin/env bash
# dhcpscope's lab: real ISC dhcpd / dnsmasq / Kea servers, an ISC dhcrelay (with option 82)
# and an ISC dhclient in network namespaces joined by veth links. Nothing leaves these
# namespaces.
#
#   client ns  c0 192.0.2.x (DHCP)  ──  r-c 192.0.2.1      relay ns (dhcrelay -a, ip_forward)
#   relay  ns  r-s1 198.51.100.1/29 ──  s1 198.51.100.2    server1 ns (dhcpd, dnsmasq or Kea)
#   relay  ns  r-s2 198.51.100.9/29 ──  s2 198.51.100.10   server2 ns (dhcpd)
#
# Usage: lab.sh SCENARIO OUTDIR [--capture] [--hold SECONDS]
#   SCENARIO: single | two-servers | first-down | no-server | nak | release | renew | dnsmasq |
#             kea (kea-dhcp4 as server1)
#   --capture  record on the relay: tcpdump -i any (SLL2) to OUTDIR/relay-any.pcap and
#              dumpcap on r-c, r-s1, r-s2 to OUTDIR/relay-multi.pcapng; and at the other
#              points: the client's c0, server1's s1, server2's s2 to OUTDIR/client.pcap,
#              server1.pcap, server2.pcap
#   --hold N   after the scenario starts, keep the lab up N seconds (for a live `sniff`)
#   --run-in-relay CMD  start CMD (a shell command) in the relay namespace before the client
#              starts; when the scenario ends it gets SIGINT and the lab waits for it
# Writes OUTDIR/result.env: LEASED_ADDRESS, SERVER_ID, and the namespace names.
# Environment: LAB_PREFIX (namespace prefix, default dsc), DHCLIENT_TIMEOUT (default 12).
set -euo pipefail

scenario=${1:?scenario}; out=${2:?output directory}; shift 2
lab_name=lab.sh
. "$(dirname "$0")/lab-common.sh"
lab_options "$@"

P=${LAB_PREFIX:-dsc}
NC=$P-client NR=$P-relay NS1=$P-server1 NS2=$P-server2
all="$NC $NR $NS1 $NS2"
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/dhcpscope-lab.XXXXXX)
pids=()

trap lab_teardown EXIT INT TERM
for ns in $all; do ip netns del $ns 2>/dev/null || true; done

for ns in $all; do ip netns add $ns; inns $ns ip link set lo up; done
ip link add c0 netns $NC type veth peer name r-c netns $NR
ip link add s1 netns $NS1 type veth peer name r-s1 netns $NR
ip link add s2 netns $NS2 type veth peer name r-s2 netns $NR
inns $NC ip link set c0 address 02:00:00:00:c0:01
inns $NC ip link set c0 up
inns $NR ip addr add 192.0.2.1/24 dev r-c
inns $NR ip addr add 198.51.100.1/29 dev r-s1
inns $NR ip addr add 198.51.100.9/29 dev r-s2
for l in r-c r-s1 r-s2; do inns $NR ip link set $l up; done
inns $NR sysctl -qw net.ipv4.ip_forward=1
inns $NS1 ip addr add 198.51.100.2/29 dev s1; inns $NS1 ip link set s1 up
inns $NS1 ip route add default via 198.51.100.1
inns $NS2 ip addr add 198.51.100.10/29 dev s2; inns $NS2 ip link set s2 up
inns $NS2 ip route add default via 198.51.100.9

lease_time=600
[ "$scenario" = renew ] && lease_time=16

dhcpd_conf() {  # $1 local subnet, $2 netmask, $3 pool start, $4 pool end
  cat <<CONF
authoritative;
default-lease-time $lease_time;
max-lease-time $lease_time;
ddns-update-style none;
subnet $1 netmask $2 { }
subnet 192.0.2.0 netmask 255.255.255.0 {
  range $3 $4;
  option routers 192.0.2.1;
  option domain-name "lab.example";
  option domain-name-servers 192.0.2.53;
}
CONF
}

start_dhcpd() {  # $1 ns, $2 iface, $3 name, conf args...
  local ns=$1 iface=$2 name=$3; shift 3
  dhcpd_conf "$@" > "$work/$name.conf"
  : > "$work/$name.leases"
  inns $ns dhcpd -4 -f -q -cf "$work/$name.conf" -lf "$work/$name.leases" -pf "$work/$name.pid" "$iface" \
    > "$work/$name.log" 2>&1 &
  pids+=($!)
}

servers="198.51.100.2"
case "$scenario" in
  single|nak|release|renew)
    start_dhcpd $NS1 s1 server1 198.51.100.0 255.255.255.248 192.0.2.100 192.0.2.149 ;;
  two-servers)
    start_dhcpd $NS1 s1 server1 198.51.100.0 255.255.255.248 192.0.2.100 192.0.2.149
    start_dhcpd $NS2 s2 server2 198.51.100.8 255.255.255.248 192.0.2.150 192.0.2.199
    servers="198.51.100.2 198.51.100.10" ;;
  first-down)
    start_dhcpd $NS2 s2 server2 198.51.100.8 255.255.255.248 192.0.2.150 192.0.2.199
    servers="198.51.100.2 198.51.100.10" ;;
  no-server) ;;
  dnsmasq)
    inns $NS1 dnsmasq --no-daemon --port=0 --no-resolv --no-hosts --interface=s1 \
      --dhcp-range=192.0.2.100,192.0.2.149,255.255.255.0,10m --dhcp-authoritative \
      --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" \
      > "$work/dnsmasq.log" 2>&1 &
    pids+=($!) ;;
  kea)
    # UDP sockets: Kea only hears relayed traffic, which is all that reaches server1.
    cat > "$work/kea-dhcp4.conf" <<CONF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "s1" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$work/kea-leases4.csv" },
    "valid-lifetime": $lease_time,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.149" } ],
                   "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
                   "output_options": [ { "output": "$work/kea-dhcp4.log" } ] } ] } }
CONF
    start_kea 4 $NS1 ;;
  *) echo "lab.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac

if [ $capture = 1 ]; then
  inns $NR tcpdump -i any -y LINUX_SLL2 -U -w "$out/relay-any.pcap" 'udp port 67 or udp port 68' \
    > "$work/tcpdump.log" 2>&1 &
  pids+=($!)
  if command -v dumpcap >/dev/null; then
    inns $NR dumpcap -q -i r-c -i r-s1 -i r-s2 -w "$out/relay-multi.pcapng" \
      > "$work/dumpcap.log" 2>&1 &
    pids+=($!)
  fi
  # The other capture points: the client's segment and each server, on their own machines.
  for point in "$NC c0 client" "$NS1 s1 server1" "$NS2 s2 server2"; do
    set -- $point
    inns $1 tcpdump -i $2 -U -w "$out/$3.pcap" 'udp port 67 or udp port 68 or icmp' > "$work/tcpdump-$3.log" 2>&1 &
    pids+=($!)
  done
fi
sleep 1.5  # servers bind, captures start

upstream=()
[[ "$servers" == *198.51.100.10* ]] && upstream=(-iu r-s1 -iu r-s2) || upstream=(-iu r-s1)
inns $NR dhcrelay -4 -d -a -id r-c "${upstream[@]}" $servers > "$work/dhcrelay.log" 2>&1 &
pids+=($!)
sleep 1

start_relay_command $NR

# dhclient's own script would rewrite /etc/resolv.conf; this one only sets the address.
cat > "$work/script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    ip addr replace "$new_ip_address/24" dev "$interface"
    [ -n "$new_routers" ] && ip route replace default via ${new_routers%% *} dev "$interface" ;;
  RELEASE|EXPIRE|FAIL|STOP) ip addr flush dev "$interface" ;;
esac
exit 0
SCRIPT
chmod +x "$work/script"
cat > "$work/dhclient.conf" <<CONF
timeout ${DHCLIENT_TIMEOUT:-12};
retry 60;
send host-name "lab-client";
request subnet-mask, routers, domain-name, domain-name-servers;
CONF
: > "$work/dhclient.leases"
if [ "$scenario" = nak ]; then
  # An old lease on another network: INIT-REBOOT asks for it and an authoritative server NAKs.
  cat > "$work/dhclient.leases" <<LEASE
lease {
  interface "c0";
  fixed-address 203.0.113.50;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 198.51.100.2;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
LEASE
fi

dhc() { inns $NC dhclient -4 -cf "$work/dhclient.conf" -lf "$work/dhclient.leases" \
  -pf "$work/dhclient.pid" -sf "$work/script" "$@" c0 >> "$work/dhclient.log" 2>&1; }

status=0
case "$scenario" in
  renew)
    dhc -nw || status=$?
    pids+=($(cat "$work/dhclient.pid" 2>/dev/null || true))
    sleep 13 ;;  # T1 is 8 s: one unicast renewal through the relay's routing
  *)
    dhc -1 || status=$?
    [ "$scenario" = release ] && { sleep 0.5; dhc -r || true; } ;;
esac
sleep "${hold}"
sleep 1  # let the last replies reach the captures
stop_relay_command

leased=$(grep -o 'fixed-address [0-9.]*' "$work/dhclient.leases" | tail -1 | cut -d' ' -f2 || true)
server_id=$(grep -o 'dhcp-server-identifier [0-9.]*' "$work/dhclient.leases" | tail -1 | cut -d' ' -f2 || true)
[ "$scenario" = nak ] || [ -n "$leased" ] || leased=""
{
  echo "SCENARIO=$scenario"
  echo "LEASED_ADDRESS=$leased"
  echo "SERVER_ID=$server_id"
  echo "DHCLIENT_STATUS=$status"
  echo "RELAY_NS=$NR"
} > "$out/result.env"
cp "$work"/*.log "$out/" 2>/dev/null || true
exit 0
