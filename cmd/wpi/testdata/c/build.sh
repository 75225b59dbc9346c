#!/bin/sh
# Rebuilds the C programs (fswalk.wasm from fswalk.c; musttail.wasm from
# musttail.c, with -mtail-call) with clang and wasi-libc (Debian:
# apt-get install clang lld wasi-libc libclang-rt-dev-wasm32). The .wasm
# is committed: tests do not need clang.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o fswalk.wasm fswalk.c
clang --target=wasm32-wasi --sysroot=/usr -mtail-call -O2 -o musttail.wasm musttail.c
