#!/usr/bin/env bash
# Fetches the scripting-language guest of the snapshot tests and
# benchmarks: CRuby 3.4 for WASI from the ruby.wasm project (npm package
# @ruby/3.4-wasm-wasi 2.10.1, MIT; its dist/ruby+stdlib.wasm, 30 MB) into
# a cache directory, checks its SHA-256, and prints its path. Not
# committed: it is not ours, and it is large. Usage:
#
#   export WPI_RUBY_WASM=$(scripts/ruby-wasm.sh)
#   go test ./instance/wasi -run TestGuestSnapshotRuby
set -euo pipefail
version=2.10.1
sum=4b814fc9d13505ea5b4c1f3bd3a7cc7ccca137f551196b9b21f0a7caf9cc5878
dir=${WPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wpi}/ruby-3.4-wasm-wasi-$version
wasm=$dir/ruby+stdlib.wasm
if [ ! -f "$wasm" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@ruby/3.4-wasm-wasi@$version" >/dev/null &&
    tar xzf "ruby-3.4-wasm-wasi-$version.tgz" package/dist/ruby+stdlib.wasm package/dist/LICENSE)
  mkdir -p "$dir"
  mv "$tmp/package/dist/ruby+stdlib.wasm" "$tmp/package/dist/LICENSE" "$dir/"
fi
echo "$sum  $wasm" | sha256sum --quiet -c - >&2
echo "$wasm"
