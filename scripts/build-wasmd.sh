#!/usr/bin/env bash
# Builds the pinned wasmd (a CosmWasm-enabled Cosmos SDK chain) from source, once, and caches
# the binary outside the repo. Prints the binary's path on its last line.
#
# wasmd's go.mod has replace directives, so `go install wasmd@version` refuses it: we fetch
# the module source through the Go module proxy, copy it somewhere writable and build there.
set -euo pipefail

WASMD_VERSION="${WASMD_VERSION:-v0.70.3}"
CACHE="${WAVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wavs}"
OUT="$CACHE/wasmd-$WASMD_VERSION/bin/wasmd"

if [ -x "$OUT" ] && "$OUT" version >/dev/null 2>&1; then
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { echo "go is not installed: wasmd is built from source with Go >= 1.25" >&2; exit 1; }
start=$(date +%s)
echo "building wasmd $WASMD_VERSION from source (cached in $CACHE; takes several minutes on 2 cores)" >&2

echo "  fetching module source through the Go module proxy" >&2
src_dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" \
  | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$src_dir" ] || { echo "go mod download did not give a source directory for wasmd $WASMD_VERSION" >&2; exit 1; }

work="$CACHE/wasmd-$WASMD_VERSION/src"
rm -rf "$work"
mkdir -p "$work" "$(dirname "$OUT")"
cp -r "$src_dir"/. "$work"
chmod -R u+w "$work"

echo "  go build ./cmd/wasmd (cgo, links libwasmvm from the wasmvm module)" >&2
(cd "$work" && CGO_ENABLED=1 go build -mod=mod -trimpath -o "$OUT.tmp" ./cmd/wasmd)
mv "$OUT.tmp" "$OUT"
rm -rf "$work"

echo "  wasmd $("$OUT" version 2>&1) built in $(( $(date +%s) - start )) s" >&2
echo "$OUT"
