#!/bin/sh
# Regenerates the workload modules from the shared bench folder (needs
# wabt's wat2wasm). Only the compiled .wasm files are committed.
set -e
cd "$(dirname "$0")"
for f in echo touch; do wat2wasm "../../../../../shared/bench/$f.wat" -o "$f.wasm"; done
