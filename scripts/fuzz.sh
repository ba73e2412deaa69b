#!/usr/bin/env bash
# Long fuzzing run (proptest) of the manifest parser and wire types, the node's HTTP API
# and the aggregator's HTTP API:
#
#   scripts/fuzz.sh [CASES] [FILTER]
#
# CASES (default 20000) is the number of cases per property (PROPTEST_CASES); FILTER, if
# given, runs only the properties whose name contains it (cargo test's filter; names
# include the module, e.g. `routes::any_refusal_is_json`, so `routes` selects a route
# group). CI runs the same tests through plain `cargo test`, with the tests' default of
# 256 cases.
#
# Targets (test name = directory): host/types/tests/fuzz_manifest/,
# host/node/tests/fuzz_api/, aggregator/tests/fuzz_api/; what they share is
# `wavs_types::fuzzing` (host/types/src/fuzzing/, cargo feature `fuzzing`).
# The node's deploy and task properties need target/guests/components/echo.wasm
# (scripts/build-guests.sh); without it they only fuzz refusals.
#
# Prints each property's rate and its answers by HTTP status, and each target's time.
# A failing property prints its minimal (shrunk) input; the script then exits non-zero
# after running every target. See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${1:-20000}"
filter="${2:-}"
targets=("wavs-types fuzz_manifest" "wavs-node fuzz_api" "wavs-aggregator fuzz_api")

echo "==> building the fuzz targets"
for target in "${targets[@]}"; do
  read -r package test <<<"$target"
  cargo test --no-run -q -p "$package" --test "$test"
done

failed=()
started=$(date +%s)
for target in "${targets[@]}"; do
  read -r package test <<<"$target"
  echo
  echo "==> PROPTEST_CASES=$PROPTEST_CASES cargo test -p $package --test $test -- --nocapture $filter"
  t0=$(date +%s)
  if ! cargo test -q -p "$package" --test "$test" -- --nocapture $filter; then
    failed+=("$package/$test")
  fi
  echo "==> $package/$test: $(( $(date +%s) - t0 )) s"
done

echo
echo "==> $PROPTEST_CASES cases per property, all targets: $(( $(date +%s) - started )) s"
if (( ${#failed[@]} )); then
  echo "==> FAILED: ${failed[*]} (minimal inputs above)"
  exit 1
fi
echo "==> all properties held"
