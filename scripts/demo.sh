#!/usr/bin/env bash
# The local devnet demo: a real anvil and a real wasmd chain, each with the service
# contracts, three operator nodes (quorum 2 of 3), an aggregator, and the square service
# on every route (EVM->EVM, Cosmos->Cosmos, Cosmos->EVM, EVM->Cosmos). Fires triggers and
# prints each squared value read back from its handler contract.
# Extra arguments go to wavs-devnet (e.g. --value 12, --evm-only, --exit).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

step "installing tools (wasm target, npm packages)"
scripts/install-tools.sh
if [[ " $* " != *" --evm-only "* ]]; then
  step "building wasmd (pinned; the first time takes ~10 minutes, then it is cached)"
  scripts/build-wasmd.sh >/dev/null
fi
step "building guests (adapters and components)"
scripts/build-guests.sh
step "building the node, aggregator and devnet"
cargo build --workspace --bins
# WAVS_BIN_DIR: the binaries the devnet starts (default: cargo's, in CARGO_TARGET_DIR or target/).
exec "${WAVS_BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}/wavs-devnet" "$@"
