#!/usr/bin/env bash
# Builds the CosmWasm contracts (contracts/cosmos) for wasm32-unknown-unknown and writes them to
# contracts/cosmos/artifacts/<crate_name>.wasm with checksums.txt (sha256). The artifacts are
# committed, so the cosmos adapter and tests can embed them without this toolchain.
#
#   scripts/build-cosmos-contracts.sh          rebuild and overwrite the committed artifacts
#   scripts/build-cosmos-contracts.sh --check  rebuild into a temp dir; fail if they differ
#
# The build is reproducible: paths are remapped (a clone anywhere gives the same bytes) and the
# post-processing tool is pinned in package.json. The bytes still depend on the Rust toolchain,
# whose version is recorded in artifacts/toolchain.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARTIFACTS="$ROOT/contracts/cosmos/artifacts"
PACKAGES=(wavs-cw-service-manager wavs-cw-service-handler wavs-cw-trigger)
NAMES=("${PACKAGES[@]//-/_}") # the crate names, which name the .wasm files
TARGET=wasm32-unknown-unknown

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"

# wasm-opt (npm `binaryen`, pinned in package.json) lowers post-MVP wasm features; see below.
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
if [ ! -x "$WASM_OPT" ]; then
  (cd "$ROOT" && npm ci --no-audit --no-fund >&2)
fi

target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
# Later prefixes win, so the target dir (inside the repo by default) is remapped on its own.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$ROOT=/wavs --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$target_dir=/target"

echo "building ${PACKAGES[*]} for $TARGET (profile contract)" >&2
(cd "$ROOT" && cargo build --lib --target "$TARGET" --profile contract \
  $(printf -- '-p %s ' "${PACKAGES[@]}") >&2)

if $check; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
else
  out="$ARTIFACTS"
  mkdir -p "$out"
fi

# Rust >= 1.82 emits post-MVP wasm (bulk-memory, sign-ext, nontrapping-fptoint, reference-types,
# multivalue). wasmd v0.70.3 refuses it at store time ("Error during static Wasm validation:
# Wasm bytecode could not be deserialized. Deserialization error: "bulk memory support is not
# enabled""), so lower those instructions, then re-read the module with only MVP features
# enabled (which fails if anything post-MVP is left), shrink it and drop custom sections.
for name in "${NAMES[@]}"; do
  "$WASM_OPT" "$target_dir/$TARGET/contract/$name.wasm" -o "$out/$name.lowered.wasm" \
    --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue \
    --llvm-memory-copy-fill-lowering --signext-lowering --llvm-nontrapping-fptoint-lowering
  "$WASM_OPT" "$out/$name.lowered.wasm" -o "$out/$name.wasm" --mvp-features \
    -Oz --strip-debug --strip-producers --strip-target-features
  rm "$out/$name.lowered.wasm"
done

(cd "$out" && sha256sum "${NAMES[@]/%/.wasm}") > "$out/checksums.txt"
{
  echo "$(rustc --version)"
  echo "wasm-opt $("$WASM_OPT" --version | awk '{print $3}')"
} > "$out/toolchain.txt"

if $check; then
  stale=false
  for file in "${NAMES[@]/%/.wasm}" checksums.txt; do
    cmp -s "$ARTIFACTS/$file" "$out/$file" || { echo "stale: contracts/cosmos/artifacts/$file" >&2; stale=true; }
  done
  if $stale; then
    echo "contracts/cosmos/artifacts is stale: the contracts built now differ from the committed ones." >&2
    diff "$ARTIFACTS/checksums.txt" "$out/checksums.txt" >&2 || true
    if ! diff -q "$ARTIFACTS/toolchain.txt" "$out/toolchain.txt" >/dev/null 2>&1; then
      echo "(the toolchain differs too: committed $(paste -sd' ' "$ARTIFACTS/toolchain.txt" 2>/dev/null), now $(paste -sd' ' "$out/toolchain.txt"))" >&2
    fi
    echo "Run scripts/build-cosmos-contracts.sh and commit contracts/cosmos/artifacts." >&2
    exit 1
  fi
  echo "contracts/cosmos/artifacts is up to date" >&2
else
  for name in "${NAMES[@]}"; do
    echo "  $(stat -c %s "$out/$name.wasm") bytes  contracts/cosmos/artifacts/$name.wasm" >&2
  done
fi
