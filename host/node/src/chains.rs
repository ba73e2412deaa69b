//! The chains this node serves: those of its configuration file, and those an operator
//! added to the running node through the API (kept in the store, so they come back
//! after a restart; see [`adding`]). Each has its spec, its adapter instance and this
//! node's key for it.

mod adding;
mod peer_lists;

pub use adding::ChainAdder;

use crate::error::{NodeError, Result};
use crate::reader::ChainStatus;
use crate::store::Store;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, ChainKey, ChainRef, KeyConfig, Limits, Signer};
use wavs_types::{ChainSpec, Scheme};

/// Instance-pool room kept for chains added at runtime: the pool is sized once, when
/// the engine starts, so the node can only take this many more without a restart.
pub(crate) const RUNTIME_CHAIN_SLOTS: usize = 16;

/// One chain the node serves.
pub struct Chain {
    /// What the operator configured.
    pub spec: ChainSpec,
    /// Its adapter instance, which may read this chain's public key but sign nothing.
    pub adapter: Arc<ChainAdapter>,
    /// The key this node signs envelopes for this chain with; no other chain's.
    pub key: ChainKey,
    /// Added through the API rather than the configuration file.
    pub added: bool,
    /// The scheme each handler's operators sign with, as the adapter read it from
    /// chain: a property of the handler's manager, asked once per handler.
    schemes: parking_lot::Mutex<BTreeMap<String, Scheme>>,
    /// Block times deterministic workflows read, by height: every workflow triggered by
    /// one block asks once; the highest [`BLOCK_TIMES_KEPT`] heights are kept.
    block_times: parking_lot::Mutex<BTreeMap<u64, u64>>,
    /// Each service's key on this chain, by its key index, derived on first use.
    service_signers: parking_lot::Mutex<BTreeMap<u64, Signer>>,
    /// Whether services sign with keys of their own (`per-service-keys`) or all with
    /// this chain's key.
    per_service: bool,
}

/// How many block times a chain keeps.
const BLOCK_TIMES_KEPT: usize = 256;

impl Chain {
    /// The time of the block at `height` (ms since the epoch), read through the adapter
    /// the first time.
    async fn block_time(&self, height: u64) -> Result<u64> {
        if let Some(time) = self.block_times.lock().get(&height) {
            return Ok(*time);
        }
        let time = self.adapter.block_time(height).await?;
        let mut kept = self.block_times.lock();
        kept.insert(height, time);
        if kept.len() > BLOCK_TIMES_KEPT {
            kept.pop_first();
        }
        Ok(time)
    }

    /// The key the service at key index `index` signs with on this chain, and where it
    /// comes from, in words.
    pub fn service_key(&self, index: u64) -> Result<ChainKey> {
        if let Some(signer) = self.service_signers.lock().get(&index) {
            return Ok(ChainKey { signer: signer.clone(), source: service_key_source(&self.key, index, self.per_service) });
        }
        let key = service_key(&self.key, index, self.per_service)?;
        self.service_signers.lock().insert(index, key.signer.clone());
        Ok(key)
    }

    /// The scheme to sign with for `handler`, read through the adapter the first time.
    async fn scheme_for(&self, handler: &str) -> Result<Scheme> {
        if let Some(scheme) = self.schemes.lock().get(handler) {
            return Ok(*scheme);
        }
        let scheme: Scheme = self.adapter.handler_info(handler).await?.scheme.into();
        self.schemes.lock().insert(handler.to_string(), scheme);
        Ok(scheme)
    }
}

/// The chains, by name, and what makes a new one. Readers take a snapshot; adding is rare.
pub struct Chains {
    map: RwLock<BTreeMap<String, Arc<Chain>>>,
    registry: Arc<AdapterRegistry>,
    operator: KeyConfig,
    adapter_limits: Limits,
    per_service: bool,
}

