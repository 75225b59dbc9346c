#!/usr/bin/env bash
# Measures what dirty-card tracking costs on store-heavy guest code: runs
# instance's BenchmarkStores on this tree and on a copy whose interpreter
# has the card marks of its store instructions deleted (the copy is made
# in a temporary folder; nothing here is changed), then compares them.
#
# Usage: scripts/card-cost.sh [count, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$tmp"
# Drop every card mark of the interpreter's stores: lines that set a card
# through unsafe.Add(...cards...).
sed -i -E '/^\s*\*\(\*byte\)\(unsafe\.Add\((m\.)?cards, .*\)\) = 1\s*$/d' "$tmp/engine/interp.go"
marks=$(grep -cE 'unsafe\.Add\((m\.)?cards' engine/interp.go)
left=$(grep -cE 'unsafe\.Add\((m\.)?cards' "$tmp/engine/interp.go" || true)
echo "card marks in engine/interp.go: $marks; in the copy: $left"

# Interleave the runs so that machine noise hits both alike.
: > "$tmp/with.txt"; : > "$tmp/without.txt"
for _ in $(seq "$count"); do
  (cd . && go test -run '^$' -bench '^BenchmarkStores$' -count 1 ./instance/ | grep '^Benchmark') >> "$tmp/with.txt"
  (cd "$tmp" && go test -run '^$' -bench '^BenchmarkStores$' -count 1 ./instance/ | grep '^Benchmark') >> "$tmp/without.txt"
done
if go run golang.org/x/perf/cmd/benchstat@latest "$tmp/without.txt" "$tmp/with.txt" 2>/dev/null; then
  exit 0
fi
for f in without with; do
  awk -v f=$f '{ s += $3; n++ } END { printf "%-8s %.0f ns/op (mean of %d)\n", f, s / n, n }' "$tmp/$f.txt"
done
