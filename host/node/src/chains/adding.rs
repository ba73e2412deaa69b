//! Serving a new chain while the node runs: it is checked, stored (so it comes back
//! after a restart), its RPC endpoint becomes one of the node's own services, and its
//! trigger reader starts. Its family's adapter need not be loaded yet; the chain waits
//! for it as a configured one would.

use super::{Chains, check_name};
use crate::error::{NodeError, Result};
use crate::http_rules::OwnServices;
use crate::reader::Readers;
use crate::store::Store;
use std::sync::Arc;
use wavs_types::ChainSpec;

/// What adding a chain touches.
pub struct ChainAdder {
    pub(crate) chains: Arc<Chains>,
    pub(crate) store: Arc<Store>,
    pub(crate) own: OwnServices,
    pub(crate) readers: Arc<Readers>,
}

impl ChainAdder {
    /// Serves chain `name` from now on, and after restarts.
    pub fn add(&self, name: &str, spec: ChainSpec) -> Result<()> {
        check_name(name)?;
        spec.validate(name).map_err(NodeError::Invalid)?;
        let family = spec.family.clone();
        let chain = self.chains.add(name, spec, |spec| self.store.put_added_chain(name, spec))?;
        // Its RPC endpoint is one of the node's own services from now on.
        self.own.refresh(self.chains.rpc_urls().iter().map(|(n, urls)| (n.clone(), urls.as_slice())));
        tracing::info!(chain = %name, %family, "chain added");
        self.readers.start(name, chain.spec.clone(), chain.adapter.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{JobSink, Readers};
    use crate::store::PendingJob;
    use std::collections::BTreeMap;
    use wavs_runtime::{AdapterRegistry, HttpRules, KeyConfig, WasmEngine};

    struct NoJobs;

    impl JobSink for NoJobs {
        fn schedule(self: Arc<Self>, _: PendingJob) {}
        fn retry_postponed(self: Arc<Self>) {}
    }

    fn spec(chain_id: &str) -> ChainSpec {
        serde_json::from_str(&format!(r#"{{ "family": "evm", "chain-id": "{chain_id}", "rpc-urls": ["http://127.0.0.1:9545"] }}"#)).unwrap()
    }

    fn chains(dir: &std::path::Path, store: &Store, configured: &BTreeMap<String, ChainSpec>) -> Arc<Chains> {
        let engine = WasmEngine::new(dir.join("cache")).unwrap();
        let registry = Arc::new(AdapterRegistry::new(engine, dir.join("adapters")).unwrap());
        let operator = KeyConfig::from_private_key("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318".into());
        Arc::new(Chains::open(registry, operator, wavs_runtime::Limits::ADAPTER_DEFAULT, true, configured, store).unwrap())
    }

    #[tokio::test]
    async fn an_added_chain_is_served_kept_refused_twice_and_loses_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("data")).unwrap());
        // The operator lets components reach 127.0.0.1 (any port) ...
        let rules = HttpRules::new(&["127.0.0.1".to_string()]).unwrap();
        let own = OwnServices { rules: rules.clone(), api_addr: "127.0.0.1:8000".parse().unwrap(), aggregator_url: None };
        let readers = Arc::new(Readers { store: store.clone(), deployed: Default::default(), status: Default::default(), jobs: Arc::new(NoJobs), follow_rounds: Default::default() });
        let adder = ChainAdder { chains: chains(dir.path(), &store, &BTreeMap::new()), store: store.clone(), own, readers };

        assert!(rules.check_grant("127.0.0.1:9545").is_ok());
        adder.add("extra", spec("1337")).unwrap();
        assert!(adder.chains.contains("extra") && adder.chains.contains("evm:1337"), "by name and by family:chain-id");
        assert!(adder.chains.get("extra").unwrap().added);
        // ... until a chain whose RPC endpoint it is is added: the node's own, refused.
        assert!(rules.check_grant("127.0.0.1:9545").is_err(), "its RPC endpoint is one of the node's own services now");
        let twice = adder.add("extra", spec("1338")).unwrap_err().to_string();
        assert!(twice.contains("already served"), "{twice}");
        let bad = adder.add("a/b", spec("1")).unwrap_err().to_string();
        assert!(bad.contains("letters, digits"), "{bad}");

        // After a restart it is served again; a chain of the same name in the file wins.
        let again = chains(dir.path(), &store, &BTreeMap::new());
        assert_eq!(again.get("extra").unwrap().spec.chain_id, "1337");
        let file = BTreeMap::from([("extra".to_string(), spec("5"))]);
        let filed = chains(dir.path(), &store, &file);
        let chain = filed.get("extra").unwrap();
        assert_eq!((chain.spec.chain_id.as_str(), chain.added), ("5", false));
    }
}
