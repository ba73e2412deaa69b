//! The WAVS aggregator: collects operator signatures per envelope, checks them against
//! the operator set on chain, and submits quorum-complete envelopes in batches through
//! the target chain's adapter. It knows no chain: every chain detail is the adapter's.
//! The queue survives restarts in `<data-dir>/aggregator.redb`.

pub mod api;
pub mod batcher;
pub mod config;
pub mod durable;
pub mod error;
pub mod metrics;
pub mod queue;
pub mod quorum;
pub mod store;

use config::AggregatorConfig;
use durable::DurableQueue;
use error::Result;
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wavs_runtime::{AdapterRegistry, ChainAdapter, WasmEngine};

/// Counters shown by `/health`.
#[derive(Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Counters {
    /// Signed envelopes received.
    pub received: AtomicU64,
    /// Signatures refused (bad signature, not an operator).
    pub rejected_signatures: AtomicU64,
    /// Envelopes landed on chain.
    pub landed: AtomicU64,
    /// Envelopes whose submission failed for good.
    pub failed: AtomicU64,
    /// Transactions sent.
    pub batches: AtomicU64,
    /// Writes to the durable store that failed (and were retried).
    pub store_errors: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }
}

/// A running aggregator's shared state.
pub struct Aggregator {
    pub(crate) config: AggregatorConfig,
    pub(crate) registry: Arc<AdapterRegistry>,
    pub(crate) chains: BTreeMap<String, Arc<ChainAdapter>>,
    pub(crate) queue: Mutex<DurableQueue>,
    pub(crate) operator_sets: quorum::OperatorSets,
    pub(crate) counters: Counters,
}

/// A started aggregator.
pub struct Handle {
    /// The address the API listens on.
    pub addr: SocketAddr,
    /// The state.
    pub aggregator: Arc<Aggregator>,
}

impl Aggregator {
    /// Reloads the queue, loads adapters, starts the batcher and the API.
    pub async fn start(config: AggregatorConfig) -> Result<Handle> {
        let signer = config.submitter.signer()?;
        // Entries that were in flight when the last process died are queued again; the
        // batcher asks `is-handled` before sending, so nothing lands twice.
        let queue = DurableQueue::open(&config.data_dir)?;
        let finished = queue.finished().count();
        tracing::info!(store = %queue.store().path().display(), entries = queue.entries().count(), queued = queue.depth(), finished, "queue reloaded");
        let engine = WasmEngine::new(config.data_dir.join("cache"))?;
        let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir)?);
        registry.scan().await?;
        let limits = config.limits.adapter_limits();
        let chains = config
            .chains
            .iter()
            .map(|(name, spec)| {
                let chain = ChainAdapter::from_spec(registry.clone(), name, spec, signer.clone(), limits);
                (name.clone(), Arc::new(chain))
            })
            .collect();
        let aggregator = Arc::new(Aggregator {
            config,
            registry,
            chains,
            queue: Mutex::new(queue),
            operator_sets: quorum::OperatorSets::default(),
            counters: Counters::default(),
        });
        for (name, chain) in &aggregator.chains {
            match chain.operator_id(&signer.public_key()).await {
                Ok(id) => tracing::info!(chain = %name, submitter = %id, "chain ready"),
                Err(e) => tracing::warn!(chain = %name, "chain not ready yet: {e}"),
            }
        }
        let rescan = aggregator.registry.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                if let Err(e) = rescan.scan().await {
                    tracing::warn!("cannot scan adapters directory: {e}");
                }
            }
        });
        tokio::spawn(batcher::run(aggregator.clone()));
        let listener = tokio::net::TcpListener::bind(aggregator.config.api_addr).await?;
        let addr = listener.local_addr()?;
        let router = api::router(aggregator.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!("aggregator API stopped: {e}");
            }
        });
        tracing::info!(api = %addr, "aggregator ready");
        Ok(Handle { addr, aggregator })
    }
}
