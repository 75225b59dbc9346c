#!/bin/sh
# freq.sh: count the instructions wpi's interpreter executes (and adjacent
# pairs and triples) over CoreMark (../shared/bench/coremark.wasm, found by
# walking up from the repository, or $WPI_COREMARK), the corpus programs and
# the Go wasip1 program, and write the tables to engine/testdata/freq.md.
#
# Usage: scripts/freq.sh [bench/cmd/freq flags, e.g. -small]
# Cost: a few minutes (the profiling build counts every dispatch).
set -eu
cd "$(dirname "$0")/../bench"
go run -tags wpiprofile ./cmd/freq "$@" > ../engine/testdata/freq.md.tmp
mv ../engine/testdata/freq.md.tmp ../engine/testdata/freq.md
echo "wrote engine/testdata/freq.md" >&2
