#!/usr/bin/env bash
# Builds go-containerregistry's `registry` (a real OCI distribution registry kept in memory),
# once, cached outside the repo. The tests publish components to a local registry with it.
# Prints the binary's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/build-go-tool.sh oci-registry github.com/google/go-containerregistry "${GGCR_VERSION:-v0.22.1}" ./cmd/registry --help
