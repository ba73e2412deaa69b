#!/usr/bin/env bash
# Builds the pinned wasmd (a CosmWasm-enabled Cosmos SDK chain) from source, once, and caches
# the binary outside the repo (takes several minutes on 2 cores). Prints the binary's path on
# its last line.
#
# wasmd's go.mod has replace directives, so `go install wasmd@version` refuses it;
# build-go-tool.sh builds it from the module source instead. cgo links libwasmvm from the
# wasmvm module.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=1 exec scripts/build-go-tool.sh wasmd github.com/CosmWasm/wasmd "${WASMD_VERSION:-v0.70.3}" ./cmd/wasmd version
