#!/usr/bin/env python3
"""Reference vectors for wavs-curves, computed by implementations independent of ours.

Run once by hand, from this folder, to (re)write the JSON files next to it:

    pip install --user py_ecc coincurve cryptography
    python3 generate.py

Rust tests (tests/vectors.rs) only read the JSON; CI needs no Python.

- secp256k1.json: coincurve (libsecp256k1). Keys from fixed scalars, RFC 6979
  signatures over fixed digests as r || s || recid (libsecp256k1 signs low-s).
- ed25519.json: `cryptography` (OpenSSL). RFC 8032 section 7.1 TEST 1-3; the script
  asserts the library reproduces the RFC's public keys and signatures.
- bn254.json: py_ecc.optimized_bn128. Points encoded as EIP-196/197 take them
  (G1 x || y, G2 x_im || x_re || y_im || y_re, 32-byte big-endian each, infinity as
  zeros); hash_to_g1 is try-and-increment in plain integers; the BLS secret key follows
  the crate's rule, sk = int(SHA-512("wavs/bn254-bls/sk/v1" || seed)) mod r, and its
  signatures are checked here with py_ecc's pairing.
"""

import hashlib
import json

import coincurve
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from py_ecc.optimized_bn128 import (
    FQ12,
    G1,
    G2,
    add,
    curve_order as R,
    field_modulus as P,
    final_exponentiate,
    multiply,
    neg,
    normalize,
    pairing,
    Z1,
)


