//! The service registry on the executor's rig: what a deploy is refused for, and what
//! pause, resume and removal leave in the store and in the other stages.

use super::Services;
use crate::chains::Chains;
use crate::components::Components;
use crate::cron::Cron;
use crate::scheduler::Scheduler;
use crate::testing::{Rig, guest, rig};
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_runtime::{AdapterRegistry, HttpRules, KeyConfig, WasmEngine};
use wavs_types::ServiceManifest;

/// The registry over `rig`'s store and executor, serving chain `anvil`.
fn registry(rig: &Rig) -> Services {
    let registry = Arc::new(AdapterRegistry::new(WasmEngine::new(rig.dir().join("cache")).unwrap(), rig.dir().join("adapters")).unwrap());
    let spec = serde_json::from_str(r#"{ "family": "evm", "chain-id": "31337", "rpc-urls": ["http://127.0.0.1:8545"] }"#).unwrap();
    let operator = KeyConfig::from_private_key(crate::testing::KEY.into());
    let configured = BTreeMap::from([("anvil".to_string(), spec)]);
    let chains = Chains::open(registry, operator, wavs_runtime::Limits::ADAPTER_DEFAULT, true, &configured, &rig.store).unwrap();
    let components =
        Components::new(rig.store.clone(), rig.runner.clone(), rig.services.clone(), Default::default(), rig.dir(), 2);
    Services {
        store: rig.store.clone(),
        deployed: rig.services.clone(),
        chains: Arc::new(chains),
        components: Arc::new(components),
        cron: Arc::new(Cron::new(rig.store.clone(), 2)),
        scheduler: Arc::new(Scheduler::new(rig.store.clone(), rig.executor.clone()).unwrap()),
        limits: serde_json::from_str("{}").unwrap(),
        http_rules: HttpRules::default(),
        secrets: Arc::new(crate::secrets::Secrets::open(rig.dir()).unwrap()),
    }
}

/// Service `id` running `digest`, submitting to `chain`, with `extra` fields on its component.
fn manifest(id: &str, digest: &str, chain: &str, extra: &str) -> ServiceManifest {
    ServiceManifest::from_json(&format!(
        r#"{{ "id": "{id}", "components": {{ "c": {{ "digest": "{digest}" {extra} }} }},
             "workflows": {{ "w": {{ "trigger": "manual", "component": "c",
               "submit": {{ "aggregator": {{ "chain": "{chain}", "handler": "0x02", "manager": "0x03" }} }} }} }} }}"#
    ))
    .unwrap()
}

#[tokio::test]
async fn a_deploy_is_refused_with_the_field_that_cannot_work_here() {
    let rig = rig("fake").await;
    let services = registry(&rig);
    let (digest, _) = services.components.upload_component(&guest("components/echo.wasm")).unwrap();

    let refusals = [
        (manifest("a", &digest, "elsewhere", ""), "chain \"elsewhere\" is not configured on this node"),
        (manifest("b", &digest, "anvil", r#", "limits": { "fuel": 99000000000000 }"#), "components.c.limits"),
        (manifest("c", &"cd".repeat(32), "anvil", ""), "components.c"),
        (manifest("d", &digest, "anvil", r#", "permissions": { "allowed-http-hosts": ["127.0.0.1:8000"] }"#), "allowed-http-hosts"),
    ];
    for (refused, why) in refusals {
        let id = refused.id.clone();
        let error = services.deploy(refused).unwrap_err().to_string();
        assert!(error.contains(why), "{id}: {error}");
        assert!(services.get(&id).is_none() && !rig.store.services().unwrap().iter().any(|s| s.id == id), "{id} left no trace");
    }
    // By its shared id the chain is known too.
    services.deploy(manifest("ok", &digest, "evm:31337", "")).unwrap();
    assert!(services.get("ok").is_some());
    assert!(rig.store.services().unwrap().iter().any(|s| s.id == "ok"));
}

#[tokio::test]
async fn pause_resume_and_removal_reach_the_scheduler_and_the_store() {
    let rig = rig("fake").await;
    let services = registry(&rig);
    let (digest, _) = services.components.upload_component(&guest("components/echo.wasm")).unwrap();
    services.deploy(manifest("p", &digest, "anvil", "")).unwrap();

    assert_eq!(services.pause("p").unwrap(), 0);
    assert!(services.scheduler.is_paused("p"));
    assert!(rig.store.paused_services().unwrap().contains_key("p"));
    assert_eq!(services.resume("p").unwrap(), 0);
    assert!(!services.scheduler.is_paused("p"));

    services.pause("p").unwrap();
    services.remove("p").unwrap();
    assert!(services.get("p").is_none() && !services.scheduler.is_paused("p"));
    assert!(!rig.store.paused_services().unwrap().contains_key("p"), "a removed service is not paused any more");
    let again = services.remove("p").unwrap_err().to_string();
    assert!(again.contains("no service \"p\" is deployed"), "{again}");
    assert!(services.pause("nope").unwrap_err().to_string().contains("no service"));
}
