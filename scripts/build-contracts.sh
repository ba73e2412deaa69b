#!/usr/bin/env bash
# Compiles the Solidity contracts with solc-js into contracts/evm/artifacts.
# `--check` fails if the committed artifacts are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/solc ] || npm ci --no-audit --no-fund
exec node contracts/evm/build.cjs "$@"