def write(name, data):
    with open(name, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def h(b):
    return b.hex()


# ---------------------------------------------------------------- secp256k1

def secp256k1_vectors():
    out = []
    cases = [
        (1, b"\x00" * 32),
        (0xC0FFEE, hashlib.sha256(b"wavs curves vector 1").digest()),
        (int.from_bytes(hashlib.sha256(b"wavs secp256k1 key").digest(), "big"),
         hashlib.sha256(b"wavs curves vector 2").digest()),
    ]
    for scalar, digest in cases:
        seed = scalar.to_bytes(32, "big")
        key = coincurve.PrivateKey(seed)
        sig = key.sign_recoverable(digest, hasher=None)
        assert coincurve.PublicKey.from_signature_and_message(sig, digest, hasher=None).format() == key.public_key.format()
        out.append({
            "seed": h(seed),
            "digest": h(digest),
            "public_key": h(key.public_key.format(compressed=True)),
            "public_key_uncompressed": h(key.public_key.format(compressed=False)),
            "signature": h(sig),
        })
    return out


# ---------------------------------------------------------------- ed25519

RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
     "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


def ed25519_vectors():
    out = []
    for secret, rfc_public, message, rfc_signature in RFC8032:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        signature = key.sign(bytes.fromhex(message))
        assert h(public) == rfc_public, "library disagrees with RFC 8032 public key"
        assert h(signature) == rfc_signature, "library disagrees with RFC 8032 signature"
        out.append({"seed": secret, "message": message, "public_key": h(public), "signature": h(signature)})
    return out


# ---------------------------------------------------------------- bn254

def fe(n):
    return int(n).to_bytes(32, "big")


def g1_bytes(pt):
    if pt == Z1 or pt[2] == 0:
        return "00" * 64
    x, y = normalize(pt)
    return h(fe(x.n) + fe(y.n))


def g2_bytes(pt):
    if pt[2] == pt[2].zero():
        return "00" * 128
    x, y = normalize(pt)
    return h(fe(x.coeffs[1]) + fe(x.coeffs[0]) + fe(y.coeffs[1]) + fe(y.coeffs[0]))


def pairing_product_is_one(pairs):
    """pairs of (G1, G2) points; py_ecc's pairing takes (G2, G1)."""
    acc = FQ12.one()
    for g1, g2 in pairs:
        acc = acc * pairing(g2, g1, final_exponentiate=False)
    return final_exponentiate(acc) == FQ12.one()


def hash_to_g1_int(digest):
    x = int.from_bytes(digest, "big") % P
    while True:
        beta = (pow(x, 3, P) + 3) % P
        y = pow(beta, (P + 1) // 4, P)
        if y * y % P == beta:
            return x, y
        x = (x + 1) % P


def hash_point(digest):
    from py_ecc.optimized_bn128 import FQ
    x, y = hash_to_g1_int(digest)
    return (FQ(x), FQ(y), FQ(1))


def bn254_vectors():
    a, b = 0x1234567, 0xABCDEF0123
    pa = multiply(G1, a)
    pb = multiply(G1, b)
    qa = multiply(G2, a)

    adds = [
        {"a": g1_bytes(G1), "b": g1_bytes(G1), "sum": g1_bytes(add(G1, G1))},
        {"a": g1_bytes(pa), "b": g1_bytes(pb), "sum": g1_bytes(add(pa, pb))},
        {"a": g1_bytes(pa), "b": g1_bytes(neg(pa)), "sum": g1_bytes(Z1)},
        {"a": g1_bytes(Z1), "b": g1_bytes(pb), "sum": g1_bytes(pb)},
    ]
    muls = []
    for point, scalar in [(G1, 2), (pa, b), (pb, R + 5), (pa, 2**256 - 1), (pb, R)]:
        muls.append({"point": g1_bytes(point), "scalar": h(fe(scalar)), "product": g1_bytes(multiply(point, scalar % R))})

    ab = a * b % R
    true_pairs = [(pa, multiply(G2, b)), (neg(multiply(G1, ab)), G2)]
    false_pairs = [(pa, multiply(G2, b)), (neg(multiply(G1, ab + 1)), G2)]
    assert pairing_product_is_one(true_pairs)
    assert not pairing_product_is_one(false_pairs)
    pairings = [
        {"pairs": [[g1_bytes(p), g2_bytes(q)] for p, q in true_pairs], "result": True},
        {"pairs": [[g1_bytes(p), g2_bytes(q)] for p, q in false_pairs], "result": False},
        {"pairs": [[g1_bytes(pa), g2_bytes(G2)], [g1_bytes(G1), g2_bytes(neg(qa))]], "result": True},
        {"pairs": [], "result": True},
    ]

    digests = [b"\x00" * 32, b"\xff" * 32, hashlib.sha256(b"wavs hash_to_g1 1").digest(),
               hashlib.sha256(b"wavs hash_to_g1 2").digest()]
    hashes = []
    for d in digests:
        x, y = hash_to_g1_int(d)
        assert (y * y - x * x * x - 3) % P == 0
        hashes.append({"digest": h(d), "point": h(fe(x) + fe(y))})

    seed = bytes(range(32))
    sk = int.from_bytes(hashlib.sha512(b"wavs/bn254-bls/sk/v1" + seed).digest(), "big") % R
    pk1, pk2 = multiply(G1, sk), multiply(G2, sk)
    public_key = bytes.fromhex(g1_bytes(pk1) + g2_bytes(pk2))
    digest = hashlib.sha256(b"wavs bls vector").digest()
    sig = multiply(hash_point(digest), sk)
    assert pairing_product_is_one([(sig, neg(G2)), (hash_point(digest), pk2)])
    pop_digest = hashlib.sha256(b"wavs/bn254-bls/pop/v1" + public_key).digest()
    pop = multiply(hash_point(pop_digest), sk)
    assert pairing_product_is_one([(pop, neg(G2)), (hash_point(pop_digest), pk2)])
    bls = {
        "seed": h(seed),
        "secret_key": h(fe(sk)),
        "public_key": h(public_key),
        "digest": h(digest),
        "signature": g1_bytes(sig),
        "pop_digest": h(pop_digest),
        "pop": g1_bytes(pop),
    }

    return {
        "g1_generator": g1_bytes(G1),
        "g2_generator": g2_bytes(G2),
        "g1_add": adds,
        "g1_mul": muls,
        "pairing_check": pairings,
        "hash_to_g1": hashes,
        "bls": bls,
    }


if __name__ == "__main__":
    write("secp256k1.json", secp256k1_vectors())
    write("ed25519.json", ed25519_vectors())
    write("bn254.json", bn254_vectors())
