#!/usr/bin/env bash
# Records decode/analyze output of every fixture in Fixtures/expected, in the JSON Lines, text
# and CSV formats (for intended changes only: GoldenOutputTests compares against these).
set -euo pipefail
cd "$(dirname "$0")/.."
# The text format prints local time in the locale's characters at the terminal's width: the
# recorded outputs are UTC, UTF-8 and 100 columns, as the tests run them.
export TZ=UTC LC_ALL=C.UTF-8
unset COLUMNS NO_COLOR
swift build --product dhcpscope
mkdir -p Fixtures/expected
for f in $(cd Fixtures && find . -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' | sed 's|^\./||' | sort); do
  n=$(echo "$f" | tr '/' '_')
  for command in decode analyze; do
    for format in jsonl text csv; do
      .build/debug/dhcpscope $command --format $format "Fixtures/$f" > "Fixtures/expected/$n.$command.$format" 2>/dev/null || true
    done
  done
done
