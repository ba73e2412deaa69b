#!/usr/bin/env bash
# The local devnet demo: a real anvil chain, the service contracts, three operator nodes
# (quorum 2 of 3), an aggregator, and the square service. Fires a trigger on chain and
# prints the squared value read back from the handler contract.
# Extra arguments go to wavs-devnet (e.g. --value 12, --exit).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

step "installing tools (wasm target, npm packages)"
scripts/install-tools.sh
step "building guests (adapters and components)"
scripts/build-guests.sh
step "building the node, aggregator and devnet"
cargo build --workspace --bins
exec target/debug/wavs-devnet "$@"
