// Per-service signing keys on the ECDSA service manager, against a real anvil: each
// operator registers the key its node signs this service with (`wavs keys --service`);
// weights stay per operator. A registered key counts, a key nobody registered or one
// rotated out counts nothing, and no key can be claimed by a second operator.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { wallet, startAnvil, service, envelope, signFor, revertName } = require('../test-support/chain.cjs');

let chain;
let deployer;
const operators = [2, 3, 4].map(wallet);

before(async () => {
  chain = await startAnvil();
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

test('operators sign with the key they registered; unregistered and rotated-out keys are refused', async () => {
  const { manager, handler } = await service(deployer, operators, 2);
  const iface = manager.interface;
  const as = (w) => manager.connect(w.connect(chain.provider));
  const [key1, key2, key1Next, stranger] = [0, 1, 2, 3].map(() => ethers.Wallet.createRandom());
  await (await as(operators[0]).setSigningKey(key1.address)).wait();
  await (await as(operators[1]).setSigningKey(key2.address)).wait();

  const env = envelope(40);
  const digest = await handler.envelopeDigest(env);
  const at = await handler.getAddress();
  const sign = (signers) => signFor(31337, at, env, signers);
  const refusal = async (signers) => revertName(manager.validate(digest, await sign(signers)), iface);

  // Registered keys, and an operator that registered none signing with its own address.
  await manager.validate(digest, await sign([key1, key2]));
  await manager.validate(digest, await sign([key1, operators[2]]));
  // An operator's own address once it registered a key, and a key nobody registered.
  assert.equal(await refusal([operators[0], key2]), `UnknownSigner(${operators[0].address})`);
  assert.equal(await refusal([stranger, key2]), `UnknownSigner(${stranger.address})`);

  // Rotation: the old key counts no more, the new one does.
  await (await as(operators[0]).setSigningKey(key1Next.address)).wait();
  assert.equal(await refusal([key1, key2]), `UnknownSigner(${key1.address})`);
  await manager.validate(digest, await sign([key1Next, key2]));
  assert.equal(await manager.getLatestOperatorForSigningKey(key1Next.address), operators[0].address);
  assert.equal(await manager.getLatestOperatorForSigningKey(key1.address), ethers.ZeroAddress);
  assert.equal(await manager.getLatestOperatorForSigningKey(operators[2].address), operators[2].address);

  // No key changes hands: a rotated-out key, another operator's key or address.
  for (const taken of [key1.address, key2.address, operators[2].address, ethers.ZeroAddress]) {
    const claimer = taken === key2.address ? operators[0] : operators[1];
    assert.equal(await revertName(as(claimer).setSigningKey(taken), iface), `SigningKeyTaken(${taken})`);
  }

  // Only an operator registers: a stranger cannot claim an operator's next key first
  // (front-running its registration), and the operator still registers it.
  const next = ethers.Wallet.createRandom();
  const outsider = wallet(7); // a funded dev account the owner gave no weight
  assert.equal(await revertName(as(outsider).setSigningKey(next.address), iface), `NotOperator(${outsider.address})`);
  await (await as(operators[2]).setSigningKey(next.address)).wait();
  assert.equal(await manager.getLatestOperatorForSigningKey(next.address), operators[2].address);
  await (await as(operators[2]).setSigningKey(operators[2].address)).wait();

  // What the aggregator reads (the adapter's operator-set): each operator's current key
  // with its weight.
  const [keys, weights] = await manager.getOperators();
  assert.deepEqual([...keys].sort(), [key1Next.address, key2.address, operators[2].address].sort());
  assert.deepEqual([...weights], [1n, 1n, 1n]);
});
