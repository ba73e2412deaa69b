#!/usr/bin/env bash
# Creates a fresh single-node wasmd chain in <home-dir> and then execs `wasmd start`, so a
# parent that spawned this script and kills it kills the chain.
#
#   scripts/start-wasmd.sh <home-dir> <rpc-port> <rest-port> <grpc-port> <p2p-port>
#
# Chain id wavs-local-1 (or $WAVS_WASMD_CHAIN_ID), bech32 prefix `wasm`, denom `stake`, ~200 ms blocks, everything on
# 127.0.0.1. Funds dev0..dev9: the dev mnemonic ("test test ... junk") at m/44'/60'/0'/0/N,
# the same secp256k1 keys as the EVM devnet. Writes `devN <address>` lines to
# <home-dir>/accounts.txt. The wasmd binary comes from $WAVS_WASMD or the cache that
# scripts/build-wasmd.sh fills.
set -euo pipefail

CHAIN_ID="${WAVS_WASMD_CHAIN_ID:-wavs-local-1}"  # another id for a second chain (replay tests)
DENOM="stake"
MNEMONIC="test test test test test test test test test test test junk"
DEV_FUNDS="1000000000000000${DENOM}"  # 1e15 each; DEV_FUNDS in conformance/devnet/src/wasmd.rs
VALIDATOR_FUNDS="1000000000000000${DENOM}"
VALIDATOR_STAKE="100000000000${DENOM}"
TIMEOUT_COMMIT="200ms"

log() { echo "[start-wasmd +${SECONDS}s] $*" >&2; }
die() { echo "[start-wasmd] error: $*" >&2; exit 1; }

[ $# -eq 5 ] || die "usage: $0 <home-dir> <rpc-port> <rest-port> <grpc-port> <p2p-port>"
HOME_DIR="$1" RPC_PORT="$2" REST_PORT="$3" GRPC_PORT="$4" P2P_PORT="$5"
for port in "$RPC_PORT" "$REST_PORT" "$GRPC_PORT" "$P2P_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ] || die "not a port: $port"
done

CACHE="${WAVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wavs}"
WASMD="${WAVS_WASMD:-$CACHE/wasmd-v0.70.3/bin/wasmd}"
[ -x "$WASMD" ] || die "wasmd not found at $WASMD: run scripts/build-wasmd.sh (or set WAVS_WASMD)"

# Sets `key = value` in [section] of a TOML file ("" is the top level, before any section).
# Fails if the key is not there, so a renamed setting in a new wasmd is noticed at once.
toml_set() {
  local file="$1" section="$2" key="$3" value="$4" tmp
  tmp="$(mktemp "$file.XXXX")"
  if ! awk -v section="$section" -v key="$key" -v value="$value" '
      BEGIN { current = ""; done = 0 }
      /^[[:space:]]*\[[^]]+\][[:space:]]*$/ { current = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*$/, "", current) }
      !done && current == section && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" { print key " = " value; done = 1; next }
      { print }
      END { exit done ? 0 : 1 }' "$file" >"$tmp"; then
    rm -f "$tmp"
    die "no \`$key\` in [${section:-top level}] of $file (did the config layout change?)"
  fi
  mv "$tmp" "$file"
}

wasmd() { "$WASMD" --home "$HOME_DIR" "$@"; }
# Runs `wasmd <args>` quietly; on failure shows its output and stops.
quietly() {
  local what="$1" out
  shift
  out="$(wasmd "$@" 2>&1)" || die "$what failed (wasmd $*):"$'\n'"$out"
}

log "fresh chain $CHAIN_ID in $HOME_DIR (wasmd: $WASMD)"
# Only ever wipe an earlier chain home, never some other non-empty directory.
if [ -d "$HOME_DIR" ] && [ -n "$(ls -A "$HOME_DIR")" ] && [ ! -f "$HOME_DIR/config/genesis.json" ]; then
  die "$HOME_DIR is not empty and is not a wasmd home: refusing to wipe it"
