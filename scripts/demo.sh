#!/usr/bin/env bash
# The local devnet demo of a service run by strangers: a real anvil and a real wasmd
# chain, the service owner's IPFS node (kubo); the owner deploys the contracts,
# publishes the square service on IPFS and sets each manager's service URI; three
# operators (own configs and data dirs, quorum 2 of 3, sharing only the chains and the
# peer network: they aggregate over p2p, no aggregator process) only run `wavs service add`.
# Fires triggers on every route (EVM->EVM, Cosmos->Cosmos, Cosmos->EVM, EVM->Cosmos),
# prints each squared value read back from its handler contract, then moves a URI to a
# new component and shows every node following it.
# Extra arguments go to wavs-devnet (e.g. --value 12, --evm-only, --aggregator, --exit).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

step "installing tools (wasm target, npm packages)"
scripts/install-tools.sh
if [[ " $* " != *" --evm-only "* ]]; then
  step "building wasmd (pinned; the first time takes ~10 minutes, then it is cached)"
  scripts/build-wasmd.sh >/dev/null
fi
step "building kubo (ipfs, pinned; the first time takes a few minutes, then it is cached)"
scripts/build-ipfs.sh >/dev/null
step "building guests (adapters and components)"
scripts/build-guests.sh
step "building the node, aggregator and devnet"
cargo build --workspace --bins
# WAVS_BIN_DIR: the binaries the devnet starts (default: cargo's, in CARGO_TARGET_DIR or target/).
exec "${WAVS_BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}/wavs-devnet" "$@"
