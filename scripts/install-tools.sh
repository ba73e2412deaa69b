#!/usr/bin/env bash
# Installs what the demo and the tests need and a fresh machine lacks: the wasm32-wasip2
# Rust target and the npm packages (anvil, solc-js). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  echo "installing Rust target wasm32-wasip2"
  rustup target add wasm32-wasip2
fi
if [ ! -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ] || [ ! -d node_modules/solc ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (anvil, solc-js)"
  npm ci --no-audit --no-fund
fi
echo "tools ready: $(node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil --version | head -1), solc-js $(node -p "require('solc').version()")"
