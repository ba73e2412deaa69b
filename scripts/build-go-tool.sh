#!/usr/bin/env bash
# Builds one Go command from a module fetched through the Go module proxy, once, and caches
# the binary outside the repo. Prints the binary's path on its last line.
#
#   scripts/build-go-tool.sh NAME MODULE VERSION PACKAGE CHECK-ARG [GO-MOD-EDIT-FLAG...]
#
# CHECK-ARG is an argument the built binary answers with exit 0 (`version`, `--help`): a
# cached binary that does not is rebuilt. GO-MOD-EDIT-FLAGs are applied with `go mod edit`
# before building. Some modules (kubo) have replace directives, so `go install
# module@version` refuses them: we fetch the module source, copy it somewhere writable and
# build there. CGO_ENABLED (default 0) passes through to `go build`.
set -euo pipefail

name="$1" module="$2" version="$3" package="$4" check="$5"
shift 5
CACHE="${WAVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wavs}"
OUT="$CACHE/$name-$version/bin/$name"

if [ -x "$OUT" ] && "$OUT" $check >/dev/null 2>&1; then
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { echo "go is not installed: $name is built from source with Go >= 1.25" >&2; exit 1; }
start=$(date +%s)
echo "building $name ($module $version) from source (cached in $CACHE)" >&2

echo "  fetching module source through the Go module proxy" >&2
src_dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$module@$version" \
  | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$src_dir" ] || { echo "go mod download did not give a source directory for $module $version" >&2; exit 1; }

work="$CACHE/$name-$version/src"
rm -rf "$work"
mkdir -p "$work" "$(dirname "$OUT")"
cp -r "$src_dir"/. "$work"
chmod -R u+w "$work"

if [ $# -gt 0 ]; then
  echo "  go mod edit $*" >&2
  (cd "$work" && go mod edit "$@")
fi

echo "  go build $package (a few minutes on 2 cores the first time)" >&2
(cd "$work" && CGO_ENABLED="${CGO_ENABLED:-0}" go build -mod=mod -trimpath -o "$OUT.tmp" "$package")
mv "$OUT.tmp" "$OUT"
rm -rf "$work"

echo "  $name built in $(( $(date +%s) - start )) s" >&2
echo "$OUT"
