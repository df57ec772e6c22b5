#!/usr/bin/env bash
# Keep-up under load (part of make bench): tcpreplay sends a generated relay capture (DHCP
# only, about 8 packets per lease) from one network namespace over a veth to another, where
# `dhcpscope sniff --metrics` captures it, at rising packet rates. A rate passes when libpcap
# reports no drop and sniff read every packet sent. Found for libpcap's default buffer and for
# -B 65536 (64 MiB); then sniff's CPU use at a tenth of the highest passing rate.
# Needs root (ip netns); the traffic stays on the veth between the two namespaces.
# KEEPUP_SECONDS: length of each step (default 3). KEEPUP_RATES: the ladder, packets/s.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "keep-up: skipped (needs root for network namespaces)"; exit 0; fi
command -v tcpreplay >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay; }
swift build -c release --static-swift-stdlib --product dhcpscope >/dev/null
swift build -c release --static-swift-stdlib --product dhcpscope-gen >/dev/null
bin=$PWD/.build/release/dhcpscope
mkdir -p bench-out
replay=bench-out/keepup-20000.pcap
[ -f "$replay" ] || .build/release/dhcpscope-gen load --transactions 20000 --rate 1000 -o "$replay" >/dev/null
seconds=${KEEPUP_SECONDS:-3}
rates=${KEEPUP_RATES:-"5000 20000 50000 100000 200000 400000 800000"}

A=dskeep-replay B=dskeep-sniff
work=$(mktemp -d /tmp/dhcpscope-keepup.XXXXXX)
teardown() {
  ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del $A 2>/dev/null || true
  ip netns del $B 2>/dev/null || true
  rm -rf "$work"
}
trap teardown EXIT INT TERM
teardown
work=$(mktemp -d /tmp/dhcpscope-keepup.XXXXXX)
ip netns add $A
ip netns add $B
ip link add kr netns $A type veth peer name ks netns $B
ip -n $A link set kr up
ip -n $B link set ks up
ip -n $B link set lo up
ticks=$(getconf CLK_TCK)

# One step: sniff on ks, tcpreplay RATE packets/s for `seconds` onto kr. Prints
# "sent pps_achieved frames_read dropped cpu_percent".
step() {
  local rate=$1 buffer=$2 count=$(($1 * seconds))
  ip netns exec $B "$bin" sniff -i ks --format jsonl -o "$work/report.jsonl" --metrics 127.0.0.1:9169 $buffer \
    2>"$work/sniff.err" &
  local pid=$!
  sleep 1
  local cpu0 wall0 cpu1 wall1
  cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  wall0=$(date +%s.%N)
  ip netns exec $A tcpreplay -i kr --pps="$rate" -L "$count" --loop=0 "$replay" >"$work/tcpreplay.out" 2>&1
  sleep 0.5
  ip netns exec $B curl -sf http://127.0.0.1:9169/metrics -o "$work/scrape.prom" || true
  cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  wall1=$(date +%s.%N)
  kill -INT $pid
  wait $pid || true
  python3 - "$work" "$count" "$cpu0" "$cpu1" "$wall0" "$wall1" "$ticks" <<'EOF'
import json, re, sys
work, count, cpu0, cpu1, wall0, wall1, ticks = sys.argv[1:]
summary = json.loads(open(f"{work}/report.jsonl").read().splitlines()[-1])["summary"]
replay = open(f"{work}/tcpreplay.out").read()
rated = re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", replay)
cpu = (int(cpu1) - int(cpu0)) / int(ticks) / (float(wall1) - float(wall0)) * 100
dropped = summary["capture"]["dropped"] + summary["capture"]["interface_dropped"]
print(count, rated.group(1) if rated else "?", summary["packets"]["frames"], dropped, f"{cpu:.1f}")
EOF
}

printf '%-22s %10s %12s %12s %10s %8s %6s\n' "buffer" "target/s" "achieved/s" "read" "dropped" "cpu %" "kept"
for buffer in "" "-B 65536"; do
  label=${buffer:-"default (2 MiB)"}
  best=0
  for rate in $rates; do
    read -r sent achieved read dropped cpu < <(step "$rate" "$buffer")
    kept=no
    [ "$dropped" = 0 ] && [ "$read" -ge "$sent" ] && kept=yes
    printf '%-22s %10s %12s %12s %10s %8s %6s\n' "$label" "$rate" "$achieved" "$read" "$dropped" "$cpu" "$kept"
    [ $kept = yes ] || break
    best=$rate
  done
  echo "keep-up: $label: highest rate with zero drops: $best packets/s"
  if [ "$best" -ge 20000 ]; then
    read -r sent achieved read dropped cpu < <(step $((best / 10)) "$buffer")
    echo "keep-up: $label: at $((best / 10)) packets/s (a tenth), sniff used $cpu% of one core"
  fi
done
