// BLS (BN254) manager and handler against a real anvil, with signatures made in JS on
// @noble/curves (test-support/bls.cjs): hash_to_g1 and the PoP digest agree with the
// contracts, registration checks proofs of possession, batches land with one pairing check
// and every wrong signature, key or quorum is refused by name; and the gas of a batch,
// next to the ECDSA handler's for the same envelopes.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { wallet, startAnvil, deploy, envelope, signFor, revertName } = require('../test-support/chain.cjs');
const {
  P, mul, hashToG1, g1, popDigest, keyPair, apkOf, apkG2Of, blsService, blsSubmission,
} = require('../test-support/bls.cjs');

let chain;
let deployer;
const keys = [11, 12, 13].map(keyPair);

before(async () => {
  chain = await startAnvil();
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

/** The digests `handler` computes for `envs`. */
const digestsOf = (handler, envs) => Promise.all(envs.map((e) => handler.envelopeDigest(e)));

/** A plain object of a G1Point result, for deepEqual against bls.cjs encodings. */
const asG1 = (p) => ({ X: p.X, Y: p.Y });

test('hashToG1 and the PoP digest on chain are the JS computations', async () => {
  const { manager } = await blsService(deployer, keys);
  const digests = [
    ethers.ZeroHash, ethers.toBeHex(1, 32), ethers.id('wavs'), ethers.toBeHex(P - 1n, 32), ethers.toBeHex(P, 32),
    '0x' + 'ff'.repeat(32), ...[1, 2, 3, 4, 5, 6].map((i) => ethers.id(`digest ${i}`)),
  ];
  let incremented = 0;
  for (const d of digests) {
    const expected = hashToG1(d);
    expected.assertValidity();
    if (expected.toAffine().x !== BigInt(d) % P) incremented += 1;
    assert.deepEqual(asG1(await manager.hashToG1(d)), g1(expected), `hashToG1(${d})`);
  }
  // Some digests need the increment loop, so both branches are compared.
  assert.ok(incremented > 0 && incremented < digests.length, `${incremented} of ${digests.length} incremented`);

  assert.equal(await manager.popDigest(keys[0].pk1, keys[0].pk2), popDigest(keys[0].pk1, keys[0].pk2));
  assert.equal(await manager.signatureScheme(), 'bn254-bls');
  const ecdsa = await deploy(deployer, 'WavsServiceManager', [], [], 1);
  assert.equal(await ecdsa.signatureScheme(), 'secp256k1-ecdsa');
});

test('setOperator checks the proof of possession; re-adding reweighs; removal swaps and pops', async () => {
  const { manager } = await blsService(deployer, keys.slice(0, 2));
  const iface = manager.interface;
  const [a, b, c] = keys;
  const d = keyPair(14);

  // Another key's PoP.
  assert.equal(await revertName(manager.setOperator(c.pk1, c.pk2, d.pop, 1), iface), `InvalidProofOfPossession(${c.id})`);
  // pk2 of another secret with this pk1: the PoP is a valid signature by that pk2 over
  // popDigest(pk1, pk2), yet pk1 does not share its secret.
  const mixed = { pk1: c.pk1, pk2: d.pk2 };
  const mixedPop = g1(mul(hashToG1(popDigest(mixed.pk1, mixed.pk2)), d.sk));
  assert.equal(await revertName(manager.setOperator(mixed.pk1, mixed.pk2, mixedPop, 1), iface), `InvalidProofOfPossession(${c.id})`);
  const infinity = { X: 0n, Y: 0n };
  assert.equal(await revertName(manager.setOperator(infinity, c.pk2, c.pop, 1), iface), 'InvalidPublicKey()');
  const stranger = manager.connect(wallet(5).connect(chain.provider));
  assert.equal(await revertName(stranger.setOperator(c.pk1, c.pk2, c.pop, 1), iface), 'NotOwner()');
  assert.equal(await revertName(stranger.setThreshold(1), iface), 'NotOwner()');

  await (await manager.setOperator(c.pk1, c.pk2, c.pop, 3)).wait();
  const operatorsOf = async () => (await manager.getOperators()).map((list) => [...list]);
  let [ids, weights, pk1s] = await operatorsOf();
  assert.deepEqual(ids, [a.id, b.id, c.id]);
  assert.deepEqual(weights, [1n, 1n, 3n]);
  assert.deepEqual(pk1s.map(asG1), [a.pk1, b.pk1, c.pk1]);
  assert.equal(await manager.totalWeight(), 5n);
  assert.deepEqual(asG1(await manager.apk()), apkOf([a, b, c]));

  // A registered key only gets its new weight; pk2 and pop are not read.
  await (await manager.setOperator(c.pk1, d.pk2, d.pop, 7)).wait();
  [ids, weights] = await operatorsOf();
  assert.deepEqual(ids, [a.id, b.id, c.id]);
  assert.deepEqual(weights, [1n, 1n, 7n]);
  assert.equal(await manager.getOperatorWeight(c.id), 7n);
  assert.equal(await manager.totalWeight(), 9n);

  // Removing index 0 (pk2 and pop unread) moves the last operator there.
  await (await manager.setOperator(a.pk1, d.pk2, infinity, 0)).wait();
  [ids, weights] = await operatorsOf();
  assert.deepEqual(ids, [c.id, b.id]);
  assert.deepEqual(weights, [7n, 1n]);
  assert.equal(await manager.getOperatorWeight(a.id), 0n);
  assert.equal(await manager.totalWeight(), 8n);
  assert.deepEqual(asG1(await manager.apk()), apkOf([b, c]));

  // Removing the rest leaves infinity; a removed key needs its PoP to come back.
  await (await manager.setOperator(b.pk1, b.pk2, infinity, 0)).wait();
  await (await manager.setOperator(c.pk1, c.pk2, infinity, 0)).wait();
  assert.deepEqual(asG1(await manager.apk()), infinity);
  assert.equal(await manager.totalWeight(), 0n);
  assert.equal(await revertName(manager.setOperator(a.pk1, a.pk2, b.pop, 1), iface), `InvalidProofOfPossession(${a.id})`);
});

test('2 of 3 signers land a batch; every wrong signature, key or quorum is refused by name', async () => {
  const { manager, handler } = await blsService(deployer, keys, 2);
  const iface = manager.interface;
  const envs = [envelope(1, '0x01'), envelope(2, '0x0202'), envelope(3, '0x030303')];
  const digests = await digestsOf(handler, envs);
  const two = keys.slice(0, 2);
  const good = await blsSubmission(manager, digests, two);
  assert.deepEqual(good.nonSignerIndices, [2]);
  const submit = (s, e = envs) => handler.handleSignedEnvelopes(e, s.sigmas, s.apkG2, s.nonSignerIndices);

  // Below quorum: one signer.
  const one = await blsSubmission(manager, digests, keys.slice(0, 1));
  assert.equal(await revertName(submit(one), iface), 'InsufficientQuorum(1,2)');
  // A σ over another digest (envelope 3's σ in envelope 1's place).
  const swapped = { ...good, sigmas: [good.sigmas[2], good.sigmas[1], good.sigmas[0]] };
  assert.equal(await revertName(submit(swapped), iface), 'InvalidAggregateSignature()');
  // σ made for another handler's digests of the same envelopes.
  const { handler: other } = await blsService(deployer, keys, 2);
  const foreign = await blsSubmission(manager, await digestsOf(other, envs), two);
  assert.equal(await revertName(submit(foreign), iface), 'InvalidAggregateSignature()');
  // apkG2 of all three while operator 2 is listed as non-signer.
  assert.equal(await revertName(submit({ ...good, apkG2: apkG2Of(keys) }), iface), 'InvalidAggregateSignature()');
  // All three signed, yet operator 2 is listed as non-signer: apk1 and apkG2 disagree.
  const all = await blsSubmission(manager, digests, keys);
  assert.equal(await revertName(submit({ ...all, nonSignerIndices: [2] }), iface), 'InvalidAggregateSignature()');
  // Non-signer lists the manager refuses.
  assert.equal(await revertName(submit({ ...all, nonSignerIndices: [1, 0] }), iface), 'NonSignersNotSorted(1)');
  assert.equal(await revertName(submit({ ...all, nonSignerIndices: [3] }), iface), 'NonSignerOutOfRange(3,3)');
  assert.equal(await revertName(submit({ ...all, nonSignerIndices: [0, 1, 2] }), iface), 'NoSigners()');
  assert.equal(await revertName(submit({ ...good, sigmas: good.sigmas.slice(1) }), handler.interface), 'BatchLengthMismatch()');
  // A σ off the curve fails the precompile, by name.
  const offCurve = { ...good, sigmas: [{ X: 1n, Y: 3n }, ...good.sigmas.slice(1)] };
  assert.equal(await revertName(submit(offCurve), iface), 'PrecompileFailed(7)');
  assert.equal(await revertName(manager.checkSignatures([], [], good.apkG2, []), iface), 'NoDigests()');
  for (const e of envs) assert.equal(await handler.isHandled(e.eventId), false);

  // The manager's own answer, then the batch lands.
  assert.equal(await manager.checkSignatures(digests, good.sigmas, good.apkG2, good.nonSignerIndices), 2n);
  assert.equal(await manager.checkSignatures(digests, all.sigmas, all.apkG2, all.nonSignerIndices), 3n);
  const receipt = await (await submit(good)).wait();
  assert.deepEqual(receipt.logs.map((l) => handler.interface.parseLog(l).name), ['EnvelopeHandled', 'EnvelopeHandled', 'EnvelopeHandled']);
  for (const e of envs) {
    assert.equal(await handler.isHandled(e.eventId), true);
    assert.equal(await handler.payloadOf(e.eventId), e.payload);
  }
  assert.equal(await handler.handledCount(), 3n);
  assert.equal(await handler.serviceManager(), await manager.getAddress());

  // A handled envelope in a new batch is skipped and left out of the check: the batch
  // lands with a garbage σ in its place, and the fresh envelope is stored.
  const fresh = envelope(4, '0x04');
  const [freshDigest] = await digestsOf(handler, [fresh]);
  const next = await blsSubmission(manager, [freshDigest], two);
  const mixedBatch = { ...next, sigmas: [{ X: 1n, Y: 2n }, next.sigmas[0], { X: 1n, Y: 2n }] };
  const again = await (await submit(mixedBatch, [envs[0], fresh, envs[0]])).wait();
  assert.deepEqual(again.logs.map((l) => handler.interface.parseLog(l).name), ['EnvelopeSkipped', 'EnvelopeHandled', 'EnvelopeSkipped']);
  assert.equal(await handler.payloadOf(fresh.eventId), '0x04');
  assert.equal(await handler.handledCount(), 4n);
  // A batch of handled envelopes only skips, without asking the manager.
  const skipped = await (await submit({ ...good, sigmas: good.sigmas.map(() => ({ X: 0n, Y: 0n })) })).wait();
  assert.equal(skipped.logs.length, 3);
  assert.equal(await handler.handledCount(), 4n);
});

test('gas: BLS and ECDSA handlers for batches of 1, 10 and 30 envelopes', async () => {
  const rows = [];
  let nextId = 1000;
  for (const count of [3, 30]) {
    const blsKeys = Array.from({ length: count }, (_, i) => keyPair(100 + i));
    const threshold = Math.ceil((2 * count) / 3);
    const bls = await blsService(deployer, blsKeys, threshold);
    const wallets = Array.from({ length: count }, (_, i) => new ethers.Wallet(ethers.toBeHex(1000n + BigInt(i), 32)));
    const ecdsaManager = await deploy(deployer, 'WavsServiceManager', wallets.map((w) => w.address), wallets.map(() => 1), threshold);
    const ecdsaHandler = await deploy(deployer, 'WavsServiceHandler', await ecdsaManager.getAddress());
    const ecdsaAt = await ecdsaHandler.getAddress();
    for (const size of [1, 10, 30]) {
      const envs = Array.from({ length: size }, () => envelope(nextId++, '0x' + '2a'.repeat(32)));
      const sub = await blsSubmission(bls.manager, await digestsOf(bls.handler, envs), blsKeys);
      const blsReceipt = await (await bls.handler.handleSignedEnvelopes(envs, sub.sigmas, sub.apkG2, sub.nonSignerIndices)).wait();
      const signatureData = [];
      for (const e of envs) signatureData.push(await signFor(chain.chainId, ecdsaAt, e, wallets));
      const ecdsaReceipt = await (await ecdsaHandler.handleSignedEnvelopes(envs, signatureData)).wait();
      for (const e of envs) {
        assert.equal(await bls.handler.isHandled(e.eventId), true);
        assert.equal(await ecdsaHandler.isHandled(e.eventId), true);
      }
      rows.push({ operators: count, envelopes: size, bls: blsReceipt.gasUsed, ecdsa: ecdsaReceipt.gasUsed });
    }
  }
  const perEnvelope = (gas, n) => Number(gas) / n;
  console.log('operators | envelopes | BLS gas | BLS/envelope | ECDSA gas | ECDSA/envelope');
  for (const r of rows) {
    console.log([r.operators, r.envelopes, r.bls, perEnvelope(r.bls, r.envelopes).toFixed(0), r.ecdsa,
      perEnvelope(r.ecdsa, r.envelopes).toFixed(0)].join(' | '));
  }
  // The point of the design: with 30 operators, BLS costs less per envelope than ECDSA.
  for (const r of rows.filter((row) => row.operators === 30)) {
    assert.ok(r.bls < r.ecdsa, `30 operators, ${r.envelopes} envelopes: BLS ${r.bls} >= ECDSA ${r.ecdsa}`);
  }
});
