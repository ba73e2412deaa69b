//! Following on an in-memory world (URIs, documents, handlers) with a real on-disk store:
//! the first definition, a switch, a refused definition that leaves the running one,
//! an unreachable URI, and a restart of the store.

use super::*;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use wavs_types::followed::FollowState;

const MANAGER: &str = "0xaaaa000000000000000000000000000000000001";
const HANDLER: &str = "0xbbbb000000000000000000000000000000000002";

#[derive(Default)]
struct World {
    uri: Mutex<String>,
    documents: Mutex<BTreeMap<String, Vec<u8>>>,
    handler_manager: Mutex<String>,
    deployed: Mutex<BTreeMap<String, ServiceManifest>>,
    rpc_down: Mutex<bool>,
}

impl FollowWorld for World {
    fn service_uri<'a>(&'a self, _chain: &'a str, _manager: &'a str) -> Pending<'a, String> {
        let answer = if *self.rpc_down.lock() { Err(NodeError::Unavailable("rpc down".into())) } else { Ok(self.uri.lock().clone()) };
        Box::pin(async move { answer })
    }
    fn handler_manager<'a>(&'a self, _chain: &'a str, _handler: &'a str) -> Pending<'a, String> {
        let manager = self.handler_manager.lock().clone();
        Box::pin(async move { Ok(manager) })
    }
    fn fetch<'a>(&'a self, uri: &'a str, _cap: u64) -> Pending<'a, Vec<u8>> {
        let found = self.documents.lock().get(uri).cloned().ok_or_else(|| NodeError::Unavailable(format!("{uri}: connection refused")));
        Box::pin(async move { found })
    }
    fn deploy(&self, manifest: ServiceManifest) -> Pending<'_, ()> {
        self.deployed.lock().insert(manifest.id.clone(), manifest);
        Box::pin(async { Ok(()) })
    }
    fn is_chain(&self, chain: &str, named: &str) -> bool {
        named == chain || named == "evm:31337"
    }
    fn is_deployed(&self, id: &str) -> bool {
        self.deployed.lock().contains_key(id)
    }
}

fn definition(id: &str, digest_byte: &str, manager: &str) -> Vec<u8> {
    serde_json::json!({
        "id": id,
        "components": { "c": { "digest": digest_byte.repeat(32) } },
        "workflows": { "w": { "trigger": "manual", "component": "c",
            "submit": { "aggregator": { "chain": "evm:31337", "handler": HANDLER, "manager": manager } } } }
    })
    .to_string()
    .into_bytes()
}

fn setup() -> (tempfile::TempDir, Arc<World>, Follows) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let world = Arc::new(World::default());
    *world.handler_manager.lock() = MANAGER.to_string();
    *world.uri.lock() = "https://defs.example/v1.json".into();
    world.documents.lock().insert("https://defs.example/v1.json".into(), definition("svc", "11", MANAGER));
    let follows = Follows::new(store, world.clone(), Default::default());
    (dir, world, follows)
}

fn component_digest(world: &World) -> String {
    world.deployed.lock()["svc"].components["c"].digest.clone()
}

#[tokio::test]
async fn the_first_definition_runs_and_a_new_uri_moves_the_service() {
    let (_dir, world, follows) = setup();
    let first = follows.add("anvil", MANAGER).await.unwrap();
    assert_eq!((first.service.as_str(), first.state, first.switches), ("svc", FollowState::Running, 0));
    assert_eq!(component_digest(&world), "11".repeat(32));

    world.documents.lock().insert("ipfs://v2".into(), definition("svc", "22", MANAGER));
    *world.uri.lock() = "ipfs://v2".into();
    follows.look_all().await.unwrap();
    let now = &follows.list().unwrap()[0];
    assert_eq!((now.uri.as_str(), now.state, now.switches), ("ipfs://v2", FollowState::Running, 1));
    assert_eq!(component_digest(&world), "22".repeat(32));
}

