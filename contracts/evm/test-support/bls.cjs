// BN254 BLS for the contract tests, on @noble/curves' field and group arithmetic — an
// implementation independent of the contracts and of the host's Rust crate, so the tests
// pin down the conventions both must follow: hash_to_g1 by try-and-increment, G2 points in
// EIP-197 order (imaginary part first), the proof-of-possession digest, operator ids.
'use strict';
const { bn254 } = require('@noble/curves/bn254');
const { ethers } = require('ethers');
const { deploy } = require('./chain.cjs');

const Fp = bn254.fields.Fp;
const G1 = bn254.G1.ProjectivePoint;
const G2 = bn254.G2.ProjectivePoint;
/** The base field modulus p. */
const P = Fp.ORDER;
const SQRT_EXPONENT = (P + 1n) / 4n;
const POP_TAG = 'wavs/bn254-bls/pop/v1';

/** k·point, variable time (fast for the small test secrets; nothing here is secret). */
const mul = (point, k) => point.multiplyUnsafe(BigInt(k));

/** hash_to_g1: x = digest mod p, then x + 1 until x³ + 3 is a square; y = (x³ + 3)^((p+1)/4). */
function hashToG1(digest) {
  let x = BigInt(digest) % P;
  for (;;) {
    const beta = Fp.add(Fp.mul(Fp.sqr(x), x), 3n);
    const y = Fp.pow(beta, SQRT_EXPONENT);
    if (Fp.eql(Fp.sqr(y), beta)) return G1.fromAffine({ x, y });
    x = Fp.add(x, 1n);
  }
}

/** A G1 point as the contracts' G1Point {X, Y}; infinity is (0, 0). */
function g1(point) {
  if (point.is0()) return { X: 0n, Y: 0n };
  const { x, y } = point.toAffine();
  return { X: x, Y: y };
}

/** A G2 point as the contracts' G2Point, EIP-197 order: X = [imaginary, real]. */
function g2(point) {
  const { x, y } = point.toAffine();
  return { X: [x.c1, x.c0], Y: [y.c1, y.c0] };
}

/** The words of a G1Point or G2Point, in the order the contracts hash them. */
const words = (point) => (Array.isArray(point.X) ? [...point.X, ...point.Y] : [point.X, point.Y]);

/** sha256(tag ‖ pk1 (64 bytes) ‖ pk2 (128 bytes, EIP-197 order)). */
function popDigest(pk1, pk2) {
  const packed = [...words(pk1), ...words(pk2)].map((w) => ethers.toBeHex(w, 32));
  return ethers.sha256(ethers.concat([ethers.toUtf8Bytes(POP_TAG), ...packed]));
}

/** keccak256(pk1.X ‖ pk1.Y), the operator's id on EVM. */
const operatorId = (pk1) => ethers.solidityPackedKeccak256(['uint256', 'uint256'], [pk1.X, pk1.Y]);

/** The key pair of secret `sk`: pk1 = sk·G1, pk2 = sk·G2 (encoded), and its PoP. */
function keyPair(sk) {
  const secret = BigInt(sk);
  const pk1 = g1(mul(G1.BASE, secret));
  const pk2 = g2(mul(G2.BASE, secret));
  return { sk: secret, pk1, pk2, pop: g1(mul(hashToG1(popDigest(pk1, pk2)), secret)), id: operatorId(pk1) };
}

/** σ = sk·hash_to_g1(digest) as a noble point. */
const signPoint = (key, digest) => mul(hashToG1(digest), key.sk);

/** Σ of noble points (infinity for none). */
const sum = (points) => points.reduce((a, b) => a.add(b), G1.ZERO);

/** The encoded sum of the keys' pk2. */
const apkG2Of = (keys) => g2(keys.map((k) => mul(G2.BASE, k.sk)).reduce((a, b) => a.add(b)));

/** The encoded sum of the keys' pk1. */
const apkOf = (keys) => g1(sum(keys.map((k) => mul(G1.BASE, k.sk))));

/** A BLS manager over `keys` (weight 1 each, PoPs checked) with `threshold`, and a handler. */
async function blsService(signer, keys, threshold = 2) {
  const manager = await deploy(signer, 'WavsBlsServiceManager',
    keys.map((k) => k.pk1), keys.map((k) => k.pk2), keys.map((k) => k.pop), keys.map(() => 1), threshold);
  const handler = await deploy(signer, 'WavsBlsServiceHandler', await manager.getAddress());
  return { manager, handler };
}

/**
 * What handleSignedEnvelopes takes besides the envelopes, for `digests` signed by `signers`:
 * each σ the sum of the signers' own signatures, apkG2 the sum of their pk2, and the indices
 * of the manager's other operators (read from getOperators(), ascending).
 */
async function blsSubmission(manager, digests, signers) {
  const ids = [...(await manager.getOperators())[0]];
  const signing = new Set(signers.map((k) => k.id));
  const nonSignerIndices = ids.flatMap((id, i) => (signing.has(id) ? [] : [i]));
  const sigmas = digests.map((d) => g1(sum(signers.map((k) => signPoint(k, d)))));
  return { sigmas, apkG2: apkG2Of(signers), nonSignerIndices };
}

module.exports = { P, mul, hashToG1, g1, g2, popDigest, operatorId, keyPair, signPoint, apkOf, apkG2Of, blsService, blsSubmission };
