#!/bin/sh
# Regenerates the .wasm files from the .wat files (needs wabt's wat2wasm).
# The .wasm files are committed: tests do not need wat2wasm.
set -e
cd "$(dirname "$0")"
for f in *.wat; do wat2wasm --enable-all "$f" -o "${f%.wat}.wasm"; done
# names.wasm keeps its name section for the backtrace test.
wat2wasm --enable-all --debug-names names.wat -o names.wasm
