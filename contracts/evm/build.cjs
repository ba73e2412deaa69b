// Compiles contracts/evm/src with solc-js and writes contracts/evm/artifacts/<Name>.json
// ({contractName, abi, bytecode, deployedBytecode}). With --check, compiles to memory
// and fails if the committed artifacts differ.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = __dirname;
const srcDir = path.join(root, 'src');
const outDir = path.join(root, 'artifacts');
const deployable = ['WavsServiceManager', 'WavsServiceHandler', 'WavsTrigger', 'WavsBlsServiceManager', 'WavsBlsServiceHandler'];

const sources = {};
for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(srcDir, file), 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    metadata: { bytecodeHash: 'none', appendCBOR: false },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

const artifacts = {};
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (!deployable.includes(name)) continue;
    artifacts[name] = JSON.stringify({
      contractName: name,
      compiler: `solc-js ${solc.version()}`,
      source: `src/${file}`,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    }, null, 2) + '\n';
  }
}
const check = process.argv.includes('--check');
let stale = [];
if (!check) fs.mkdirSync(outDir, { recursive: true });
for (const name of deployable) {
  if (!artifacts[name]) { console.error(`contract ${name} not found in sources`); process.exit(1); }
  const file = path.join(outDir, `${name}.json`);
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== artifacts[name]) stale.push(name);
  } else {
    fs.writeFileSync(file, artifacts[name]);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${(artifacts[name].length / 1024).toFixed(1)} KiB)`);
  }
}
if (stale.length) {
  console.error(`artifacts are stale for ${stale.join(', ')}: run scripts/build-contracts.sh and commit contracts/evm/artifacts`);
  process.exit(1);
}
if (check) console.log('contract artifacts are up to date');
