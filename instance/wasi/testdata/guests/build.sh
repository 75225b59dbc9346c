#!/bin/sh
# Rebuilds the real guests of the snapshot tests (guests_test.go).
#
# ctors.wasm: the C reactor, with Debian's clang and wasi-libc (packages
# clang lld wasi-libc libclang-rt-dev-wasm32). Committed: tests do not
# need clang. --strip-debug drops wasi-libc's DWARF, keeps the names.
#
# rustreactor.wasm: the Rust reactor, with Debian's rustc 1.63 and its
# wasm32-wasi standard library (packages rustc libstd-rust-dev-wasm32;
# /usr/bin/rustc, not a rustup one without that target). Committed.
#
# goreactor.wasm: the Go c-shared reactor. Not committed (2.6 MB): the
# test builds it with the go command; this writes it for wpi bench:
#   wpi bench --snapshot --invoke prime goreactor.wasm 7
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -O2 -Wl,--strip-debug ctors.c -o ctors.wasm
/usr/bin/rustc --edition 2021 --target wasm32-wasi --crate-type cdylib -C opt-level=2 -C strip=debuginfo rustreactor.rs -o rustreactor.wasm
(cd goreactor && GOOS=wasip1 GOARCH=wasm GOWORK=off go build -buildmode=c-shared -o ../goreactor.wasm .)
