//! The WAVS starter chain adapter: the smallest honest adapter, for a chain team to copy
//! and fill in. It loads, describes itself and opens connections; every chain-specific
//! method answers `unsupported` until its step of `adapters/README.md` is done.

pub mod connection;

/// Bindings for the adapter world.
pub mod bindings {
    // Step 10 (optional): switch to world "chain-adapter-with-testing" and implement
    // `exports::wavs::adapter::testing::Guest`, as adapters/evm/src/lib.rs does.
    // Step 11 (optional): world "chain-adapter-with-services" (or "chain-adapter-full" for
    // both) and `exports::wavs::adapter::services::Guest`, for services defined on chain.
    wit_bindgen::generate!({
        path: "../../wit/adapter",
        world: "chain-adapter",
        generate_all,
        pub_export_macro: true,
    });
}

use bindings::exports::wavs::adapter::adapter::{Description, Guest, Scheme};

/// The adapter.
pub struct StarterAdapter;

impl Guest for StarterAdapter {
    type Connection = connection::Connection;

    fn describe() -> Description {
        Description {
            // TODO(step 1): rename the family (what operators write as `family = "..."`)
            // and the name.
            family: "starter".into(),
            name: "WAVS starter adapter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            trigger_kinds: connection::TRIGGER_KINDS.iter().map(|k| k.to_string()).collect(),
            // TODO(step 6): the schemes your chain's service managers verify (see `curves`
            // in wit/adapter/curves.wit); keep secp256k1-ecdsa if they check ECDSA.
            schemes: vec![Scheme::Secp256k1Ecdsa],
        }
    }
}

bindings::export!(StarterAdapter with_types_in bindings);
