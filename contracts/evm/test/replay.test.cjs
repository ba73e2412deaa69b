// Replay attacks (issue 11): a landed envelope's signatures, copied byte for byte from the
// handler transaction's calldata and sent by an unrelated account to another destination,
// are refused on chain there; and each time an honest envelope signed for that destination
// still lands. Real anvils throughout: the cross-chain cases run a second anvil with
// another chain id, and a fork of the first under another chain id.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ethers } = require('ethers');
const { wallet, startAnvil, deploy, service, envelope, signFor, revertName } = require('../test-support/chain.cjs');

const operators = [2, 3, 4].map(wallet);
const chains = [];
let home;

before(async () => { home = await startAnvil({ chainId: 31337 }); chains.push(home); });
after(() => { for (const c of chains) c.stop(); });

/** Lands `env` on `handler` (signed for it) and returns the landed transaction's calldata. */
async function land(chain, handler, env) {
  const submitter = wallet(1).connect(chain.provider);
  const data = await signFor(chain.chainId, await handler.getAddress(), env, operators);
  const receipt = await (await handler.connect(submitter).handleSignedEnvelopes([env], [data])).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await handler.payloadOf(env.eventId), env.payload);
  return (await chain.provider.getTransaction(receipt.hash)).data;
}

/**
 * Sends `calldata` to `target` from an unrelated account. Returns the error a call names
 * and the status of the mined transaction (sent with a fixed gas limit so it is mined even
 * though it reverts).
 */
async function replay(chain, target, calldata, iface) {
  const attacker = wallet(8).connect(chain.provider);
  const to = await target.getAddress();
  const reason = await revertName(attacker.call({ to, data: calldata }), iface);
  const sent = await attacker.sendTransaction({ to, data: calldata, gasLimit: 1_000_000 });
  const receipt = await chain.provider.waitForTransaction(sent.hash);
  return { reason, status: receipt.status };
}

/** Asserts `env` is not handled by `handler`, then lands it there with signatures for it. */
async function honestLands(chain, handler, env) {
  assert.equal(await handler.isHandled(env.eventId), false, 'the replay stored nothing');
  await land(chain, handler, env);
  assert.equal(await handler.handledCount(), 1n);
}

test('(a) a second handler on the same manager refuses the signatures', async () => {
  const deployer = wallet(0).connect(home.provider);
  const { manager, handler } = await service(deployer, operators, 2);
  const second = await deploy(deployer, 'WavsServiceHandler', await manager.getAddress());
  const env = envelope(100, '0xa1');
  const calldata = await land(home, handler, env);

  assert.deepEqual(await replay(home, second, calldata, manager.interface), { reason: 'InvalidSignature(0)', status: 0 });
  await honestLands(home, second, env);
});

test('(b) a handler on another manager with the same operators refuses the signatures', async () => {
  const deployer = wallet(0).connect(home.provider);
  const { handler } = await service(deployer, operators, 2);
  const other = await service(deployer, operators, 2);
  const env = envelope(200, '0xb1');
  const calldata = await land(home, handler, env);

  assert.deepEqual(await replay(home, other.handler, calldata, other.manager.interface), { reason: 'InvalidSignature(0)', status: 0 });
  await honestLands(home, other.handler, env);
});

test('(c) the same contracts at the same addresses on another chain refuse the signatures', async () => {
  const away = await startAnvil({ chainId: 31338 });
  chains.push(away);
  // A deployer with nonce 0 on both chains deploys to the same addresses on both, so the
  // chain id is the only thing that tells the two destinations apart.
  const mine = await service(wallet(7).connect(home.provider), operators, 2);
  const theirs = await service(wallet(7).connect(away.provider), operators, 2);
  assert.equal(await theirs.handler.getAddress(), await mine.handler.getAddress());
  assert.equal(await theirs.manager.getAddress(), await mine.manager.getAddress());

  const env = envelope(300, '0xc1');
  const calldata = await land(home, mine.handler, env);
  assert.deepEqual(await replay(away, theirs.handler, calldata, theirs.manager.interface), { reason: 'InvalidSignature(0)', status: 0 });
  await honestLands(away, theirs.handler, env);
});

test('a fork under another chain id rebuilds the domain and refuses the original chain\'s signatures', async () => {
  const deployer = wallet(0).connect(home.provider);
  const { manager, handler } = await service(deployer, operators, 2);
  const address = await handler.getAddress();
  const env = envelope(400, '0xd1');
  // Signed for the original chain but not yet landed there when the fork is taken.
  const forOrigin = await signFor(31337, address, env, operators);
  const calldata = handler.interface.encodeFunctionData('handleSignedEnvelopes', [[env], [forOrigin]]);

  const fork = await startAnvil({ chainId: 31339, forkUrl: home.url });
  chains.push(fork);
  const forked = handler.connect(fork.provider);
  assert.equal((await forked.eip712Domain())[3], 31339n);
  assert.notEqual(await forked.envelopeDigest(env), await handler.envelopeDigest(env));
  assert.deepEqual(await replay(fork, forked, calldata, manager.interface), { reason: 'InvalidSignature(0)', status: 0 });
  await honestLands(fork, forked, env);

  // The original chain still accepts what was signed for it.
  const sent = await wallet(1).connect(home.provider).sendTransaction({ to: address, data: calldata });
  assert.equal((await sent.wait()).status, 1);
  assert.equal(await handler.payloadOf(env.eventId), '0xd1');
});

test('a landed signature spliced beside an honest one is still refused', async () => {
  // One operator signs honestly for the second handler; the attacker adds another
  // operator's signature copied from the landed transaction to reach the quorum.
  const deployer = wallet(0).connect(home.provider);
  const { manager, handler } = await service(deployer, operators, 2);
  const second = await deploy(deployer, 'WavsServiceHandler', await manager.getAddress());
  const env = envelope(500, '0xe1');
  const calldata = await land(home, handler, env);
  const [, [landed]] = handler.interface.decodeFunctionData('handleSignedEnvelopes', calldata);
  const own = await signFor(31337, await second.getAddress(), env, [operators[0]]);
  const copied = landed.signers.findIndex((s) => s !== operators[0].address);
  const pairs = [[own.signers[0], own.signatures[0]], [landed.signers[copied], landed.signatures[copied]]]
    .sort((x, y) => (BigInt(x[0]) < BigInt(y[0]) ? -1 : 1));
  const spliced = { signers: pairs.map((p) => p[0]), signatures: pairs.map((p) => p[1]), referenceBlock: 0 };
  const at = pairs.findIndex((p) => p[0] === landed.signers[copied]);
  const attempt = second.connect(wallet(8).connect(home.provider)).handleSignedEnvelopes([env], [spliced]);
  assert.equal(await revertName(attempt, manager.interface), `InvalidSignature(${at})`);
  await honestLands(home, second, env);
});
