#!/usr/bin/env bash
# Runs the Windows backend's tests (memory/, instance/) built for
# windows/amd64 under Wine. Debian 12's Wine 8.0 lacks
# bcryptprimitives.dll, whose ProcessPrng every Go 1.22+ windows program
# calls at start-up, so this builds a stand-in (scripts/wine/
# bcryptprimitives.c: ProcessPrng from RDRAND) into the Wine prefix's
# system32 first.
#
# Usage: scripts/wine-test.sh [go test flags, e.g. -test.run TestGrow]
# Needs wine wine64 clang lld (apt-get install -y wine wine64 clang lld).
# Known: instance's TestCacheDir fails under Wine 8.0 (removing a file
# made by os.Rename: "unlinkat ...: Invalid function"), so it is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in wine clang lld-link; do
  command -v "$c" >/dev/null || { echo "wine-test.sh: needs $c (apt-get install -y wine wine64 clang lld)"; exit 2; }
done
export WINEDEBUG=-all
prefix=${WINEPREFIX:-$HOME/.wine}
[ -d "$prefix/drive_c/windows/system32" ] || wineboot -i >/dev/null 2>&1 || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang --target=x86_64-pc-windows-msvc -O2 -c scripts/wine/bcryptprimitives.c -o "$tmp/prng.o"
lld-link /dll /noentry /nodefaultlib /out:"$tmp/bcryptprimitives.dll" "$tmp/prng.o" >/dev/null
cp "$tmp/bcryptprimitives.dll" "$prefix/drive_c/windows/system32/"
for pkg in memory instance; do
  GOOS=windows GOARCH=amd64 go test -c -o "$tmp/$pkg.exe" "./$pkg/"
  echo "== $pkg (windows/amd64 under $(wine --version))"
  (cd "$pkg" && wine "$tmp/$pkg.exe" -test.short -test.skip '^TestCacheDir$' "$@")
done
