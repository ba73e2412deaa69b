#!/usr/bin/env bash
# Finds a WAVS result on an EVM chain with cast, from the trigger's transaction: the
# event id every operator derived, the handler's EnvelopeHandled log, the stored payload.
# Usage: RPC=http://127.0.0.1:8545 HANDLER=0x… find-result.sh SERVICE TRIGGER_TX [WORKFLOW]
set -euo pipefail
SERVICE=$1 TX=$2 WORKFLOW=${3:-main}
# Event ids name the chain by family:chain-id, whatever the operators call it locally.
CHAIN=evm:$(cast chain-id --rpc-url "$RPC")
HEIGHT=$(cast receipt "$TX" blockNumber --rpc-url "$RPC")
# The trigger contract's log is the transaction's first; its logIndex counts in the block.
INDEX=$(cast receipt "$TX" logs --rpc-url "$RPC" | grep -o '"logIndex":"0x[0-9a-f]*"' | head -1 | cut -d'"' -f4)
EVENT_ID=$(wavs event-id --service "$SERVICE" --workflow "$WORKFLOW" --chain "$CHAIN" --tx "$TX" --height "$HEIGHT" --index "$(cast to-dec "$INDEX")")
echo "event id: $EVENT_ID"
cast logs --rpc-url "$RPC" --address "$HANDLER" --from-block "$HEIGHT" 'EnvelopeHandled(bytes20 indexed eventId, bytes payload)' "$EVENT_ID"
echo "payload: $(cast call "$HANDLER" 'payloadOf(bytes20)(bytes)' "$EVENT_ID" --rpc-url "$RPC")"