impl Chains {
    /// The chains of the configuration file and those added through the API before a
    /// restart (the file wins where both name one).
    pub(crate) fn open(
        registry: Arc<AdapterRegistry>,
        operator: KeyConfig,
        adapter_limits: Limits,
        per_service: bool,
        configured: &BTreeMap<String, ChainSpec>,
        store: &Store,
    ) -> Result<Chains> {
        let chains = Chains { map: RwLock::default(), registry, operator, adapter_limits, per_service };
        for (name, spec) in configured {
            chains.insert(name.clone(), chains.make(name, spec.clone(), false)?);
        }
        for (name, spec) in store.added_chains()? {
            if chains.contains(&name) {
                tracing::warn!(chain = %name, "a chain added through the API is now in the configuration file too; the file's settings apply");
                continue;
            }
            chains.insert(name.clone(), chains.make(&name, spec, true)?);
        }
        Ok(chains)
    }

    /// A chain with its own key and its adapter instance, under this node's limits.
    fn make(&self, name: &str, spec: ChainSpec, added: bool) -> Result<Chain> {
        let key = chain_key(&self.operator, name, &spec)?;
        let signer = AdapterSigner::public_only(&key.signer)?;
        let adapter = ChainAdapter::from_spec(self.registry.clone(), name, &spec, signer, self.adapter_limits.clone());
        Ok(Chain {
            spec,
            adapter: Arc::new(adapter),
            key,
            added,
            schemes: Default::default(),
            block_times: Default::default(),
            service_signers: Default::default(),
            per_service: self.per_service,
        })
    }

    /// A one-off instance of `chain`'s adapter (the node's name for it: `name`) whose
    /// signer signs with this operator's key for that chain: for a registration the
    /// operator asked for, which that account sends and pays. The chain's long-lived
    /// instance keeps signing nothing.
    pub fn submitting_adapter(&self, name: &str, chain: &Chain) -> ChainAdapter {
        let signer = AdapterSigner::Submitting(chain.key.signer.clone());
        ChainAdapter::from_spec(self.registry.clone(), name, &chain.spec, signer, self.adapter_limits.clone())
    }

    /// Each chain's public key (SEC1 compressed) and where the key came from.
    pub fn keys(&self) -> Vec<(String, Vec<u8>, String)> {
        self.all().into_iter().map(|(name, c)| (name, c.key.signer.public_key(), c.key.source.clone())).collect()
    }

    /// Every chain's RPC URLs and named endpoints, by name (they are the node's own
    /// services).
    pub(crate) fn rpc_urls(&self) -> Vec<(String, Vec<String>)> {
        self.all().into_iter().map(|(name, c)| (name, c.spec.reachable_urls().cloned().collect())).collect()
    }

    /// Per-chain status: what the readers wrote (`reported`), with adapter restarts and
    /// whether each chain still waits for its adapter.
    pub fn status(&self, mut reported: BTreeMap<String, ChainStatus>) -> BTreeMap<String, ChainStatus> {
        for (name, chain) in self.all() {
            let entry = reported.entry(name).or_default();
            entry.adapter_restarts = chain.adapter.restarts();
            if !chain.adapter.has_adapter() {
                entry.state = wavs_types::ChainState::WaitingForAdapter;
            }
        }
        reported
    }

    /// The chain a manifest or request names: by this node's name for it, or by the
    /// `family:chain-id` every operator shares (local names cannot hold a `:`).
    pub fn get(&self, name: &str) -> Option<Arc<Chain>> {
        self.resolve(name).map(|(_, chain)| chain)
    }

    /// This node's name for the chain `wanted` names, with the chain.
    pub fn resolve(&self, wanted: &str) -> Option<(String, Arc<Chain>)> {
        let map = self.map.read();
        if let Some(chain) = map.get(wanted) {
            return Some((wanted.to_string(), chain.clone()));
        }
        map.iter().find(|(name, c)| c.spec.is_named(wanted, name)).map(|(n, c)| (n.clone(), c.clone()))
    }

    /// The chain `name` names, or why there is none.
    fn served(&self, name: &str) -> Result<Arc<Chain>> {
        self.get(name).ok_or_else(|| NodeError::Invalid(format!("chain {name} is not configured")))
    }

    /// Whether the chain `name` names is served.
    pub fn contains(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }

