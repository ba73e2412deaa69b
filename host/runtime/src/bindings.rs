//! Host bindings generated from the published WIT in `wit/`.

/// The chain-adapter world (with its optional testing interface).
pub mod adapter_world {
    wasmtime::component::bindgen!({
        path: "../../wit/adapter",
        world: "chain-adapter-with-testing",
        exports: { default: async },
        // The node persists trigger data and events in its store.
        additional_derives: [serde::Serialize, serde::Deserialize],
    });
}

/// The service world; shares the `wavs:types` bindings with the adapter world.
pub mod service_world {
    wasmtime::component::bindgen!({
        path: "../../wit/service",
        world: "service",
        exports: { default: async },
        with: { "wavs:types": super::adapter_world::wavs::types },
    });
}

pub use adapter_world::exports::wavs::adapter::adapter as adapter_api;
pub use adapter_world::exports::wavs::adapter::testing as testing_api;
pub use adapter_world::wavs::types::types as wit_types;
