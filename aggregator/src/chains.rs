//! The chains this aggregator submits to: those of its configuration file, and those
//! added while it runs with `POST /chains` (kept in the store, so they come back after a
//! restart; the file wins where both name one). Each has its entry (spec and
//! `accept-verified-targets`), its submitting adapter instance, which holds the chain's
//! key and no other chain's, and a small pool of reading instances for intake, which
//! hold the public key only (see `crate::readers`). Lookups take a read lock and an
//! `Arc`; adding is rare.
//!
//! A submission for a chain not served yet is refused as retryable (503): its sender
//! keeps it and sends it again, so it lands once the chain is added.

use crate::Aggregator;
use crate::chain::SubmitChain;
use crate::config::AggregatorChain;
use crate::error::{AggregatorError, Result};
use parking_lot::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::{AdapterSigner, ChainAdapter, ChainRef};
use wavs_types::aggregator_chains::AggregatorChainAdded;
use wavs_types::node_api::OperatorIdentity;

/// One chain the aggregator serves.
pub struct ServedChain {
    /// What the operator configured (or posted).
    pub entry: AggregatorChain,
    /// The instance that submits, with the chain's key.
    pub submitting: Arc<dyn SubmitChain>,
    /// Reading instances for intake, taken in turn; they sign nothing.
    pub readers: Vec<Arc<dyn SubmitChain>>,
    /// Added through the API rather than the configuration file.
    pub added: bool,
}

impl ServedChain {
    /// A chain served by `submitting` and `readers`.
    pub fn new(entry: AggregatorChain, submitting: Arc<dyn SubmitChain>, readers: Vec<Arc<dyn SubmitChain>>, added: bool) -> ServedChain {
        ServedChain { entry, submitting, readers, added }
    }

    /// Whether an adapter serves the chain now.
    pub fn has_adapter(&self) -> bool {
        self.submitting.has_adapter()
    }

    /// Adapter restarts over the submitting and the reading instances.
    pub fn restarts(&self) -> u64 {
        self.submitting.restarts() + self.readers.iter().map(|r| r.restarts()).sum::<u64>()
    }
}

/// The chains, by the aggregator's name for each.
#[derive(Default)]
pub struct Chains {
    map: RwLock<BTreeMap<String, Arc<ServedChain>>>,
    next: AtomicUsize,
    /// Held through one runtime add, so that its duplicate check still holds when the
    /// chain goes in, without holding `map` (which every submission reads) across the
    /// store's write.
    adding: Mutex<()>,
}

impl Chains {
    /// This aggregator's name for the chain `wanted` names (its name here, or the
    /// `family:chain-id` every operator shares), with the chain.
    pub fn resolve(&self, wanted: &str) -> Option<(String, Arc<ServedChain>)> {
        let map = self.map.read();
        if let Some(chain) = map.get(wanted) {
            return Some((wanted.to_string(), chain.clone()));
        }
        map.iter().find(|(name, c)| c.entry.spec.is_named(wanted, name)).map(|(n, c)| (n.clone(), c.clone()))
    }

    /// This aggregator's name for the chain `wanted` names, if it serves it.
    pub fn name(&self, wanted: &str) -> Option<String> {
        self.resolve(wanted).map(|(name, _)| name)
    }

    /// The submitting instance of the chain called `name` here.
    pub fn submitting(&self, name: &str) -> Option<Arc<dyn SubmitChain>> {
        self.map.read().get(name).map(|c| c.submitting.clone())
    }

    /// A reading instance of the chain `wanted` names, taken in turn, with its name here.
    pub fn reader(&self, wanted: &str) -> Option<(String, Arc<dyn SubmitChain>)> {
        let (name, chain) = self.resolve(wanted)?;
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % chain.readers.len().max(1);
        let reader = chain.readers.get(turn).cloned().unwrap_or_else(|| chain.submitting.clone());
        Some((name, reader))
    }

    /// Every chain, by name.
    pub fn all(&self) -> Vec<(String, Arc<ServedChain>)> {
        self.map.read().iter().map(|(n, c)| (n.clone(), c.clone())).collect()
    }

    /// The names served, for messages.
    pub fn names(&self) -> Vec<String> {
        self.map.read().keys().cloned().collect()
    }

    /// Serves `chain` as `name` (at start).
    pub fn insert(&self, name: &str, chain: ServedChain) {
        self.map.write().insert(name.to_string(), Arc::new(chain));
    }

    /// Adds a chain at runtime: checks that neither its name nor its `family:chain-id`
    /// is served, has `keep` store it, then serves it. Adds run one at a time, so two
    /// requests for one chain cannot both pass; lookups go on meanwhile.
    fn add(&self, name: &str, chain: ServedChain, keep: impl FnOnce(&ServedChain) -> Result<()>) -> Result<Arc<ServedChain>> {
        let _adding = self.adding.lock();
        {
            let map = self.map.read();
            if map.contains_key(name) {
                return Err(AggregatorError::Conflict(format!("chain {name:?} is already served by this aggregator")));
            }
            let shared = chain.entry.spec.caip2();
            if let Some((other, _)) = map.iter().find(|(other, c)| c.entry.spec.is_named(&shared, other)) {
                return Err(AggregatorError::Conflict(format!("chain {shared} is already served by this aggregator, as {other:?}")));
            }
        }
        keep(&chain)?;
        let chain = Arc::new(chain);
        self.map.write().insert(name.to_string(), chain.clone());
        Ok(chain)
    }
}

