#!/usr/bin/env bash
# Measures what stopping runaway guests costs (instance's BenchmarkChecks):
#   - the always-on context check: this tree against a copy whose
#     interpreter has the interrupt checks at back-edges and calls deleted
#     (made in a temporary folder; nothing here is changed), both with
#     context.Background, and this tree with a deadline context;
#   - fuel metering: check=fuel against check=background on this tree.
#
# With "corpus" as the second argument, it also runs the benchmark corpus
# (bench/corpus, wpi only) on both trees and prints each program's ratio.
#
# Usage: scripts/interrupt-cost.sh [count, default 8] [corpus]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$tmp"
sed -i -E 's/m\.interrupt\.Load\(\) != 0/false/' "$tmp/engine/interp.go"
echo "interrupt checks in engine/interp.go: $(grep -c 'm.interrupt.Load() != 0' engine/interp.go); in the copy: $(grep -c 'm.interrupt.Load() != 0' "$tmp/engine/interp.go" || true)"

# Interleave the runs so that machine noise hits both alike.
: > "$tmp/tree.txt"; : > "$tmp/nocheck.txt"
for _ in $(seq "$count"); do
  go test -run '^$' -bench '^BenchmarkChecks$' -count 1 ./instance/ | grep '^Benchmark' >> "$tmp/tree.txt"
  (cd "$tmp" && go test -run '^$' -bench '^BenchmarkChecks$/.*/check=background' -count 1 ./instance/ | grep '^Benchmark') >> "$tmp/nocheck.txt"
done
# Name the runs so that one table shows them side by side.
sed -E 's#check=background#check=none#' "$tmp/nocheck.txt" > "$tmp/none.txt"
cat "$tmp/tree.txt" "$tmp/none.txt" > "$tmp/all.txt"
awk '{ split($1, p, "/"); k = p[2] "/" p[3]; sub(/-[0-9]+$/, "", k); s[k] += $3; n[k]++ }
     END { for (k in s) m[k] = s[k] / n[k]
           for (fn in m) if (fn ~ /check=none/) { f = fn; sub(/\/check=none/, "", f)
             printf "%-10s none %12.0f  background %+6.2f%%  deadline %+6.2f%%  fuel %+6.2f%% (vs background)\n", f, m[fn],
               100 * (m[f "/check=background"] / m[fn] - 1), 100 * (m[f "/check=deadline"] / m[fn] - 1),
               100 * (m[f "/check=fuel"] / m[f "/check=background"] - 1) } }' "$tmp/all.txt"

[ "${2:-}" = corpus ] || exit 0
: > "$tmp/ctree.txt"; : > "$tmp/cnone.txt"
for _ in $(seq "$count"); do
  (cd bench && go test -run '^$' -bench 'Corpus/.*/engine=wpi$' -count 1 ./corpus | grep '^Benchmark') >> "$tmp/ctree.txt"
  (cd "$tmp/bench" && go test -run '^$' -bench 'Corpus/.*/engine=wpi$' -count 1 ./corpus | grep '^Benchmark') >> "$tmp/cnone.txt"
done
awk 'FNR == 1 { f++ } { split($1, p, "/"); k = p[2]; s[f, k] += $3; n[f, k]++; keys[k] = 1 }
     END { for (k in keys) { a = s[1, k] / n[1, k]; b = s[2, k] / n[2, k]
             printf "%-16s checks on %+6.2f%% (%.0f vs %.0f ns/op without)\n", k, 100 * (a / b - 1), a, b } }' "$tmp/ctree.txt" "$tmp/cnone.txt"
