//! What the host import costs: one `verify` per scheme, and aggregating 30 BLS
//! signatures (a quorum's worth) as the aggregator does.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use wavs_curves::{Keypair, Scheme, aggregate_signatures, verify};

fn seed(i: u8) -> [u8; 32] {
    [i.wrapping_add(1); 32]
}

fn bench_verify(c: &mut Criterion) {
    let digest = [0x42u8; 32];
    for scheme in Scheme::ALL {
        let key = Keypair::from_seed(scheme, &seed(0)).unwrap();
        let (public_key, signature) = (key.public_key(), key.sign(&digest).unwrap());
        c.bench_function(&format!("verify/{scheme}"), |b| {
            b.iter(|| assert!(verify(scheme, black_box(&digest), &public_key, &signature).unwrap()))
        });
        if scheme == Scheme::Secp256k1Ecdsa {
            // Without v: a plain verify instead of a recovery (which checks v too).
            c.bench_function("verify/secp256k1-ecdsa/64-byte", |b| {
                b.iter(|| assert!(verify(scheme, black_box(&digest), &public_key, &signature[..64]).unwrap()))
            });
        }
    }
}

fn bench_aggregate(c: &mut Criterion) {
    let digest = [0x42u8; 32];
    let signatures: Vec<Vec<u8>> = (0..30)
        .map(|i| Keypair::from_seed(Scheme::Bn254Bls, &seed(i)).unwrap().sign(&digest).unwrap())
        .collect();
    let slices: Vec<&[u8]> = signatures.iter().map(Vec::as_slice).collect();
    c.bench_function("aggregate_signatures/bn254-bls/30", |b| {
        b.iter(|| aggregate_signatures(Scheme::Bn254Bls, black_box(&slices)).unwrap())
    });
}

criterion_group!(benches, bench_verify, bench_aggregate);
criterion_main!(benches);
