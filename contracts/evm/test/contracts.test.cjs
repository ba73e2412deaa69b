// Contract tests against a real anvil, using the committed artifacts: the EIP-712 digest,
// signature validation, the handler's batch entry point, ownership and the trigger.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { wallet, startAnvil, deploy, service, envelope, ENVELOPE_TYPES, domainOf, digestOf, signFor, revertName } = require('../test-support/chain.cjs');

let chain;
let deployer;
const operators = [2, 3, 4].map(wallet);

before(async () => {
  chain = await startAnvil();
  // A plain wallet, not a NonceManager: the manager counts a nonce even for a tx that reverts
  // in estimation, which would leave later txs waiting on a gap forever.
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

test('envelopeDigest is the EIP-712 hash ethers computes for this handler and chain', async () => {
  const { handler } = await service(deployer, operators);
  const address = await handler.getAddress();
  const env = envelope(1, '0xdeadbeef');
  assert.equal(await handler.envelopeDigest(env), ethers.TypedDataEncoder.hash(domainOf(31337, address), ENVELOPE_TYPES, env));
  assert.equal(await handler.domainSeparator(), ethers.TypedDataEncoder.hashDomain(domainOf(31337, address)));

  // EIP-5267: wallets and tools read the domain from the contract itself.
  const [fields, name, version, chainId, verifyingContract, salt, extensions] = await handler.eip712Domain();
  assert.deepEqual([fields, name, version, chainId, verifyingContract, salt, extensions.length],
    ['0x0f', 'WAVS', '2', 31337n, address, ethers.ZeroHash, 0]);

  // Every field is bound: another payload, ordering or event id is another digest.
  const digests = new Set([env, { ...env, payload: '0xdeadbeee' }, { ...env, ordering: '0x' + '00'.repeat(11) + '01' }, envelope(2, '0xdeadbeef')]
    .map((e) => digestOf(31337, address, e)));
  assert.equal(digests.size, 4);
});

test('validate accepts 2 of 3 sorted signatures and names every refusal', async () => {
  const { manager, handler } = await service(deployer, operators, 2);
  const at = await handler.getAddress();
  const env = envelope(2);
  const digest = await handler.envelopeDigest(env);
  const sign = (e, signers) => signFor(31337, at, e, signers);
  const good = await sign(env, operators.slice(0, 2));
  await manager.validate(digest, good);
  await manager.validate(digest, await sign(env, operators));
  const iface = manager.interface;

  const one = await sign(env, operators.slice(0, 1));
  assert.equal(await revertName(manager.validate(digest, one), iface), 'InsufficientQuorum(1,2)');

  const outsider = wallet(9);
  const withOutsider = await sign(env, [operators[0], outsider]);
  assert.equal(await revertName(manager.validate(digest, withOutsider), iface), `UnknownSigner(${outsider.address})`);

  const unsorted = { ...good, signers: [...good.signers].reverse(), signatures: [...good.signatures].reverse() };
  assert.equal(await revertName(manager.validate(digest, unsorted), iface), 'SignersNotSorted(1)');

  const duplicate = { ...good, signers: [good.signers[0], good.signers[0]], signatures: [good.signatures[0], good.signatures[0]] };
  assert.equal(await revertName(manager.validate(digest, duplicate), iface), 'SignersNotSorted(1)');

  const otherPayload = await sign(envelope(2, '0x2b'), operators.slice(0, 2));
  assert.equal(await revertName(manager.validate(digest, otherPayload), iface), 'InvalidSignature(0)');

  const truncated = { ...good, signatures: [good.signatures[0].slice(0, 60), good.signatures[1]] };
  assert.equal(await revertName(manager.validate(digest, truncated), iface), 'InvalidSignature(0)');

  // The same signature with s flipped to the high half recovers to the same signer on
  // ecrecover; the manager refuses it so that a signature has exactly one encoding.
  const sig = ethers.Signature.from(good.signatures[0]);
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const high = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? '0x1c' : '0x1b']);
  assert.equal(await revertName(manager.validate(digest, { ...good, signatures: [high, good.signatures[1]] }), iface), 'InvalidSignature(0)');

  assert.equal(await revertName(manager.validate(digest, { ...good, signatures: good.signatures.slice(1) }), iface), 'LengthMismatch()');
  assert.equal(await revertName(manager.validate(digest, { signers: [], signatures: [], referenceBlock: 0 }), iface), 'NoSignatures()');
});

test('the handler stores a batch, skips handled ids, and reverts a batch with a bad envelope', async () => {
  const { manager, handler } = await service(deployer, operators, 2);
  const sign = async (e, signers) => signFor(31337, await handler.getAddress(), e, signers);
  const a = envelope(10, '0x01');
  const b = envelope(11, '0x02');
  const receipt = await (await handler.handleSignedEnvelopes([a, b], [await sign(a, operators), await sign(b, operators)])).wait();
  const handled = receipt.logs.map((l) => handler.interface.parseLog(l)).filter((l) => l.name === 'EnvelopeHandled');
  assert.equal(handled.length, 2);
  assert.equal(await handler.payloadOf(a.eventId), '0x01');
  assert.equal(await handler.isHandled(b.eventId), true);
  assert.equal(await handler.handledCount(), 2n);
  assert.equal(await handler.serviceManager(), await manager.getAddress());

  // Resubmitting a handled id is skipped, not reverted.
  const again = await (await handler.handleSignedEnvelope(a, await sign(a, operators))).wait();
  assert.deepEqual(again.logs.map((l) => handler.interface.parseLog(l).name), ['EnvelopeSkipped']);
  assert.equal(await handler.handledCount(), 2n);

  // One envelope below quorum sinks its batch.
  const c = envelope(12, '0x03');
  const d = envelope(13, '0x04');
  const batch = handler.handleSignedEnvelopes([c, d], [await sign(c, operators), await sign(d, operators.slice(0, 1))]);
  assert.equal(await revertName(batch, manager.interface), 'InsufficientQuorum(1,2)');
  assert.equal(await handler.isHandled(c.eventId), false);
  const mismatch = handler.handleSignedEnvelopes([c, d], [await sign(c, operators)]);
  assert.equal(await revertName(mismatch, handler.interface), 'BatchLengthMismatch()');
});

test('only the owner changes operators and threshold', async () => {
  const { manager } = await service(deployer, operators, 2);
  const stranger = manager.connect(wallet(5).connect(chain.provider));
  assert.equal(await revertName(stranger.setThreshold(1), manager.interface), 'NotOwner()');
  assert.equal(await revertName(stranger.setOperator(wallet(5).address, 100), manager.interface), 'NotOwner()');
  await (await manager.setOperator(operators[0].address, 0)).wait();
  const [list] = await manager.getOperators();
  assert.equal(list.length, 2);
  assert.equal(await manager.totalWeight(), 2n);
  await (await manager.setThreshold(3)).wait();
  assert.equal(await manager.threshold(), 3n);
});

test('the trigger emits increasing ids with its payload', async () => {
  const trigger = await deploy(deployer, 'WavsTrigger');
  const fired = [];
  for (const payload of ['0xaa', '0xbbcc']) {
    const receipt = await (await trigger.fire(payload)).wait();
    fired.push(trigger.interface.parseLog(receipt.logs[0]));
  }
  assert.deepEqual(fired.map((e) => e.args.triggerId), [1n, 2n]);
  assert.equal(fired[1].args.payload, '0xbbcc');
  assert.equal(fired[0].args.creator, wallet(0).address);
});