#[tokio::test]
async fn a_bad_new_definition_is_refused_and_the_old_one_keeps_running() {
    let (_dir, world, follows) = setup();
    follows.add("anvil", MANAGER).await.unwrap();
    // The URI's owner points it at a definition that signs for another manager.
    world.documents.lock().insert("https://defs.example/evil.json".into(), definition("svc", "33", "0x0000000000000000000000000000000000000bad"));
    *world.uri.lock() = "https://defs.example/evil.json".into();
    follows.look_all().await.unwrap();
    let now = &follows.list().unwrap()[0];
    assert_eq!(now.state, FollowState::Refused);
    assert_eq!(now.pending_uri.as_deref(), Some("https://defs.example/evil.json"));
    assert!(now.error.as_deref().unwrap().contains("only submit for that manager"), "{:?}", now.error);
    assert_eq!((now.uri.as_str(), component_digest(&world)), ("https://defs.example/v1.json", "11".repeat(32)));

    // A handler bound to another manager is refused too, whatever the definition says.
    world.documents.lock().insert("https://defs.example/v3.json".into(), definition("svc", "44", MANAGER));
    *world.uri.lock() = "https://defs.example/v3.json".into();
    *world.handler_manager.lock() = "0x0000000000000000000000000000000000000bad".into();
    follows.look_all().await.unwrap();
    let now = &follows.list().unwrap()[0];
    assert!(now.error.as_deref().unwrap().contains("validates with manager 0x0000000000000000000000000000000000000bad"), "{:?}", now.error);
    assert_eq!(component_digest(&world), "11".repeat(32));

    // Fixed on chain: the next look moves to it.
    *world.handler_manager.lock() = MANAGER.into();
    *world.uri.lock() = "ipfs://v4".into();
    world.documents.lock().insert("ipfs://v4".into(), definition("svc", "55", MANAGER));
    follows.look_all().await.unwrap();
    assert_eq!(follows.list().unwrap()[0].state, FollowState::Running);
    assert_eq!(component_digest(&world), "55".repeat(32));
}

#[tokio::test]
async fn an_unreachable_uri_keeps_the_service_and_heals() {
    let (_dir, world, follows) = setup();
    follows.add("anvil", MANAGER).await.unwrap();
    *world.rpc_down.lock() = true;
    follows.look_all().await.unwrap();
    assert_eq!(follows.list().unwrap()[0].state, FollowState::Unreachable);
    *world.uri.lock() = "https://defs.example/gone.json".into();
    *world.rpc_down.lock() = false;
    follows.look_all().await.unwrap();
    let now = &follows.list().unwrap()[0];
    assert_eq!((now.state, now.pending_uri.as_deref()), (FollowState::Unreachable, Some("https://defs.example/gone.json")));
    world.documents.lock().insert("https://defs.example/gone.json".into(), definition("svc", "66", MANAGER));
    follows.look_all().await.unwrap();
    assert_eq!((follows.list().unwrap()[0].state, component_digest(&world)), (FollowState::Running, "66".repeat(32)));
}

#[tokio::test]
async fn adding_refuses_what_cannot_run_and_keeps_nothing() {
    let (_dir, world, follows) = setup();
    // Another service deployed here under the id the definition uses.
    world.deployed.lock().insert("svc".into(), ServiceManifest::from_json(std::str::from_utf8(&definition("svc", "99", MANAGER)).unwrap()).unwrap());
    let taken = follows.add("anvil", MANAGER).await.unwrap_err().to_string();
    assert!(taken.contains("which this node runs already"), "{taken}");
    assert!(follows.list().unwrap().is_empty());
    world.deployed.lock().clear();

    *world.uri.lock() = String::new();
    let unset = follows.add("anvil", MANAGER).await.unwrap_err().to_string();
    assert!(unset.contains("holds no service URI yet"), "{unset}");
    assert!(follows.list().unwrap().is_empty());

    *world.uri.lock() = "https://defs.example/v1.json".into();
    follows.add("anvil", MANAGER).await.unwrap();
    let twice = follows.add("anvil", &MANAGER.to_uppercase().replace("0X", "0x")).await.unwrap_err().to_string();
    assert!(twice.contains("is followed already"), "{twice}");
}

#[tokio::test]
async fn a_restarted_node_follows_the_same_managers() {
    let (dir, world, follows) = setup();
    follows.add("anvil", MANAGER).await.unwrap();
    drop(follows);
    let again = Follows::new(Arc::new(Store::open(dir.path()).unwrap()), world.clone(), Default::default());
    let listed = again.list().unwrap();
    assert_eq!((listed.len(), listed[0].service.as_str()), (1, "svc"));
    again.remove("anvil", MANAGER).await.unwrap();
    assert!(again.list().unwrap().is_empty());
    assert!(world.is_deployed("svc"), "stopping to follow leaves the service running");
}
