#!/bin/sh
# Rebuilds the benchmark corpus: every src/*.c becomes a WASI command
# (wasm32-wasi, clang -O2, wasi-libc) next to its source. The .wasm files are
# committed, so the benchmarks need no C toolchain; run this after editing a
# source. On Debian/Ubuntu:
#   apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32
# The committed files were built with Debian clang 14.0.6; other versions
# give different (equally valid) code.
set -e
cd "$(dirname "$0")/src"
CC=${CC:-clang}
SYSROOT=${WASI_SYSROOT:-/usr}
for src in *.c; do
	out="${src%.c}.wasm"
	"$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra \
		-Wl,--strip-debug -o "$out" "$src" -lm
	echo "$out: $(wc -c <"$out") bytes"
done
