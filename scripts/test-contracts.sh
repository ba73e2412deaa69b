#!/usr/bin/env bash
# Checks that the committed contract artifacts (EVM and CosmWasm) match the sources, runs the
# EVM contract tests (node's test runner, ethers, a real anvil). The CosmWasm unit tests
# run under cargo test; their live-chain tests are conformance/devnet/tests/cosmos_*.
set -euo pipefail
cd "$(dirname "$0")/.."
node contracts/evm/build.cjs --check
node --test --test-timeout=60000 contracts/evm/test/
# CosmWasm: the committed builds match the sources (rebuilds them reproducibly).
scripts/build-cosmos-contracts.sh --check
