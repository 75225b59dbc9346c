#!/bin/sh
# Rebuilds the C programs (fswalk.wasm from fswalk.c; musttail.wasm from
# musttail.c, with -mtail-call; atomics.wasm from atomics.c, with atomics
# on a shared memory) with clang and wasi-libc (Debian:
# apt-get install clang lld wasi-libc libclang-rt-dev-wasm32). The .wasm
# is committed: tests do not need clang.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o fswalk.wasm fswalk.c
clang --target=wasm32-wasi --sysroot=/usr -mtail-call -O2 -o musttail.wasm musttail.c
# Debian's wasi-libc has no threads build (its objects lack the atomics
# feature, which --shared-memory checks for): --no-check-features links it
# anyway, which is sound for a single-threaded program.
clang --target=wasm32-wasi --sysroot=/usr -O2 -matomics -mbulk-memory \
	-Wl,--shared-memory -Wl,--max-memory=1048576 -Wl,--no-check-features \
	-o atomics.wasm atomics.c
