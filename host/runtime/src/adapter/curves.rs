//! The adapters' `curves` import: curve arithmetic in native code (`wavs-curves`), so an
//! adapter checks and aggregates signatures at native speed. Every call is charged fuel
//! by its cost, so leaning on the host does not let an adapter escape its limits.

use crate::bindings::curves_api::{Host, Scheme};
use crate::meter::cost;
use crate::state::HostState;
use wavs_curves::bn254;

type Answer<T> = wasmtime::Result<Result<T, String>>;

/// The error text a guest sees.
fn text<T>(r: Result<T, wavs_curves::CurveError>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl From<Scheme> for wavs_types::Scheme {
    fn from(s: Scheme) -> Self {
        match s {
            Scheme::Secp256k1Ecdsa => wavs_types::Scheme::Secp256k1Ecdsa,
            Scheme::Ed25519 => wavs_types::Scheme::Ed25519,
            Scheme::Bn254Bls => wavs_types::Scheme::Bn254Bls,
        }
    }
}

impl From<wavs_types::Scheme> for Scheme {
    fn from(s: wavs_types::Scheme) -> Self {
        match s {
            wavs_types::Scheme::Secp256k1Ecdsa => Scheme::Secp256k1Ecdsa,
            wavs_types::Scheme::Ed25519 => Scheme::Ed25519,
            wavs_types::Scheme::Bn254Bls => Scheme::Bn254Bls,
        }
    }
}

impl<D: Send> Host for HostState<D> {
    fn verify(&mut self, scheme: Scheme, digest: Vec<u8>, public_key: Vec<u8>, signature: Vec<u8>) -> Answer<bool> {
        self.meter.charge(digest.len() + public_key.len() + signature.len(), cost::curve(scheme, 1))?;
        let scheme = scheme.into();
        Ok(text(wavs_curves::verify(scheme, &digest, &public_key, &signature)))
    }

    fn secp256k1_recover(&mut self, digest: Vec<u8>, signature: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(digest.len() + signature.len(), cost::SCALAR_MUL)?;
        // libsecp256k1, the aggregator's fast path for ECDSA (signer.rs).
        Ok(crate::signer::recover_public_key(&digest, &signature).map_err(|e| e.to_string()))
    }

    fn aggregate_signatures(&mut self, scheme: Scheme, signatures: Vec<Vec<u8>>) -> Answer<Vec<u8>> {
        let bytes = signatures.iter().map(Vec::len).sum();
        self.meter.charge(bytes, cost::SCALAR_MUL / 10 * signatures.len() as u64)?;
        let parts: Vec<&[u8]> = signatures.iter().map(Vec::as_slice).collect();
        Ok(text(wavs_curves::aggregate_signatures(scheme.into(), &parts)))
    }

    fn aggregate_public_keys(&mut self, scheme: Scheme, public_keys: Vec<Vec<u8>>) -> Answer<Vec<u8>> {
        let bytes = public_keys.iter().map(Vec::len).sum();
        self.meter.charge(bytes, cost::SCALAR_MUL / 10 * public_keys.len() as u64)?;
        let parts: Vec<&[u8]> = public_keys.iter().map(Vec::as_slice).collect();
        Ok(text(wavs_curves::aggregate_public_keys(scheme.into(), &parts)))
    }

    fn bn254_g1_add(&mut self, a: Vec<u8>, b: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(a.len() + b.len(), cost::SCALAR_MUL / 10)?;
        Ok(text(bn254::g1_add(&a, &b).map(|p| p.to_vec())))
    }

    fn bn254_g1_mul(&mut self, point: Vec<u8>, scalar: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(point.len() + scalar.len(), cost::SCALAR_MUL)?;
        Ok(text(bn254::g1_mul(&point, &scalar).map(|p| p.to_vec())))
    }

    fn bn254_g1_neg(&mut self, a: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(a.len(), 0)?;
        Ok(text(bn254::g1_neg(&a).map(|p| p.to_vec())))
    }

    fn bn254_g2_add(&mut self, a: Vec<u8>, b: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(a.len() + b.len(), cost::SCALAR_MUL / 10)?;
        Ok(text(bn254::g2_add(&a, &b).map(|p| p.to_vec())))
    }

    fn bn254_hash_to_g1(&mut self, digest: Vec<u8>) -> Answer<Vec<u8>> {
        self.meter.charge(digest.len(), cost::SCALAR_MUL)?;
        let Ok(digest) = <[u8; 32]>::try_from(digest.as_slice()) else {
            return Ok(Err(format!("hash-to-g1 takes a 32-byte digest, got {} bytes", digest.len())));
        };
        Ok(Ok(bn254::hash_to_g1(&digest).to_vec()))
    }

    fn bn254_pairing_check(&mut self, pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Answer<bool> {
        let bytes = pairs.iter().map(|(a, b)| a.len() + b.len()).sum();
        self.meter.charge(bytes, cost::PAIRING.saturating_mul(pairs.len() as u64))?;
        let pairs: Vec<(&[u8], &[u8])> = pairs.iter().map(|(a, b)| (a.as_slice(), b.as_slice())).collect();
        Ok(text(bn254::pairing_check(&pairs)))
    }
}
