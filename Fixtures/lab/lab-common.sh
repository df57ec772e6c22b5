# What lab.sh (DHCPv4) and lab6.sh (DHCPv6) share: their options, running a command in a
# namespace, Kea, the command run in the relay's namespace, and the teardown. Sourced by them
# with lab_name set; the teardown needs `all` (the namespaces), `pids` and `work`.

# The options after SCENARIO OUTDIR: --capture, --hold N, --run-in-relay CMD; then the checks
# that the lab can run (root, ip netns and the ISC suite), exit 77 when it cannot.
lab_options() {
  capture=0; hold=0; relay_cmd=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --capture) capture=1 ;;
      --hold) hold=$2; shift ;;
      --run-in-relay) relay_cmd=$2; shift ;;
      *) echo "$lab_name: unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
  [ "$(id -u)" = 0 ] || { echo "$lab_name: needs root (ip netns)" >&2; exit 77; }
  for tool in ip dhcpd dhcrelay dhclient; do
    command -v $tool >/dev/null || { echo "$lab_name: $tool not installed" >&2; exit 77; }
  done
}

inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Kea's server of FAMILY (4 or 6) in namespace NS, with the configuration the caller wrote to
# $work/kea-dhcpFAMILY.conf; its lock and pid files stay in $work.
start_kea() {
  local family=$1 ns=$2
  command -v kea-dhcp$family >/dev/null || { echo "$lab_name: kea-dhcp$family not installed" >&2; exit 77; }
  inns $ns env KEA_LOCKFILE_DIR="$work" KEA_PIDFILE_DIR="$work" kea-dhcp$family -c "$work/kea-dhcp$family.conf" \
    > "$work/kea-dhcp$family.out.log" 2>&1 &
  pids+=($!)
}

# --run-in-relay: the command starts in namespace NS before the client, and ends with SIGINT
# when the scenario is over; its exit status goes to $out/relay-cmd.env.
start_relay_command() {
  relay_pid=""
  [ -n "$relay_cmd" ] || return 0
  ip netns exec $1 bash -c "exec $relay_cmd" &
  relay_pid=$!
  sleep 1.5  # let it open the device
}

stop_relay_command() {
  [ -n "$relay_pid" ] || return 0
  kill -INT "$relay_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$relay_pid" 2>/dev/null && { echo "$lab_name: relay command ignored SIGINT" >&2; kill -KILL "$relay_pid"; }
  local status=0
  wait "$relay_pid" 2>/dev/null || status=$?
  echo "RELAY_CMD_STATUS=$status" > "$out/relay-cmd.env"
}

# Everything started ends, the namespaces go. What still runs after SIGTERM (kea can take its
# time) is killed: a daemon left behind would hold the caller's output pipe open.
lab_teardown() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for ns in $all; do ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.2
  for ns in $all; do
    for _ in 1 2 3 4 5; do [ -z "$(ip netns pids $ns 2>/dev/null)" ] && break; sleep 0.2; done
    ip netns pids $ns 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  for ns in $all; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$work"
}
