#!/usr/bin/env bash
# Installs what the demo and the tests need and a fresh machine lacks: the wasm32-wasip2
# Rust target, the npm packages (anvil, cast, solc-js, playwright-core, viem) and Debian's chromium
# (the status page's browser test drives it headless). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  echo "installing Rust target wasm32-wasip2"
  rustup target add wasm32-wasip2
fi
if [ ! -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ] || [ ! -d node_modules/solc ] \
   || [ ! -x node_modules/@foundry-rs/cast-linux-amd64/bin/cast ] || [ ! -d node_modules/viem ] \
   || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (anvil, cast, solc-js, playwright-core, viem)"
  npm ci --no-audit --no-fund
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium (headless browser for the status page test)"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "chromium is missing and this is not root: apt-get install chromium" >&2; exit 1; }
    as_root=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet.
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
fi
echo "tools ready: $(node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil --version | head -1), solc-js $(node -p "require('solc').version()"), $(/usr/bin/chromium --version 2>/dev/null)"
