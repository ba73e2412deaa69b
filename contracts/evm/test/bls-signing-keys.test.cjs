// Per-service signing keys on the BLS manager, against a real anvil: the owner weighs
// operators by address, each registers the BLS key its node signs this service with
// (`wavs keys --service`) with its proof of possession. A registered key counts; a key
// nobody registered, one rotated out, a rogue key without a PoP and another operator's key
// are refused.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { wallet, startAnvil, envelope, revertName } = require('../test-support/chain.cjs');
const { bn254 } = require('@noble/curves/bn254');
const { mul, hashToG1, g1, g2, popDigest, operatorId, keyPair, blsService, blsSubmission } = require('../test-support/bls.cjs');

const G1 = bn254.G1.ProjectivePoint;
const G2 = bn254.G2.ProjectivePoint;

let chain;
let deployer;
const operators = [2, 3, 4].map(wallet);

before(async () => {
  chain = await startAnvil();
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

test('operators sign with the BLS key they registered; unregistered, rotated-out and rogue keys are refused', async () => {
  const { manager, handler } = await blsService(deployer, [], 2);
  const iface = manager.interface;
  const as = (w) => manager.connect(w.connect(chain.provider));
  const [key1, key2, key1Next, stranger] = [21, 22, 23, 24].map(keyPair);
  const register = (w, k) => as(w).setSigningKey(k.pk1, k.pk2, k.pop);

  // Only an address the owner weighed may register a key.
  assert.equal(await revertName(register(operators[0], key1), iface), `NotOperator(${operators[0].address})`);
  for (const op of operators) await (await manager.setOperatorWeight(op.address, 1)).wait();
  assert.equal(await revertName(as(operators[0]).setOperatorWeight(operators[0].address, 5), iface), 'NotOwner()');
  // A weighed operator with no key is not in the list yet.
  assert.equal((await manager.getOperators())[0].length, 0);

  // The proof of possession is checked on every registration: another key's PoP, and a
  // rogue key (pk1 = stranger − key2, which would cancel key2 out of the aggregate) whose
  // maker cannot sign its PoP.
  assert.equal(await revertName(as(operators[0]).setSigningKey(key1.pk1, key1.pk2, key2.pop), iface), `InvalidProofOfPossession(${key1.id})`);
  const s = 99n;
  const rogue = {
    pk1: g1(mul(G1.BASE, s).subtract(mul(G1.BASE, key2.sk))),
    pk2: g2(mul(G2.BASE, s).subtract(mul(G2.BASE, key2.sk))),
  };
  const forged = g1(mul(hashToG1(popDigest(rogue.pk1, rogue.pk2)), s));
  const rogueId = operatorId(rogue.pk1);
  assert.equal(await revertName(as(operators[0]).setSigningKey(rogue.pk1, rogue.pk2, forged), iface), `InvalidProofOfPossession(${rogueId})`);

  await (await register(operators[0], key1)).wait();
  await (await register(operators[1], key2)).wait();
  assert.equal(await manager.getLatestOperatorForSigningKey(key1.id), operators[0].address);

  const env = envelope(50);
  const digest = await handler.envelopeDigest(env);
  const submit = async (signers) => {
    const s = await blsSubmission(manager, [digest], signers);
    return handler.handleSignedEnvelopes([env], s.sigmas, s.apkG2, s.nonSignerIndices);
  };
  const check = async (signers) => {
    const s = await blsSubmission(manager, [digest], signers);
    return manager.checkSignatures([digest], s.sigmas, s.apkG2, s.nonSignerIndices);
  };
  // A key nobody registered (the stranger signs in key2's place; key2 counts as non-signer).
  assert.equal(await revertName(check([key1, stranger]), iface), 'InsufficientQuorum(1,2)');
  // Registered keys verify.
  assert.equal(await check([key1, key2]), 2n);

  // Rotation: the old key leaves the list at once, the new one counts.
  await (await register(operators[0], key1Next)).wait();
  assert.equal(await manager.getLatestOperatorForSigningKey(key1.id), ethers.ZeroAddress);
  assert.equal(await manager.getLatestOperatorForSigningKey(key1Next.id), operators[0].address);
  const { nonSignerIndices } = await blsSubmission(manager, [digest], [key1, key2]);
  assert.deepEqual(nonSignerIndices, [1], 'the rotated-out key is not an operator any more');
  assert.equal(await revertName(check([key1, key2]), iface), 'InsufficientQuorum(1,2)');

  // No key changes hands: a rotated-out key, another operator's key, a key the owner
  // registered directly; nor can the owner reweigh an operator's key by key.
  assert.equal(await revertName(register(operators[2], key1), iface), `SigningKeyTaken(${key1.id})`);
  assert.equal(await revertName(register(operators[2], key2), iface), `SigningKeyTaken(${key2.id})`);
  const ownerKey = keyPair(31);
  await (await manager.setOperator(ownerKey.pk1, ownerKey.pk2, ownerKey.pop, 1)).wait();
  assert.equal(await revertName(register(operators[2], ownerKey), iface), `SigningKeyTaken(${ownerKey.id})`);
  assert.equal(await revertName(manager.setOperator(key2.pk1, key2.pk2, key2.pop, 9), iface), `SigningKeyTaken(${key2.id})`);
  await (await manager.setOperator(ownerKey.pk1, ownerKey.pk2, ownerKey.pop, 0)).wait();

  // The owner's weight counts through the operator's current key; 0 takes it off the list.
  await (await manager.setOperatorWeight(operators[1].address, 3)).wait();
  assert.equal(await manager.getOperatorWeight(key2.id), 3n);
  await (await manager.setOperatorWeight(operators[1].address, 0)).wait();
  assert.equal(await manager.getOperatorWeight(key2.id), 0n);
  assert.equal(await revertName(check([key1Next, key2]), iface), 'InsufficientQuorum(1,2)');
  await (await manager.setOperatorWeight(operators[1].address, 1)).wait();

  // What the aggregator reads: each operator's current key with its weight.
  const [ids, weights] = await manager.getOperators();
  assert.deepEqual([...ids].sort(), [key1Next.id, key2.id].sort());
  assert.deepEqual([...weights], [1n, 1n]);

  // The honest result lands after all the refusals.
  await (await submit([key1Next, key2])).wait();
  assert.equal(await handler.isHandled(env.eventId), true);
  assert.equal(await handler.payloadOf(env.eventId), env.payload);
});
