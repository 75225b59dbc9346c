#!/usr/bin/env bash
# Regenerates the committed seed corpora of the fuzz targets from the
# spec suite shipped in the wazero module (the first module of each .wast
# of the v2 suite, up to 400 bytes; test modules up to 1200: one small seed per proposal area) and
# the repository's test modules. Each seed is one file in Go's corpus
# format ("go test fuzz v1" + a []byte literal).
set -euo pipefail
cd "$(dirname "$0")/.."
suite="$(go list -m -f '{{.Dir}}' github.com/tetratelabs/wazero)/internal/integration_test/spectest/v2/testdata"

seed() { # seed FILE DIR: write FILE as a corpus entry into DIR
  local name
  name="$(basename "$1" .wasm)"
  mkdir -p "$2"
  { printf 'go test fuzz v1\n[]byte("'; xxd -p "$1" | tr -d '\n' | sed 's/../\\x&/g'; printf '")\n'; } > "$2/$name"
}

for dir in decoder/testdata/fuzz/FuzzParse instance/testdata/fuzz/FuzzCompile instance/testdata/fuzz/FuzzRun; do
  rm -rf "$dir"
  for f in "$suite"/*.0.wasm; do
    if [ "$(stat -c %s "$f")" -le 400 ]; then seed "$f" "$dir"; fi
  done
  for f in instance/testdata/*.wasm engine/testdata/*.wasm; do
    if [ "$(stat -c %s "$f")" -le 1200 ]; then seed "$f" "$dir"; fi
  done
done
du -sh decoder/testdata/fuzz instance/testdata/fuzz
