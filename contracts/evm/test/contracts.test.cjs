// Contract tests against a real anvil, using the committed artifacts.
// Signatures are made by ethers' own EIP-191 signer, an implementation independent of
// the WAVS adapter, so these tests also pin down the digest the adapter must produce.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { ethers } = require('ethers');

const root = path.join(__dirname, '..', '..', '..');
const artifact = (name) => require(path.join(__dirname, '..', 'artifacts', `${name}.json`));
const MNEMONIC = 'test test test test test test test test test test test junk';
const wallet = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);

let anvil;
let provider;
let deployer;
const operators = [2, 3, 4].map(wallet);

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  const port = await freePort();
  const bin = path.join(root, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
  anvil = spawn(bin, ['--port', String(port), '--silent'], { stdio: 'ignore' });
  // cacheTimeout -1: the default 250 ms cache would hand a wallet a stale nonce between txs.
  provider = new ethers.JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: ethers.Network.from(31337), polling: true, pollingInterval: 50, cacheTimeout: -1 });
  for (let i = 0; ; i++) {
    try { await provider.getBlockNumber(); break; } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // A plain wallet, not a NonceManager: the manager counts a nonce even for a tx that reverts
  // in estimation, which would leave later txs waiting on a gap forever.
  deployer = wallet(0).connect(provider);
});

after(() => { provider?.destroy(); anvil?.kill(); });

async function deploy(name, ...args) {
  const a = artifact(name);
  const contract = await new ethers.ContractFactory(a.abi, a.bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

async function service(threshold = 2) {
  const manager = await deploy('WavsServiceManager', operators.map((w) => w.address), [1, 1, 1], threshold);
  const handler = await deploy('WavsServiceHandler', await manager.getAddress());
  return { manager, handler };
}

const envelope = (id, payload = '0x2a') => ({ eventId: ethers.zeroPadValue(ethers.toBeHex(id), 20), ordering: ethers.zeroPadValue('0x', 12), payload });

// Operators sign keccak256(abi.encode(envelope)) as an EIP-191 message.
async function sign(env, signers) {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const inner = ethers.keccak256(coder.encode(['tuple(bytes20 eventId, bytes12 ordering, bytes payload)'], [env]));
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const signatures = [];
  for (const s of sorted) signatures.push(await s.signMessage(ethers.getBytes(inner)));
  return { signers: sorted.map((s) => s.address), signatures, referenceBlock: 0 };
}

async function revertName(promise, manager) {
  try { await promise; } catch (e) {
    const data = e.data ?? e.info?.error?.data;
    const parsed = manager.interface.parseError(data);
    return `${parsed.name}(${parsed.args.join(',')})`;
  }
  return 'no revert';
}

test('envelopeDigest is EIP-191 over keccak256(abi.encode(envelope))', async () => {
  const { manager } = await service();
  const env = envelope(1, '0xdeadbeef');
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const inner = ethers.keccak256(coder.encode(['tuple(bytes20 eventId, bytes12 ordering, bytes payload)'], [env]));
  assert.equal(await manager.envelopeDigest(env), ethers.hashMessage(ethers.getBytes(inner)));
});

test('validate accepts 2 of 3 sorted signatures and names every refusal', async () => {
  const { manager } = await service(2);
  const env = envelope(2);
  const good = await sign(env, operators.slice(0, 2));
  await manager.validate(env, good);
  await manager.validate(env, await sign(env, operators));

  const one = await sign(env, operators.slice(0, 1));
  assert.equal(await revertName(manager.validate(env, one), manager), 'InsufficientQuorum(1,2)');

  const outsider = wallet(9);
  const withOutsider = await sign(env, [operators[0], outsider]);
  assert.match(await revertName(manager.validate(env, withOutsider), manager), /^UnknownSigner\(/);

  const unsorted = { ...good, signers: [...good.signers].reverse(), signatures: [...good.signatures].reverse() };
  assert.equal(await revertName(manager.validate(env, unsorted), manager), 'SignersNotSorted(1)');

  const duplicate = { ...good, signers: [good.signers[0], good.signers[0]], signatures: [good.signatures[0], good.signatures[0]] };
  assert.equal(await revertName(manager.validate(env, duplicate), manager), 'SignersNotSorted(1)');

  const otherPayload = await sign(envelope(2, '0x2b'), operators.slice(0, 2));
  assert.equal(await revertName(manager.validate(env, otherPayload), manager), 'InvalidSignature(0)');

  const truncated = { ...good, signatures: [good.signatures[0].slice(0, 60), good.signatures[1]] };
  assert.equal(await revertName(manager.validate(env, truncated), manager), 'InvalidSignature(0)');

  assert.equal(await revertName(manager.validate(env, { ...good, signatures: good.signatures.slice(1) }), manager), 'LengthMismatch()');
  assert.equal(await revertName(manager.validate(env, { signers: [], signatures: [], referenceBlock: 0 }), manager), 'NoSignatures()');
});

test('the handler stores a batch, skips handled ids, and reverts a batch with a bad envelope', async () => {
  const { manager, handler } = await service(2);
  const a = envelope(10, '0x01');
  const b = envelope(11, '0x02');
  const receipt = await (await handler.handleSignedEnvelopes([a, b], [await sign(a, operators), await sign(b, operators)])).wait();
  const handled = receipt.logs.map((l) => handler.interface.parseLog(l)).filter((l) => l.name === 'EnvelopeHandled');
  assert.equal(handled.length, 2);
  assert.equal(await handler.payloadOf(a.eventId), '0x01');
  assert.equal(await handler.isHandled(b.eventId), true);
  assert.equal(await handler.handledCount(), 2n);

  // Resubmitting a handled id is skipped, not reverted.
  const again = await (await handler.handleSignedEnvelope(a, await sign(a, operators))).wait();
  assert.deepEqual(again.logs.map((l) => handler.interface.parseLog(l).name), ['EnvelopeSkipped']);
  assert.equal(await handler.handledCount(), 2n);

  // One envelope below quorum sinks its batch.
  const c = envelope(12, '0x03');
  const d = envelope(13, '0x04');
  const batch = handler.handleSignedEnvelopes([c, d], [await sign(c, operators), await sign(d, operators.slice(0, 1))]);
  assert.equal(await revertName(batch, manager), 'InsufficientQuorum(1,2)');
  assert.equal(await handler.isHandled(c.eventId), false);
});

test('only the owner changes operators and threshold', async () => {
  const { manager } = await service(2);
  const stranger = manager.connect(wallet(5).connect(provider));
  assert.equal(await revertName(stranger.setThreshold(1), manager), 'NotOwner()');
  await (await manager.setOperator(operators[0].address, 0)).wait();
  const [list] = await manager.getOperators();
  assert.equal(list.length, 2);
  assert.equal(await manager.totalWeight(), 2n);
  await (await manager.setThreshold(3)).wait();
  assert.equal(await manager.threshold(), 3n);
});

test('the trigger emits increasing ids with its payload', async () => {
  const trigger = await deploy('WavsTrigger');
  const fired = [];
  for (const payload of ['0xaa', '0xbbcc']) {
    const receipt = await (await trigger.fire(payload)).wait();
    fired.push(trigger.interface.parseLog(receipt.logs[0]));
  }
  assert.deepEqual(fired.map((e) => e.args.triggerId), [1n, 2n]);
  assert.equal(fired[1].args.payload, '0xbbcc');
  assert.equal(fired[0].args.creator, wallet(0).address);
});
