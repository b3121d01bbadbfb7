#!/bin/sh
# Runs every benchmark of this module COUNT times (default 5), interleaved
# (one full pass after another, so load on a shared machine hits every
# implementation alike), then prints the medians with their ratios to the
# peer (postgrest-go) and to the floor (hand-written), as Markdown.
#
#   ./run.sh                      # everything, 5 passes
#   COUNT=7 BENCH='Build|Request' ./run.sh
#
# Raw output goes to $OUT (default ./out): raw.txt, table.md, benchstat.txt.
# The json/v2 codec figures come from a second test binary built with
# GOEXPERIMENT=jsonv2 (encoding/json/v2 is not available without it in Go 1.26).
set -eu
cd "$(dirname "$0")"
COUNT=${COUNT:-5}
BENCH=${BENCH:-.}
OUT=${OUT:-out}
mkdir -p "$OUT"

go test -c -o "$OUT/bench.test" .
if GOEXPERIMENT=jsonv2 go test -c -o "$OUT/bench-jsonv2.test" . 2>/dev/null; then
	jsonv2=1
else
	echo "json/v2: GOEXPERIMENT=jsonv2 build failed; its codec figures are left out" >&2
	jsonv2=0
fi

{
	echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3-), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
} > "$OUT/raw.txt"

i=1
while [ "$i" -le "$COUNT" ]; do
	echo "pass $i/$COUNT" >&2
	"$OUT/bench.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1 | tee -a "$OUT/raw.txt" >&2
	if [ "$jsonv2" = 1 ] && echo Codec | grep -Eq -- "$BENCH"; then
		"$OUT/bench-jsonv2.test" -test.run '^$' -test.bench 'Codec/mode=/impl=(encoding-json-on-v2|json-v2)$' -test.benchmem -test.count 1 | tee -a "$OUT/raw.txt" >&2
	fi
	i=$((i + 1))
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" >> "$OUT/raw.txt"

go tool benchstat -col /impl "$OUT/raw.txt" > "$OUT/benchstat.txt" 2>&1 || true
{
	head -1 "$OUT/raw.txt"
	go run ./cmd/ratio "$OUT/raw.txt"
} | tee "$OUT/table.md"
