#!/bin/sh
# Rebuilds trap.wasm from trap.c with DWARF (.debug_info, .debug_line) in
# its custom sections. Needs Debian's clang, lld and wasi-libc; the .wasm
# is committed, so tests do not. -fdebug-prefix-map keeps this checkout's
# path out of the binary.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -g -O0 -fdebug-prefix-map="$PWD"=. -o trap.wasm trap.c
clang --target=wasm32-wasi --sysroot=/usr -g -O0 -fdebug-prefix-map="$PWD"=. -o spin.wasm spin.c
