// The service URI both reference managers hold, against a real anvil: the owner sets it and
// reads it back with its event; anyone else, and a URI over the bound, is refused by name.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { wallet, startAnvil, service, revertName } = require('../test-support/chain.cjs');
const { keyPair, blsService } = require('../test-support/bls.cjs');

let chain;
let deployer;

before(async () => {
  chain = await startAnvil();
  deployer = wallet(0).connect(chain.provider);
});

after(() => chain?.stop());

const managers = {
  ecdsa: async () => (await service(deployer, [2, 3].map(wallet), 1)).manager,
  bls: async () => (await blsService(deployer, [11, 12].map(keyPair), 1)).manager,
};

/** The URIs of the ServiceURIUpdated events in `receipt`. */
const updates = (manager, receipt) =>
  receipt.logs.map((l) => manager.interface.parseLog(l)).filter((l) => l?.name === 'ServiceURIUpdated').map((l) => l.args.uri);

for (const [scheme, deployManager] of Object.entries(managers)) {
  test(`${scheme} manager: the owner sets the service URI, reads it back and every change is an event`, async () => {
    const manager = await deployManager();
    assert.equal(await manager.serviceURI(), '');
    for (const uri of ['ipfs://bafy-service-v1', 'https://example.com/service-v2.json', '']) {
      const receipt = await (await manager.setServiceURI(uri)).wait();
      assert.deepEqual(updates(manager, receipt), [uri]);
      assert.equal(await manager.serviceURI(), uri);
    }
  });

  test(`${scheme} manager: a stranger and an over-long URI are refused, leaving the URI as it was`, async () => {
    const manager = await deployManager();
    await (await manager.setServiceURI('ipfs://kept')).wait();
    const stranger = manager.connect(wallet(5).connect(chain.provider));
    assert.equal(await revertName(stranger.setServiceURI('ipfs://hijack'), manager.interface), 'NotOwner()');
    const max = Number(await manager.MAX_SERVICE_URI_BYTES());
    assert.equal(max, 2048);
    assert.equal(await revertName(manager.setServiceURI('x'.repeat(max + 1)), manager.interface), `ServiceURITooLong(${max + 1},${max})`);
    assert.equal(await manager.serviceURI(), 'ipfs://kept');
    // Exactly the bound is accepted.
    await (await manager.setServiceURI('x'.repeat(max))).wait();
    assert.equal((await manager.serviceURI()).length, max);
  });
}
