#!/usr/bin/env bash
# dhcpscope's DHCPv6 lab: ISC dhcpd -6 (or Kea's kea-dhcp6) servers, ISC dhcrelay -6 relays
# (one, or two chained) and an ISC dhclient -6 in network namespaces joined by veth links.
# Nothing leaves them.
#
#   client ns  c0 (link-local)   ── r-c  2001:db8:1::1/64      relay1 ns (dhcrelay -6 -I)
#   relay1 ns  r-s1 2001:db8:ff01::1 ── s1 2001:db8:ff01::2    server1 ns (dhcpd -6)
#   relay1 ns  r-s2 2001:db8:ff02::1 ── s2 2001:db8:ff02::2    server2 ns (dhcpd -6)
# chain: relay1's upper link goes to relay2 instead, which relays to server1:
#   relay1 ns  r-u 2001:db8:ff10::1  ── r2-d 2001:db8:ff10::2  relay2 ns (dhcrelay -6)
#   relay2 ns  r-s1 2001:db8:ff01::1 ── s1 2001:db8:ff01::2    server1 ns
#
# Usage: lab6.sh SCENARIO OUTDIR [--capture] [--hold SECONDS] [--run-in-relay CMD]
#   SCENARIO: single | chain | two-servers | no-server | release | kea (kea-dhcp6 as server1)
#   --capture  tcpdump -i any (SLL2) in relay1 to OUTDIR/relay1-any.pcap, and in relay2
#              (chain) to OUTDIR/relay2-any.pcap
#   --run-in-relay CMD  start CMD in relay1's namespace before the client; SIGINT at the end
# Writes OUTDIR/result.env: LEASED_ADDRESS, DELEGATED_PREFIX, SERVER_DUID, namespace names.
# Environment: LAB_PREFIX (namespace prefix, default ds6), CLIENT_SECONDS (default 10).
set -euo pipefail

scenario=${1:?scenario}; out=${2:?output directory}; shift 2
lab_name=lab6.sh
. "$(dirname "$0")/lab-common.sh"
lab_options "$@"

P=${LAB_PREFIX:-ds6}
NC=$P-client NR=$P-relay1 NR2=$P-relay2 NS1=$P-server1 NS2=$P-server2
all="$NC $NR $NR2 $NS1 $NS2"
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/dhcpscope-lab6.XXXXXX)
pids=()

trap lab_teardown EXIT INT TERM
for ns in $all; do ip netns del $ns 2>/dev/null || true; done

for ns in $all; do
  ip netns add $ns
  # No duplicate address detection: addresses are usable at once.
  inns $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  inns $ns ip link set lo up
done
addr() { inns $1 ip -6 addr add $2 dev $3 nodad; }
link() {  # ns1 if1 ns2 if2
  ip link add $2 netns $1 type veth peer name $4 netns $3
  inns $1 ip link set $2 up
  inns $3 ip link set $4 up
}
link $NC c0 $NR r-c
inns $NC ip link set c0 address 02:00:00:00:c6:01
addr $NR 2001:db8:1::1/64 r-c
if [ "$scenario" = chain ]; then
  link $NR r-u $NR2 r2-d
  addr $NR 2001:db8:ff10::1/64 r-u
  addr $NR2 2001:db8:ff10::2/64 r2-d
  link $NR2 r-s1 $NS1 s1
  addr $NR2 2001:db8:ff01::1/64 r-s1
else
  link $NR r-s1 $NS1 s1
  addr $NR 2001:db8:ff01::1/64 r-s1
  link $NR r-s2 $NS2 s2
  addr $NR 2001:db8:ff02::1/64 r-s2
  addr $NS2 2001:db8:ff02::2/64 s2
  inns $NS2 ip -6 route add 2001:db8:1::/64 via 2001:db8:ff02::1
fi
addr $NS1 2001:db8:ff01::2/64 s1
inns $NS1 ip -6 route add default via 2001:db8:ff01::1
sleep 0.5  # link-local addresses come up

dhcpd_conf() {  # $1 server's own /64, $2 pool start, $3 pool end, $4 delegated prefixes
  cat <<CONF
authoritative;
default-lease-time 600;
max-lease-time 600;
preferred-lifetime 300;
option dhcp6.name-servers 2001:db8::53;
option dhcp6.domain-search "lab.example";
subnet6 $1 { }
subnet6 2001:db8:1::/64 {
  range6 $2 $3;
  prefix6 $4 /56;
}
CONF
}

start_dhcpd() {  # $1 ns, $2 iface, $3 name, conf args...
  local ns=$1 iface=$2 name=$3; shift 3
  dhcpd_conf "$@" > "$work/$name.conf"
  : > "$work/$name.leases"
  inns $ns dhcpd -6 -f -q -cf "$work/$name.conf" -lf "$work/$name.leases" -pf "$work/$name.pid" "$iface" \
    > "$work/$name.log" 2>&1 &
  pids+=($!)
}

