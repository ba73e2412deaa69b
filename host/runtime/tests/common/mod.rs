//! What the runtime's integration tests share: the prebuilt guests, a raw trigger, no
//! permissions, and a chain served by a test-only adapter. Each test file uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::{TriggerAction, TriggerData};
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, ExecPermissions, Limits};

/// The path of a guest built by `scripts/build-guests.sh` (`components/echo.wasm`, ...).
pub fn guest_path(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guests").join(relative);
    assert!(path.exists(), "{} is missing: run scripts/build-guests.sh", path.display());
    path
}

/// The bytes of component `name` (`echo.wasm`, ...).
pub fn component(name: &str) -> Vec<u8> {
    std::fs::read(guest_path(&format!("components/{name}"))).expect("readable guest")
}

/// A raw trigger for service `s`, workflow `w`.
pub fn action(payload: &[u8]) -> TriggerAction {
    TriggerAction { service_id: "s".into(), workflow_id: "w".into(), data: TriggerData::Raw(payload.to_vec()) }
}

/// No HTTP, no configuration.
pub fn permissions() -> ExecPermissions {
    ExecPermissions { allowed_http_hosts: vec![], config: BTreeMap::new(), secrets: Default::default(), determinism: None }
}

/// A chain of `family` whose RPC goes nowhere (the fixtures need none), served by
/// whatever adapter `registry` holds for that family.
pub fn fixture_chain(registry: Arc<AdapterRegistry>, family: &str, signer: AdapterSigner, limits: Limits) -> ChainAdapter {
    let spec = wavs_types::ChainSpec {
        family: family.into(),
        chain_id: format!("{family}-1"),
        rpc_urls: vec!["http://127.0.0.1:1".into()],
        confirmations: 0,
        finality: Default::default(),
        start_height: None,
        poll_interval_ms: 500,
        max_block_range: 10,
        options: Default::default(),
        endpoints: Default::default(),
    };
    ChainAdapter::from_spec(registry, family, &spec, signer, limits)
}
