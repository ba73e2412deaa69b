//! Host bindings generated from the published WIT in `wit/`.

/// The chain-adapter world with every optional interface (testing, blocks, services,
/// signing-keys, peers);
/// the host finds which of them each adapter exports when loading it.
pub mod adapter_world {
    wasmtime::component::bindgen!({
        path: "../../wit/adapter",
        world: "chain-adapter-full",
        exports: { default: async },
        // Every import may trap: that is how a host call stops a guest past its deadline
        // or out of fuel (`meter.rs`).
        imports: { default: trappable },
        // No serde derives: the node stores trigger data in types of its own
        // (`host/node/src/job/stored.rs`), so the WIT can change without the disk format.
    });
}

/// The service world; shares the `wavs:types` bindings with the adapter world.
pub mod service_world {
    wasmtime::component::bindgen!({
        path: "../../wit/service",
        world: "service",
        exports: { default: async },
        // The key-value store touches disk: its calls run on blocking threads, so the
        // import is async on the host side (the guest still sees a plain call).
        imports: { "wavs:service/kv": async | trappable, default: trappable },
        with: { "wavs:types": super::adapter_world::wavs::types },
    });
}

pub use adapter_world::exports::wavs::adapter::adapter as adapter_api;
pub use adapter_world::exports::wavs::adapter::testing as testing_api;
pub use adapter_world::exports::wavs::adapter::services as services_api;
pub use adapter_world::exports::wavs::adapter::blocks as blocks_api;
pub use adapter_world::exports::wavs::adapter::signing_keys as signing_keys_api;
pub use adapter_world::exports::wavs::adapter::peers as peers_api;
pub use adapter_world::wavs::adapter::curves as curves_api;
pub use adapter_world::wavs::types::types as wit_types;

impl adapter_api::Signature {
    /// A secp256k1 ECDSA signature (`r || s || recovery-id`) by `public_key` (SEC1;
    /// may be empty, as the signature yields it).
    pub fn ecdsa(public_key: Vec<u8>, bytes: Vec<u8>) -> Self {
        adapter_api::Signature { scheme: curves_api::Scheme::Secp256k1Ecdsa, public_key, bytes }
    }
}
