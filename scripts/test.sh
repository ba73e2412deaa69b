#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, builds the
# guests and host binaries, checks the contracts, then runs every crate's tests
# (including the end-to-end tests against a real anvil and a real wasmd).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "installing tools (wasm target, npm packages)"
scripts/install-tools.sh

step "building wasmd (pinned; built once from source, cached outside the repo)"
scripts/build-wasmd.sh >/dev/null

step "building kubo (ipfs) and an OCI registry (pinned; built once from source, cached outside the repo)"
# The component-source tests publish to a real local IPFS node and a real local registry.
scripts/build-ipfs.sh >/dev/null
scripts/build-oci-registry.sh >/dev/null

step "building guests (adapters and components)"
scripts/build-guests.sh

step "building host binaries"
cargo build --workspace --bins

step "contract artifacts and contract tests"
scripts/test-contracts.sh

step "cargo test"
cargo test --workspace --no-fail-fast --no-run 2>&1 | grep -v '^  Executable' || true
# A full disk shows up as a linker "Bus error"; say how much room there was instead.
echo "disk: target/ holds $(du -sh target | cut -f1), $(df -h . | awk 'NR==2 {print $4}') free"
cargo test --workspace --no-fail-fast

# The status page as the browser test last saw it (CI keeps the log; the file is beside it).
if [ -f target/status-page.png ]; then
  echo "status page screenshot: target/status-page.png ($(stat -c %s target/status-page.png) bytes, sha256 $(sha256sum target/status-page.png | cut -c1-16))"
fi
