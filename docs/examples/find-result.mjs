// Finds a WAVS result on an EVM chain with viem, from the trigger's transaction: computes
// the event id (the formula of `envelope.event-id` in wit/types/types.wit), then reads the
// handler's EnvelopeHandled log and stored payload.
// Usage: RPC=http://127.0.0.1:8545 HANDLER=0x… node find-result.mjs SERVICE TRIGGER_TX [WORKFLOW]
import { concat, createPublicClient, hexToBytes, http, numberToBytes, parseAbi, parseAbiItem, sha256, toBytes } from 'viem';

const [service, txHash, workflow = 'main'] = process.argv.slice(2);
const { RPC, HANDLER } = process.env;
const client = createPublicClient({ transport: http(RPC) });

// Each field: its length as 8 bytes big-endian, then its bytes; SHA-256; first 20 bytes.
const field = (bytes) => concat([numberToBytes(bytes.length, { size: 8 }), bytes]);
function eventId({ service, workflow, chain, height, txHash, index, response = 0 }) {
  const fields = [
    toBytes('wavs/event-id/v2'), toBytes(service), toBytes(workflow), toBytes('chain-event'), toBytes(chain),
    numberToBytes(height, { size: 8 }), hexToBytes(txHash), numberToBytes(index, { size: 4 }),
    numberToBytes(response, { size: 4 }),
  ];
  return sha256(concat(fields.map(field))).slice(0, 42);
}

const receipt = await client.getTransactionReceipt({ hash: txHash });
const chain = `evm:${await client.getChainId()}`;
// The trigger contract's log is the transaction's first; its logIndex counts in the block.
const id = eventId({ service, workflow, chain, height: receipt.blockNumber, txHash, index: receipt.logs[0].logIndex });
console.log(`event id: ${id}`);

const logs = await client.getLogs({
  address: HANDLER,
  event: parseAbiItem('event EnvelopeHandled(bytes20 indexed eventId, bytes payload)'),
  args: { eventId: id },
  fromBlock: receipt.blockNumber,
});
for (const log of logs) console.log(`handled in block ${log.blockNumber}, tx ${log.transactionHash}: ${log.args.payload}`);
const abi = parseAbi(['function payloadOf(bytes20 eventId) view returns (bytes)']);
console.log(`payload: ${await client.readContract({ address: HANDLER, abi, functionName: 'payloadOf', args: [id] })}`);
