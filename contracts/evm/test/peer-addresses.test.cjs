// Peer addresses on both reference managers, against a real anvil: an operator publishes its
// node's p2p address (`wavs p2p announce`) and updates it, and nodes read the addresses of the
// operators that currently have weight. A non-operator and an over-long address are refused
// by name, and the honest operators' addresses stay as they were.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { wallet, startAnvil, service, revertName } = require('../test-support/chain.cjs');
const { blsService } = require('../test-support/bls.cjs');

let chain;
let deployer;
const operators = [2, 3, 4].map(wallet);
const outsider = wallet(7); // a funded dev account the owner gave no weight

before(async () => {
  chain = await startAnvil();
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

/** Each scheme's manager with `operators` weighed 1, and how the owner sets a weight. */
const managers = {
  ecdsa: async () => {
    const { manager } = await service(deployer, operators, 2);
    return { manager, weigh: (op, w) => manager.setOperator(op.address, w) };
  },
  bls: async () => {
    const { manager } = await blsService(deployer, [], 2);
    const weigh = (op, w) => manager.setOperatorWeight(op.address, w);
    for (const op of operators) await (await weigh(op, 1)).wait();
    return { manager, weigh };
  },
};

/** The addresses of the PeerAddressUpdated events in `receipt`, with their operator. */
const updates = (manager, receipt) => receipt.logs
  .map((l) => manager.interface.parseLog(l))
  .filter((l) => l?.name === 'PeerAddressUpdated')
  .map((l) => [l.args.operator, l.args.peerAddress]);

const addr = (i) => `/ip4/10.0.0.${i}/tcp/9700/p2p/12D3KooWPeer${i}`;

for (const [scheme, deployManager] of Object.entries(managers)) {
  test(`${scheme} manager: operators publish and update their peer addresses; a weight of 0 drops one out`, async () => {
    const { manager, weigh } = await deployManager();
    const as = (w) => manager.connect(w.connect(chain.provider));
    assert.deepEqual([...await manager.peerAddresses()], []);

    const receipt = await (await as(operators[0]).setPeerAddress(addr(1))).wait();
    assert.deepEqual(updates(manager, receipt), [[operators[0].address, addr(1)]]);
    await (await as(operators[1]).setPeerAddress(addr(2))).wait();
    assert.deepEqual([...await manager.peerAddresses()].sort(), [addr(1), addr(2)]);

    // An update replaces the operator's address; it is listed once.
    await (await as(operators[0]).setPeerAddress(addr(11))).wait();
    assert.deepEqual([...await manager.peerAddresses()].sort(), [addr(11), addr(2)]);

    // An operator the owner sets to weight 0 is no longer listed, and comes back with weight.
    await (await weigh(operators[1], 0)).wait();
    assert.deepEqual([...await manager.peerAddresses()], [addr(11)]);
    await (await weigh(operators[1], 1)).wait();
    assert.deepEqual([...await manager.peerAddresses()].sort(), [addr(11), addr(2)]);

    // An empty address withdraws it.
    await (await as(operators[0]).setPeerAddress('')).wait();
    assert.deepEqual([...await manager.peerAddresses()], [addr(2)]);
  });

  test(`${scheme} manager: a non-operator and an over-long address are refused; operators still publish`, async () => {
    const { manager, weigh } = await deployManager();
    const as = (w) => manager.connect(w.connect(chain.provider));
    const iface = manager.interface;
    await (await as(operators[0]).setPeerAddress(addr(1))).wait();

    assert.equal(await revertName(as(outsider).setPeerAddress(addr(66)), iface), `NotOperator(${outsider.address})`);
    // An operator set to weight 0 is refused like any non-operator.
    await (await weigh(operators[2], 0)).wait();
    assert.equal(await revertName(as(operators[2]).setPeerAddress(addr(67)), iface), `NotOperator(${operators[2].address})`);

    const max = Number(await manager.MAX_PEER_ADDRESS_BYTES());
    assert.equal(max, 256);
    assert.equal(await revertName(as(operators[1]).setPeerAddress('x'.repeat(max + 1)), iface), `PeerAddressTooLong(${max + 1},${max})`);
    assert.deepEqual([...await manager.peerAddresses()], [addr(1)]);

    // Exactly the bound is accepted, and the honest operator's address is unchanged.
    await (await as(operators[1]).setPeerAddress('x'.repeat(max))).wait();
    assert.deepEqual([...await manager.peerAddresses()].sort(), [addr(1), 'x'.repeat(max)]);
  });
}