uppers=(-u 2001:db8:ff01::2%r-s1)
case "$scenario" in
  single|release|chain)
    start_dhcpd $NS1 s1 server1 2001:db8:ff01::/64 2001:db8:1::100 2001:db8:1::1ff "2001:db8:100:: 2001:db8:1ff::" ;;
  two-servers)
    start_dhcpd $NS1 s1 server1 2001:db8:ff01::/64 2001:db8:1::100 2001:db8:1::17f "2001:db8:100:: 2001:db8:17f::"
    start_dhcpd $NS2 s2 server2 2001:db8:ff02::/64 2001:db8:1::180 2001:db8:1::1ff "2001:db8:180:: 2001:db8:1ff::"
    uppers=(-u 2001:db8:ff01::2%r-s1 -u 2001:db8:ff02::2%r-s2) ;;
  no-server) ;;
  kea)
    # The relay sends to server1's global address: Kea listens there only when named with it.
    cat > "$work/kea-dhcp6.conf" <<CONF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "s1/2001:db8:ff01::2" ] },
    "lease-database": { "type": "memfile", "persist": true, "name": "$work/kea-leases6.csv" },
    "server-id": { "type": "LLT", "persist": false },
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" },
                     { "name": "domain-search", "data": "lab.example" } ],
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
                   "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
                   "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
                   "output_options": [ { "output": "$work/kea-dhcp6.log" } ] } ] } }
CONF
    start_kea 6 $NS1 ;;
  *) echo "lab6.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac

if [ $capture = 1 ]; then
  inns $NR tcpdump -i any -y LINUX_SLL2 -U -w "$out/relay1-any.pcap" 'udp port 546 or udp port 547 or icmp6' \
    > "$work/tcpdump1.log" 2>&1 &
  pids+=($!)
  if [ "$scenario" = chain ]; then
    inns $NR2 tcpdump -i any -y LINUX_SLL2 -U -w "$out/relay2-any.pcap" 'udp port 546 or udp port 547 or icmp6' \
      > "$work/tcpdump2.log" 2>&1 &
    pids+=($!)
  fi
fi
sleep 1.5  # servers bind, captures start

if [ "$scenario" = chain ]; then
  inns $NR2 dhcrelay -6 -d --no-pid -l r2-d -u 2001:db8:ff01::2%r-s1 > "$work/dhcrelay2.log" 2>&1 &
  pids+=($!)
  uppers=(-u 2001:db8:ff10::2%r-u)
fi
# -I: an Interface-Id option in every Relay-Forward, which the server must echo.
inns $NR dhcrelay -6 -d --no-pid -I -l r-c "${uppers[@]}" > "$work/dhcrelay1.log" 2>&1 &
pids+=($!)
sleep 1

start_relay_command $NR

cat > "$work/script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
  BOUND6|RENEW6|REBIND6|REBOOT6)
    [ -n "$new_ip6_address" ] && ip -6 addr replace "$new_ip6_address/128" dev "$interface" nodad ;;
  RELEASE6|EXPIRE6|STOP6) [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/128" dev "$interface" ;;
esac
exit 0
SCRIPT
chmod +x "$work/script"
cat > "$work/dhclient6.conf" <<CONF
send dhcp6.oro 23, 24;
CONF
: > "$work/dhclient6.leases"
dhc() { inns $NC dhclient -6 -cf "$work/dhclient6.conf" -lf "$work/dhclient6.leases" \
  -pf "$work/dhclient6.pid" -sf "$work/script" "$@" c0 >> "$work/dhclient.log" 2>&1; }

status=0
# -N -P: an address (IA_NA) and a delegated prefix (IA_PD). -1: give up after one try.
timeout "${CLIENT_SECONDS:-10}" bash -c "$(declare -f inns dhc); work=$work NC=$NC; dhc -1 -N -P" || status=$?
if [ "$scenario" = release ]; then
  sleep 0.5
  timeout 10 bash -c "$(declare -f inns dhc); work=$work NC=$NC; dhc -r -N -P" || true
fi
sleep "${hold}"
sleep 1  # let the last replies reach the captures
stop_relay_command

leased=$(grep -o 'iaaddr [0-9a-f:]*' "$work/dhclient6.leases" | tail -1 | cut -d' ' -f2 || true)
prefix=$(grep -o 'iaprefix [0-9a-f:/]*' "$work/dhclient6.leases" | tail -1 | cut -d' ' -f2 || true)
server_duid=$(grep -o 'option dhcp6.server-id [0-9a-f:]*' "$work/dhclient6.leases" | tail -1 | cut -d' ' -f3 || true)
{
  echo "SCENARIO=$scenario"
  echo "LEASED_ADDRESS=$leased"
  echo "DELEGATED_PREFIX=$prefix"
  echo "SERVER_DUID=$server_duid"
  echo "DHCLIENT_STATUS=$status"
  echo "RELAY_NS=$NR"
} > "$out/result.env"
cp "$work"/*.log "$out/" 2>/dev/null || true
exit 0
