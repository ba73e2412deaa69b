//! End-to-end for a BLS (bn254) service on anvil: three operator nodes registered in the
//! BLS manager with their keys and proofs of possession (from `wavs keys`), quorum 2 of 3,
//! the aggregator packing each batch as one aggregate signature per envelope. Needs
//! `scripts/build-guests.sh`, `cargo build --workspace` and anvil.

use wavs_devnet::DevnetOptions;
use wavs_devnet::quorum::{lands_with_quorum_and_not_without_it, square_devnet};
use wavs_types::Scheme;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bls_results_land_with_quorum_and_not_without_it() {
    let mut devnet = square_devnet(DevnetOptions { scheme: Scheme::Bn254Bls, ..DevnetOptions::default() }).await;
    lands_with_quorum_and_not_without_it(&mut devnet).await;
}