    /// Every chain, by name.
    pub fn all(&self) -> Vec<(String, Arc<Chain>)> {
        self.map.read().iter().map(|(n, c)| (n.clone(), c.clone())).collect()
    }

    fn insert(&self, name: String, chain: Chain) {
        self.map.write().insert(name, Arc::new(chain));
    }

    /// Adds a chain at runtime: checks that the name is free and that there is room,
    /// then makes it and has `keep` store it, all under one lock so two requests for
    /// one name cannot both pass.
    fn add(&self, name: &str, spec: ChainSpec, keep: impl FnOnce(&ChainSpec) -> Result<()>) -> Result<Arc<Chain>> {
        let mut map = self.map.write();
        if map.contains_key(name) {
            return Err(NodeError::Conflict(format!("chain {name:?} is already served by this node")));
        }
        if map.values().filter(|c| c.added).count() >= RUNTIME_CHAIN_SLOTS {
            return Err(NodeError::Conflict(format!(
                "this node already took {RUNTIME_CHAIN_SLOTS} chains at runtime, all it has room for; \
                 add [chains.{name}] to its configuration file and restart it"
            )));
        }
        let chain = Arc::new(self.make(name, spec, true)?);
        keep(&chain.spec)?;
        map.insert(name.to_string(), chain.clone());
        Ok(chain)
    }
}

/// The key `name` signs with under `[operator]`: its own if configured, else derived.
pub(crate) fn chain_key(operator: &wavs_runtime::KeyConfig, name: &str, spec: &ChainSpec) -> Result<ChainKey> {
    operator
        .chain_key(ChainRef { name, family: &spec.family, chain_id: &spec.chain_id })
        .map_err(|e| NodeError::Invalid(format!("[operator] key for chain {name}: {e}")))
}

/// The key of the service at key index `index` on the chain whose key is `chain`: its
/// own child key, or with `per_service` off (`per-service-keys = false`) the chain's.
pub(crate) fn service_key(chain: &ChainKey, index: u64, per_service: bool) -> Result<ChainKey> {
    let signer = if per_service { chain.signer.for_service(index)? } else { chain.signer.clone() };
    Ok(ChainKey { signer, source: service_key_source(chain, index, per_service) })
}

fn service_key_source(chain: &ChainKey, index: u64, per_service: bool) -> String {
    match per_service {
        true => format!("service key index {index} of the chain key, {}", chain.source),
        false => format!("{} (per-service-keys = false: every service signs with the chain key)", chain.source),
    }
}

/// A chain name must be usable in URLs, metrics labels and manifests as is.
pub(crate) fn check_name(name: &str) -> Result<()> {
    wavs_types::check_chain_name(name).map_err(NodeError::Invalid)
}

/// The executor signs for these chains: the digest from the chain's adapter, the
/// signature from its key.
impl crate::executor::SigningTargets for Chains {
    fn digest<'a>(
        &'a self,
        chain: &'a str,
        handler: &'a str,
        envelope: &'a wavs_types::WireEnvelope,
    ) -> crate::executor::BoxFuture<'a, Result<crate::executor::ToSign>> {
        Box::pin(async move {
            let served = self.served(chain)?;
            let scheme = served.scheme_for(handler).await?;
            let digest = served.adapter.envelope_digest(handler, &envelope.into()).await?;
            Ok(crate::executor::ToSign { digest, scheme })
        })
    }

    fn sign(&self, chain: &str, key_index: u64, to_sign: &crate::executor::ToSign) -> Result<crate::executor::Signed> {
        let signer = &self.served(chain)?.service_key(key_index)?.signer;
        Ok(crate::executor::Signed {
            signature: signer.sign_for(to_sign.scheme, &to_sign.digest)?,
            public_key: signer.public_key_for(to_sign.scheme)?,
        })
    }
}

/// Deterministic workflows' clocks read the trigger block's time from its chain.
impl crate::executor::BlockTimes for Chains {
    fn block_time<'a>(&'a self, chain: &'a str, height: u64) -> crate::executor::BoxFuture<'a, Result<u64>> {
        Box::pin(async move { self.served(chain)?.block_time(height).await })
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
