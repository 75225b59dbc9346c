#!/usr/bin/env bash
# Shows that wpi's steady state makes no mmap, munmap, mprotect or madvise
# call per instance: runs "wpi bench" for a fixed number of instances at
# two counts under strace -f -c and prints the difference of the memory
# syscall counts per extra instance (start-up, warm-up and the Go
# runtime's own occasional calls cancel out), plus the minor page faults
# per instance that wpi bench reports (getrusage).
#
# Usage: scripts/steady-state.sh [workload flags for wpi bench, e.g. --touch 1]
# Needs strace (apt-get install -y strace). Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v strace >/dev/null || { echo "steady-state.sh: needs strace (apt-get install -y strace)"; exit 2; }

bin=$(mktemp -d)/wpi
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/wpi

small=200000
large=2200000
syscalls="mmap,munmap,mprotect,madvise"

count() { # count N -> prints "mmap munmap mprotect madvise" totals
  local out
  out=$(mktemp)
  strace -f -c -e trace=$syscalls -o "$out" "$bin" bench --goroutines 1 --count "$1" "${@:2}" >/dev/null
  for s in mmap munmap mprotect madvise; do
    awk -v s="$s" '$NF == s { print $4 + 0; found = 1 } END { if (!found) print 0 }' "$out"
  done | tr '\n' ' '; echo
  rm -f "$out"
}

args=("$@")
read -r a1 b1 c1 d1 < <(count $small "$@")
read -r a2 b2 c2 d2 < <(count $large "$@")
extra=$((large - small))
echo "wpi bench ${*:-(echo)}: memory syscalls for $small and $large instances (strace -f -c)"
printf '%-9s %10s %10s %14s\n' syscall "$small" "$large" "per instance"
for row in "mmap $a1 $a2" "munmap $b1 $b2" "mprotect $c1 $c2" "madvise $d1 $d2"; do
  set -- $row
  awk -v n="$1" -v x="$2" -v y="$3" -v e="$extra" 'BEGIN { printf "%-9s %10d %10d %14.6f\n", n, x, y, (y - x) / e }'
done
echo
echo "getrusage and pool statistics over $large instances, 1 goroutine (wpi bench):"
"$bin" bench --goroutines 1 --count "$large" "${args[@]}" | sed -n '3,4p;6,$p'
echo
echo "madvise calls counted above but not by the pool come from the Go runtime"
echo "(its scavenger returning freed heap pages), not from wpi."
