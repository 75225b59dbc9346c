#!/bin/sh
# Regenerates the .wasm files from the .wat files (needs wabt's wat2wasm).
# The .wasm files are committed: tests do not need wat2wasm.
set -e
cd "$(dirname "$0")"
# snap.wat and tenant.wat use ref.func as a funcref, which wabt's typed-function-references
# checker (part of --enable-all) rejects: it gets the default features.
for f in *.wat; do
	flags=--enable-all
	case "$f" in snap.wat | tenant.wat) flags= ;; esac
	wat2wasm $flags "$f" -o "${f%.wat}.wasm"
done
# trap.wasm keeps its names for the backtrace tests.
wat2wasm --enable-all --debug-names trap.wat -o trap.wasm
# The instantiation workload comes from the shared bench folder (not copied
# here: only its compiled form is committed).
for f in echo touch; do wat2wasm "../../../shared/bench/$f.wat" -o "$f.wasm"; done
