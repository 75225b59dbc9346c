#!/bin/sh
# Rebuilds fswalk.wasm from fswalk.c with clang and wasi-libc (Debian:
# apt-get install clang lld wasi-libc libclang-rt-dev-wasm32). The .wasm
# is committed: tests do not need clang.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o fswalk.wasm fswalk.c
