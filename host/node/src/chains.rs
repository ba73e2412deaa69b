//! The chains this node serves: those of its configuration file, and those an operator
//! added to the running node through the API (kept in the store, so they come back
//! after a restart). Each has its spec and its adapter instance.

use crate::error::{NodeError, Result};
use crate::node::Node;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_runtime::{AdapterSigner, ChainAdapter, ChainKey, ChainRef};
use wavs_types::ChainSpec;

/// Instance-pool room kept for chains added at runtime: the pool is sized once, when
/// the engine starts, so the node can only take this many more without a restart.
pub(crate) const RUNTIME_CHAIN_SLOTS: usize = 16;

/// One chain the node serves.
pub(crate) struct Chain {
    /// What the operator configured.
    pub spec: ChainSpec,
    /// Its adapter instance, which may read this chain's public key but sign nothing.
    pub adapter: Arc<ChainAdapter>,
    /// The key this node signs envelopes for this chain with; no other chain's.
    pub key: ChainKey,
    /// Added through the API rather than the configuration file.
    pub added: bool,
}

/// The chains, by name. Readers take a snapshot; adding is rare.
#[derive(Default)]
pub(crate) struct Chains(RwLock<BTreeMap<String, Arc<Chain>>>);

impl Chains {
    /// The chain a manifest or request names: by this node's name for it, or by the
    /// `family:chain-id` every operator shares (local names cannot hold a `:`).
    pub fn get(&self, name: &str) -> Option<Arc<Chain>> {
        self.resolve(name).map(|(_, chain)| chain)
    }

    /// This node's name for the chain `wanted` names, with the chain.
    pub fn resolve(&self, wanted: &str) -> Option<(String, Arc<Chain>)> {
        let map = self.0.read();
        if let Some(chain) = map.get(wanted) {
            return Some((wanted.to_string(), chain.clone()));
        }
        map.iter().find(|(name, c)| c.spec.is_named(wanted, name)).map(|(n, c)| (n.clone(), c.clone()))
    }

    /// Whether the chain `name` names is served.
    pub fn contains(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }

    /// Every chain, by name.
    pub fn all(&self) -> Vec<(String, Arc<Chain>)> {
        self.0.read().iter().map(|(n, c)| (n.clone(), c.clone())).collect()
    }

    pub(crate) fn insert(&self, name: String, chain: Chain) {
        self.0.write().insert(name, Arc::new(chain));
    }

    /// Adds a chain at runtime: checks that the name is free and that there is room,
    /// then `make`s it (which also stores it), all under one lock so two requests for
    /// one name cannot both pass.
    fn add(&self, name: &str, make: impl FnOnce() -> Result<Chain>) -> Result<()> {
        let mut map = self.0.write();
        if map.contains_key(name) {
            return Err(NodeError::Conflict(format!("chain {name:?} is already served by this node")));
        }
        if map.values().filter(|c| c.added).count() >= RUNTIME_CHAIN_SLOTS {
            return Err(NodeError::Conflict(format!(
                "this node already took {RUNTIME_CHAIN_SLOTS} chains at runtime, all it has room for; \
                 add [chains.{name}] to its configuration file and restart it"
            )));
        }
        map.insert(name.to_string(), Arc::new(make()?));
        Ok(())
    }
}

/// The key `name` signs with under `[operator]`: its own if configured, else derived.
pub(crate) fn chain_key(operator: &wavs_runtime::KeyConfig, name: &str, spec: &ChainSpec) -> Result<ChainKey> {
    operator
        .chain_key(ChainRef { name, family: &spec.family, chain_id: &spec.chain_id })
        .map_err(|e| NodeError::Invalid(format!("[operator] key for chain {name}: {e}")))
}

/// A chain name must be usable in URLs, metrics labels and manifests as is.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(NodeError::Invalid(format!(
            "chain name {name:?}: use 1 to 64 letters, digits, '-' or '_'"
        )))
    }
}

impl Node {
    /// A chain with its own key and its adapter instance, under this node's limits.
    pub(crate) fn chain_from_spec(&self, name: &str, spec: ChainSpec, added: bool) -> Result<Chain> {
        let key = chain_key(&self.config.operator, name, &spec)?;
        let adapter = ChainAdapter::from_spec(
            self.registry.clone(),
            name,
            &spec,
            AdapterSigner::PublicOnly(key.signer.public_key()),
            self.config.limits.adapter_limits(),
        );
        Ok(Chain { spec, adapter: Arc::new(adapter), key, added })
    }

    /// Serves a new chain from now on, and after restarts: it is stored, then its
    /// trigger loop starts. Its family's adapter need not be loaded yet; the chain
    /// waits for it as a configured one would.
    pub fn add_chain(self: &Arc<Self>, name: &str, spec: ChainSpec) -> Result<()> {
        check_name(name)?;
        spec.validate(name).map_err(NodeError::Invalid)?;
        let family = spec.family.clone();
        self.chains.add(name, || {
            let chain = self.chain_from_spec(name, spec.clone(), true)?;
            self.store.put_added_chain(name, &spec)?;
            Ok(chain)
        })?;
        // Its RPC endpoint is one of the node's own services from now on.
        self.refresh_own_services();
        tracing::info!(chain = %name, %family, "chain added");
        self.spawn_reader(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chain_names_are_checked() {
        assert!(super::check_name("anvil-2_b").is_ok());
        for bad in ["", "a b", "a/b", &"x".repeat(65)] {
            assert!(super::check_name(bad).unwrap_err().to_string().contains("letters, digits"), "{bad:?}");
        }
    }
}
