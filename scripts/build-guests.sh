#!/usr/bin/env bash
# Builds every guest crate (adapters/*, components/*) for wasm32-wasip2 in one cargo
# call and copies the components into target/guests/{adapters,components}/<name>.wasm,
# then builds each variant of the broken-adapter test fixture, and the sparse-chain fixture,
# into target/guests/fixtures/.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
packages=()
names=()
for manifest in adapters/*/Cargo.toml components/*/Cargo.toml; do
  grep -q cdylib "$manifest" || continue # a library for guests (adapters/kit), not a component
  pkg=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)
  packages+=("-p" "$pkg")
  names+=("$(dirname "$(dirname "$manifest")")/$pkg")
done
echo "building ${#names[@]} guests for wasm32-wasip2"
cargo build --target wasm32-wasip2 --profile guest "${packages[@]}"
mkdir -p "$target_dir/guests/adapters" "$target_dir/guests/components"
for entry in "${names[@]}"; do
  kind=${entry%%/*}
  pkg=${entry#*/}
  short=${pkg#wavs-adapter-}
  short=${short#wavs-component-}
  src="$target_dir/wasm32-wasip2/guest/${pkg//-/_}.wasm"
  dst="$target_dir/guests/$kind/$short.wasm"
  [ -f "$src" ] || { echo "missing build output $src" >&2; exit 1; }
  cp "$src" "$dst"
  printf '  %-32s %8d bytes\n' "$dst" "$(stat -c %s "$dst")"
done

# The broken-adapter fixture misbehaves one way per feature: one build per variant.
mkdir -p "$target_dir/guests/fixtures"
for variant in trap-in-describe unknown-import loop-in-events huge-events alloc-in-events trap-in-submit sign-probe \
  log-flood-in-events header-bomb-in-events; do
  cargo build --quiet --target wasm32-wasip2 --profile guest -p wavs-fixture-broken-adapter --features "$variant"
  dst="$target_dir/guests/fixtures/adapter-$variant.wasm"
  cp "$target_dir/wasm32-wasip2/guest/wavs_fixture_broken_adapter.wasm" "$dst"
  printf '  %-32s %8d bytes\n' "$dst" "$(stat -c %s "$dst")"
done

# The sparse-chain fixture: a synthetic chain that skips heights and delivers the custom
# trigger kind `tick` (conformance/devnet/tests/skipped_heights.rs).
cargo build --quiet --target wasm32-wasip2 --profile guest -p wavs-fixture-sparse-chain
dst="$target_dir/guests/fixtures/sparse-chain.wasm"
cp "$target_dir/wasm32-wasip2/guest/wavs_fixture_sparse_chain.wasm" "$dst"
printf '  %-32s %8d bytes\n' "$dst" "$(stat -c %s "$dst")"
