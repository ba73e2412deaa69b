// Shared by the contract tests (kept outside test/, where node --test would run it as a
// test file): real anvil processes, deployments from the committed artifacts, and
// operator signatures made by ethers' own EIP-712 signer — an implementation independent
// of the WAVS adapter, so the tests also pin down the digest the adapter must produce.
'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { ethers } = require('ethers');

const root = path.join(__dirname, '..', '..', '..');
const MNEMONIC = 'test test test test test test test test test test test junk';

/** An anvil dev account (funded on every anvil started here). */
const wallet = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);

/** The compiled artifact of a deployable contract. */
const artifact = (name) => require(path.join(__dirname, '..', 'artifacts', `${name}.json`));

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts an anvil with `chainId` (forking `forkUrl` when given) and waits until it answers.
 * Returns { url, provider, chainId, stop }.
 */
async function startAnvil({ chainId = 31337, forkUrl } = {}) {
  const port = await freePort();
  const bin = path.join(root, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
  const args = ['--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (forkUrl) args.push('--fork-url', forkUrl);
  const proc = spawn(bin, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  // cacheTimeout -1: the default 250 ms cache would hand a wallet a stale nonce between txs.
  const provider = new ethers.JsonRpcProvider(url, undefined, {
    staticNetwork: ethers.Network.from(chainId), polling: true, pollingInterval: 50, cacheTimeout: -1,
  });
  for (let i = 0; ; i++) {
    try { await provider.getBlockNumber(); break; } catch (e) {
      if (i > 100) { proc.kill(); throw e; }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () => { provider.destroy(); proc.kill(); };
  return { url, provider, chainId, stop };
}

/** Deploys artifact `name` from `signer` with constructor `args`. */
async function deploy(signer, name, ...args) {
  const a = artifact(name);
  const contract = await new ethers.ContractFactory(a.abi, a.bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

/** A manager over `operators` (weight 1 each) with `threshold`, and a handler bound to it. */
async function service(signer, operators, threshold = 2) {
  const manager = await deploy(signer, 'WavsServiceManager', operators.map((w) => w.address), operators.map(() => 1), threshold);
  const handler = await deploy(signer, 'WavsServiceHandler', await manager.getAddress());
  return { manager, handler };
}

/** An envelope with a numeric event id. */
const envelope = (id, payload = '0x2a') => ({
  eventId: ethers.zeroPadValue(ethers.toBeHex(id), 20), ordering: ethers.zeroPadValue('0x', 12), payload,
});

/** The EIP-712 types of an envelope, as the handler declares them. */
const ENVELOPE_TYPES = {
  Envelope: [
    { name: 'eventId', type: 'bytes20' },
    { name: 'ordering', type: 'bytes12' },
    { name: 'payload', type: 'bytes' },
  ],
};

/** The EIP-712 domain of the handler at `handler` on chain `chainId`. */
const domainOf = (chainId, handler) => ({ name: 'WAVS', version: '2', chainId, verifyingContract: handler });

/** The digest operators sign for `env` handled by `handler` on `chainId`. */
const digestOf = (chainId, handler, env) => ethers.TypedDataEncoder.hash(domainOf(chainId, handler), ENVELOPE_TYPES, env);

/** SignatureData for `env` by `signers`, signed for `handler` on `chainId`, signers sorted. */
async function signFor(chainId, handler, env, signers) {
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const signatures = [];
  for (const s of sorted) signatures.push(await s.signTypedData(domainOf(chainId, handler), ENVELOPE_TYPES, env));
  return { signers: sorted.map((s) => s.address), signatures, referenceBlock: 0 };
}

/** `Name(args)` of the custom error `promise` reverted with, decoded with `iface`. */
async function revertName(promise, iface) {
  try { await promise; } catch (e) {
    const data = e.data ?? e.info?.error?.data;
    const parsed = iface.parseError(data);
    if (!parsed) throw e;
    return `${parsed.name}(${parsed.args.join(',')})`;
  }
  return 'no revert';
}

module.exports = {
  MNEMONIC, wallet, artifact, startAnvil, deploy, service, envelope, ENVELOPE_TYPES, domainOf, digestOf, signFor, revertName,
};
