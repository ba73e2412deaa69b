#!/usr/bin/env bash
# Builds the pinned kubo (`ipfs`, an IPFS node), once, cached outside the repo. The tests
# publish components to a local IPFS node with it. Prints the binary's path on its last line.
#
# kubo v0.43.1 replaces go-libp2p with a fork that the Go module proxy does not serve; the
# fork only moved go-libp2p to quic-go v0.62 / webtransport-go v0.13, which the go-libp2p
# release v0.50.0 requires as well, so we build against that release instead.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/build-go-tool.sh ipfs github.com/ipfs/kubo "${KUBO_VERSION:-v0.43.1}" ./cmd/ipfs version \
  -dropreplace=github.com/libp2p/go-libp2p -require=github.com/libp2p/go-libp2p@v0.50.0