fi
rm -rf "$HOME_DIR"
mkdir -p "$HOME_DIR"

quietly "init" init wavs-local --chain-id "$CHAIN_ID" --default-denom "$DENOM"

log "keys: validator and dev0..dev9"
quietly "creating the validator key" keys add validator --keyring-backend test --output json
quietly "funding the validator" genesis add-genesis-account validator "$VALIDATOR_FUNDS" --keyring-backend test
: >"$HOME_DIR/accounts.txt"
for n in 0 1 2 3 4 5 6 7 8 9; do
  key_json="$(echo "$MNEMONIC" | wasmd keys add "dev$n" --recover --hd-path "m/44'/60'/0'/0/$n" \
    --keyring-backend test --output json 2>&1)" || die "cannot recover dev$n: $key_json"
  address="$(echo "$key_json" | sed -n 's/.*"address":"\(wasm1[0-9a-z]*\)".*/\1/p')"
  [ -n "$address" ] || die "no wasm1 address in the output of keys add dev$n: $key_json"
  quietly "funding dev$n" genesis add-genesis-account "$address" "$DEV_FUNDS"
  echo "dev$n $address" >>"$HOME_DIR/accounts.txt"
done

log "genesis: gentx and collect"
quietly "gentx" genesis gentx validator "$VALIDATOR_STAKE" --chain-id "$CHAIN_ID" --keyring-backend test
quietly "collect-gentxs" genesis collect-gentxs
quietly "validating the genesis" genesis validate

log "config: 127.0.0.1 ports rpc=$RPC_PORT rest=$REST_PORT grpc=$GRPC_PORT p2p=$P2P_PORT, timeout_commit=$TIMEOUT_COMMIT"
CONFIG="$HOME_DIR/config/config.toml"
APP="$HOME_DIR/config/app.toml"
CLIENT="$HOME_DIR/config/client.toml"
# CometBFT (config.toml)
toml_set "$CONFIG" rpc laddr "\"tcp://127.0.0.1:$RPC_PORT\""
toml_set "$CONFIG" rpc grpc_laddr '""'
toml_set "$CONFIG" rpc pprof_laddr '""'
toml_set "$CONFIG" p2p laddr "\"tcp://127.0.0.1:$P2P_PORT\""
toml_set "$CONFIG" p2p external_address '""'
toml_set "$CONFIG" p2p pex false
toml_set "$CONFIG" p2p addr_book_strict false
toml_set "$CONFIG" p2p allow_duplicate_ip true
toml_set "$CONFIG" consensus timeout_commit "\"$TIMEOUT_COMMIT\""
toml_set "$CONFIG" consensus timeout_propose '"1s"'
toml_set "$CONFIG" instrumentation prometheus false
# Cosmos SDK (app.toml)
toml_set "$APP" "" minimum-gas-prices "\"0.025$DENOM\""
toml_set "$APP" api enable true
toml_set "$APP" api address "\"tcp://127.0.0.1:$REST_PORT\""
toml_set "$APP" api enabled-unsafe-cors false
toml_set "$APP" grpc enable true
toml_set "$APP" grpc address "\"127.0.0.1:$GRPC_PORT\""
toml_set "$APP" grpc-web enable false
# The CLI (client.toml). wasmd's autocli tx/query commands read the client.toml of the default
# home (~/.wasmd), not --home's: by hand, pass --node, --chain-id and --keyring-backend test.
toml_set "$CLIENT" "" chain-id "\"$CHAIN_ID\""
toml_set "$CLIENT" "" keyring-backend '"test"'
toml_set "$CLIENT" "" node "\"tcp://127.0.0.1:$RPC_PORT\""

log "starting wasmd (rpc http://127.0.0.1:$RPC_PORT, rest http://127.0.0.1:$REST_PORT)"
exec "$WASMD" start --home "$HOME_DIR" --log_level warn
