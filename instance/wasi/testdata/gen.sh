#!/bin/sh
# Regenerates the .wasm files from the .wat files (needs wabt's wat2wasm).
set -e
cd "$(dirname "$0")"
for f in *.wat; do wat2wasm "$f" -o "${f%.wat}.wasm"; done
