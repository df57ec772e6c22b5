#!/usr/bin/env bash
# Records decode/analyze output of every fixture in Fixtures/expected (for intended changes).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product dhcpscope
mkdir -p Fixtures/expected
for f in $(cd Fixtures && find . -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' | sed 's|^\./||' | sort); do
  n=$(echo "$f" | tr '/' '_')
  .build/debug/dhcpscope decode --format jsonl "Fixtures/$f" > "Fixtures/expected/$n.decode.jsonl" 2>/dev/null || true
  .build/debug/dhcpscope analyze --format jsonl "Fixtures/$f" > "Fixtures/expected/$n.analyze.jsonl" 2>/dev/null || true
done