/// The key a chain submits with, for the log and the answer to `POST /chains`.
pub(crate) struct Submitter {
    chain: String,
    public_key: Vec<u8>,
    source: String,
}

impl Aggregator {
    /// Chain `name`'s instances: the submitting one with the chain's key under
    /// `[submitter]`, and the reading ones with its public key only.
    fn make_chain(&self, name: &str, entry: AggregatorChain, added: bool) -> std::result::Result<(ServedChain, Submitter), String> {
        let spec = &entry.spec;
        let key = self.config.submitter.chain_key(ChainRef { name, family: &spec.family, chain_id: &spec.chain_id }).map_err(|e| e.to_string())?;
        let public = AdapterSigner::public_only(&key.signer).map_err(|e| e.to_string())?;
        let submitter = Submitter { chain: name.to_string(), public_key: key.signer.public_key(), source: key.source };
        let limits = self.config.limits.adapter_limits();
        let adapter = |signer| -> Arc<dyn SubmitChain> { Arc::new(ChainAdapter::from_spec(self.registry.clone(), name, spec, signer, limits)) };
        let readers = (0..crate::readers::POOL).map(|_| adapter(public.clone())).collect();
        let submitting = adapter(AdapterSigner::Submitting(key.signer));
        Ok((ServedChain::new(entry, submitting, readers, added), submitter))
    }

    /// Serves the chains of the configuration file, then those added with `POST /chains`
    /// before a restart; returns each chain's submitting key, for the log.
    pub(crate) fn open_chains(&self) -> Result<Vec<Submitter>> {
        let mut submitters = Vec::new();
        for (name, entry) in &self.config.chains {
            let (chain, submitter) =
                self.make_chain(name, entry.clone(), false).map_err(|e| AggregatorError::Config(format!("[submitter] for chain {name}: {e}")))?;
            self.chains.insert(name, chain);
            submitters.push(submitter);
        }
        let stored = self.queue.lock().store().chains()?;
        for (name, entry) in stored {
            if let Some(filed) = self.chains.name(&name).or_else(|| self.chains.name(&entry.spec.caip2())) {
                tracing::warn!(chain = %name, "a chain added with POST /chains is now in the configuration file too (as {filed}); the file's settings apply");
                continue;
            }
            match self.make_chain(&name, entry, true) {
                Ok((chain, submitter)) => {
                    self.chains.insert(&name, chain);
                    submitters.push(submitter);
                }
                Err(e) => tracing::error!(chain = %name, "the chain added with POST /chains cannot be served: [submitter] for chain {name}: {e}; its results wait (configure [submitter.chains.{name}] and restart)"),
            }
        }
        for name in self.config.submitter.chains.keys().filter(|name| self.chains.resolve(name).is_none()) {
            tracing::info!(chain = %name, "[submitter.chains.{name}] names no chain served yet: its key is kept for a chain {name} added with POST /chains");
        }
        Ok(submitters)
    }

    /// The account `submitter` pays with, as the chain's adapter names it (the adapter
    /// may not be loaded yet: then why not), and logs it.
    pub(crate) async fn submitting_account(&self, submitter: &Submitter) -> OperatorIdentity {
        let Some(chain) = self.chains.submitting(&submitter.chain) else {
            return OperatorIdentity::Unknown { error: format!("chain {} is not served", submitter.chain) };
        };
        let (name, source) = (&submitter.chain, &submitter.source);
        match chain.operator_id(Scheme::Secp256k1Ecdsa, &submitter.public_key).await {
            Ok(id) => {
                tracing::info!(chain = %name, submitter = %id, key = %source, "chain ready: transactions are paid by this account");
                OperatorIdentity::Id(id)
            }
            Err(e) => {
                tracing::warn!(chain = %name, key = %source, public_key = %hex::encode(&submitter.public_key), "chain not ready yet: {e}");
                OperatorIdentity::Unknown { error: e.to_string() }
            }
        }
    }

    /// Serves chain `name` from now on, and after restarts (`POST /chains`): its
    /// submitting instance with its key under `[submitter]`, and its reading instances.
    pub async fn add_chain(&self, name: &str, entry: AggregatorChain) -> Result<AggregatorChainAdded> {
        wavs_types::check_chain_name(name).map_err(AggregatorError::Invalid)?;
        entry.spec.validate(name).map_err(AggregatorError::Invalid)?;
        let (chain, submitter) = self.make_chain(name, entry, true).map_err(|e| {
            AggregatorError::Invalid(format!(
                "the aggregator has no key to submit on chain {name}: [submitter]: {e}; configure [submitter.chains.{name}] (a key with funds on that chain) in its configuration and restart it, then add the chain again"
            ))
        })?;
        let chain = self.chains.add(name, chain, |chain| self.queue.lock().store_mut().put_chain(name, &chain.entry))?;
        tracing::info!(chain = %name, id = %chain.entry.spec.caip2(), accept_verified_targets = chain.entry.accept_verified_targets, "chain added");
        let account = self.submitting_account(&submitter).await;
        Ok(AggregatorChainAdded {
            name: name.to_string(),
            chain_id: chain.entry.spec.caip2(),
            accept_verified_targets: chain.entry.accept_verified_targets,
            submitter: account,
            key: submitter.source,
        })
    }
}
