#!/bin/sh
# Rebuilds simd.wasm from simd.c with clang and wasi-libc (Debian: clang lld
# wasi-libc libclang-rt-dev-wasm32). The .wasm is committed: tests do not
# need clang.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -O2 -mbulk-memory -msimd128 simd.c -o simd.wasm
