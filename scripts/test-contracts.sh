#!/usr/bin/env bash
# Checks that the committed contract artifacts match the sources, then runs the contract
# tests (node's test runner, ethers, a real anvil).
set -euo pipefail
cd "$(dirname "$0")/.."
node contracts/evm/build.cjs --check
node --test --test-timeout=60000 contracts/evm/test/
