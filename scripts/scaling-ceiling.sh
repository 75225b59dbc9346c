#!/bin/sh
# scaling-ceiling.sh [ROUNDS] [DURATION]: what 2 cores give on this machine
# when nothing is shared, next to what wpi gives in one process.
#
# Each round runs the echo workload in one wpi process with GOMAXPROCS=1
# (solo), then in two such processes at once (pair), and prints the pair's
# total over the solo rate: the scaling of two processes that share no
# memory, no lock and no Go runtime. Then "wpi bench" measures the same
# workload on 1 and 2 goroutines of one process. On a quiet machine both
# are about 2; on a shared VM the first shows how far the machine itself
# falls short, which no change in wpi can recover.
set -e
rounds=${1:-8}
dur=${2:-2s}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/wpi
go build -o "$bin" ./cmd/wpi
rate() { GOMAXPROCS=1 "$bin" bench --goroutines 1 --rounds 1 --duration "$dur" --json |
	sed -n 's/.*"instances_per_second": \([0-9.e+]*\).*/\1/p' | head -1; }
ratios=""
for i in $(seq "$rounds"); do
	solo=$(rate)
	a=$(mktemp); b=$(mktemp)
	rate >"$a" & rate >"$b"; wait
	r=$(awk -v s="$solo" -v a="$(cat "$a")" -v b="$(cat "$b")" 'BEGIN { printf "%.2f", (a + b) / s }')
	echo "round $i: solo $(printf '%.0f' "$solo")/s, pair $(printf '%.0f' "$(cat "$a")") + $(printf '%.0f' "$(cat "$b")")/s: $r"
	ratios="$ratios $r"
	rm -f "$a" "$b"
done
echo "two processes, median scaling: $(echo $ratios | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
echo
"$bin" bench --goroutines 2 --rounds "$rounds" --duration "$dur"
