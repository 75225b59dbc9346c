#!/usr/bin/env bash
# How far wpi's ports of wazero's example programs (instance/examples) are
# from the originals (wazero's examples/, in the module cache).
#
#   scripts/examples-diff.sh          # the two diff stats
#   scripts/examples-diff.sh --diff   # and the diff after renames
#   scripts/examples-diff.sh --renamed DIR  # write the renamed originals to DIR
#
# It copies the originals to a temporary directory and prints
#   1. git diff --no-index --stat of the originals against the ports;
#   2. the same after the renames below are applied to the originals:
#      what is left is what wpi's API needs beyond renaming (and what the
#      renames cannot express). The renames also write the header every
#      port carries and turn go:embed into a read from the module cache
#      (wpi does not copy wazero's .wasm files), so those lines drop out.
#      instance/examples' TestPortsAreRenames checks that what is left is
#      the lines it lists (beyondRenames), one today.
set -euo pipefail
cd "$(dirname "$0")/.."

# The ported programs, as paths under wazero's module (=PATH: the port's
# path under instance/ when it is not the same).
files="examples/basic/add.go
examples/import-go/age-calculator.go
examples/multiple-results/multiple-results.go
examples/multiple-runtimes/counter.go
examples/concurrent-instantiation/main.go
examples/allocation/tinygo/greet.go
examples/allocation/rust/greet.go
examples/allocation/zig/greet.go
imports/wasi_snapshot_preview1/example/cat.go=examples/cat/cat.go"

wazero=$(go list -m -f '{{.Dir}}' github.com/tetratelabs/wazero)
version=$(go list -m -f '{{.Version}}' github.com/tetratelabs/wazero)

# rename FILE REL: the original FILE (REL under the module) with wazero's
# names replaced by wpi's, on stdout (gofmt'ed, as the ports are).
rename() {
  REL="$2" VERSION="$version" perl -0pe '
    BEGIN { ($dir = $ENV{REL}) =~ s{/[^/]*$}{} }
    # The header of every port.
    $_ = "// Ported to wpi from wazero'"'"'s example program\n//\n//\t$ENV{REL}\n//\n"
       . "// (github.com/tetratelabs/wazero $ENV{VERSION}, Copyright 2020-2023 wazero\n"
       . "// authors, Apache License 2.0; see LICENSE). It differs from the original\n"
       . "// where wpi'"'"'s API does (scripts/examples-diff.sh shows how) and reads the\n"
       . "// original'"'"'s .wasm from the module cache instead of embedding it.\n\n" . $_;
    # go:embed of wazero testdata -> a read from the module cache.
    s{//go:embed testdata/(\S+)\nvar (\w+) \[\]byte}{var $2 = wazerowasm.MustRead("$dir/testdata/$1")}g;
    s{//go:embed (\S+)\nvar (\w+) embed\.FS}{var $2 = wazerowasm.MustFS("$dir")}g;
    s{\t_? ?"embed"\n}{}g;
    # Imports.
    s{"github.com/tetratelabs/wazero"\n}{"github.com/wpi-dev/wpi/instance"\n\t"github.com/wpi-dev/wpi/instance/examples/internal/wazerowasm"\n}g;
    s{"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"}{"github.com/wpi-dev/wpi/instance/wasi"}g;
    # Names.
    s{\bwasi_snapshot_preview1\.}{wasi.}g;
    # wazero.NewRuntime cannot fail; wpi'"'"'s NewRuntime returns an error
    # and MustNewRuntime panics with it. The default config is explicit.
    s{\bwazero\.NewRuntime\(ctx\)}{instance.MustNewRuntime(ctx, instance.Config{})}g;
    s{\bwazero\.NewRuntimeWithConfig\(}{instance.MustNewRuntime(}g;
    s{\bwazero\.NewRuntimeConfig\(\)}{instance.Config{}}g;
    s{\bapi\.Module\b}{instance.Module}g;
    s{\bwazero\.Runtime\b}{*instance.Runtime}g;
    s{\.InstantiateWithConfig\(}{.InstantiateWasm(}g;
    # r.Instantiate(ctx, wasm) is InstantiateWithConfig with wazero'"'"'s
    # default config; wpi'"'"'s Instantiate takes a CompiledModule.
    s{\.Instantiate\(ctx, (\w+)\)}{.InstantiateWasm(ctx, $1, instance.NewModuleConfig())}g;
    s{\.CompileModule\(}{.Compile(}g;
    s{\.InstantiateModule\(}{.Instantiate(}g;
    # The rest of package wazero has the same names in package instance
    # (NewModuleConfig, NewCompilationCacheWithDir, HostFunctionBuilder).
    s{\bwazero\.(?=[A-Z])}{instance.}g;
    # An api import nothing uses any more.
    s{\t"github.com/tetratelabs/wazero/api"\n}{}g unless /\bapi\./;
  ' "$1" | gofmt
}

if [ "${1:-}" = --renamed ]; then
  for f in $files; do
    src=${f%%=*} dst=${f#*=}
    mkdir -p "$2/$(dirname "$dst")"
    rename "$wazero/$src" "$src" >"$2/$dst"
  done
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in $files; do
  src=${f%%=*} dst=${f#*=}
  d=$(dirname "${dst#examples/}")
  mkdir -p "$tmp/wazero/$d" "$tmp/renamed/$d" "$tmp/wpi/$d"
  cp "$wazero/$src" "$tmp/wazero/${dst#examples/}"
  rename "$wazero/$src" "$src" >"$tmp/renamed/${dst#examples/}"
  cp "instance/$dst" "$tmp/wpi/${dst#examples/}"
done
cd "$tmp"
echo "# wazero $version examples/ -> wpi instance/examples/"
git diff --no-index --stat=100 wazero wpi || true
echo
echo "# the same, after the renames (scripts/examples-diff.sh): what the API needs beyond them"
git diff --no-index --stat=100 renamed wpi || true
if [ "${1:-}" = --diff ]; then
  echo
  git diff --no-index renamed wpi || true
fi
