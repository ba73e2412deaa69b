//! An in-memory chain for the aggregator's unit tests, shaped like the reference
//! handler: it refuses a transaction whose envelopes do not meet the manager's current
//! threshold, that holds an envelope its handler reverts on, or that is too big for a
//! block; it remembers what it handled. The batcher's tests drive real queues and
//! stores (on disk) against it.

use crate::chain::{BoxFuture, SubmitChain};
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use wavs_runtime::bindings::adapter_api::{HandlerInfo, Operator, OperatorSet, Receipt, Signature, SignedEnvelope, SubmissionLimits};
use wavs_runtime::bindings::curves_api::Scheme;
use wavs_runtime::bindings::wit_types::Envelope;
use wavs_runtime::{AdapterErrorKind, Result, RuntimeError};

/// What the fake chain holds; tests change it between rounds.
pub(crate) struct FakeState {
    /// manager -> its operators (id, weight) and threshold.
    pub sets: HashMap<String, (Vec<(String, u64)>, u64)>,
    /// handler -> the manager it validates with.
    pub managers: HashMap<String, String>,
    /// (handler, event id) already accepted.
    pub handled: HashSet<(String, Vec<u8>)>,
    /// Most envelopes one transaction can carry (the block gas limit): more is refused
    /// as too large.
    pub fits: usize,
    /// What `submission-limits` answers.
    pub limits: SubmissionLimits,
    /// Event ids the handler reverts on.
    pub reverts_on: HashSet<Vec<u8>>,
    /// While set, every call fails with this retryable error (an RPC that is down).
    pub down: Option<String>,
    /// Runs at the start of every `submit`, as if the chain moved meanwhile.
    pub before_submit: Option<Box<dyn FnMut(&mut FakeState) + Send>>,
    /// Every transaction tried: its envelopes' event ids and signers, and whether it
    /// landed.
    pub submits: Vec<Submitted>,
    height: u64,
}

/// One transaction the batcher sent.
#[derive(Debug, Clone)]
pub(crate) struct Submitted {
    /// Each envelope's event id with the operators whose signatures it carried.
    pub envelopes: Vec<(Vec<u8>, Vec<String>)>,
    /// Whether the chain took it.
    pub landed: bool,
}

/// A chain whose `manager` holds `operators` (weight 1 each) and `threshold`, and
/// whose `handler` validates with it.
pub(crate) struct FakeChain(Mutex<FakeState>);

impl FakeChain {
    pub(crate) fn new(manager: &str, handler: &str, operators: &[&str], threshold: u64) -> FakeChain {
        let set = (operators.iter().map(|o| (o.to_string(), 1)).collect(), threshold);
        FakeChain(Mutex::new(FakeState {
            sets: [(manager.to_string(), set)].into(),
            managers: [(handler.to_string(), manager.to_string())].into(),
            handled: HashSet::new(),
            fits: usize::MAX,
            limits: SubmissionLimits { max_envelopes: None, max_payload_bytes: None },
            reverts_on: HashSet::new(),
            down: None,
            before_submit: None,
            submits: Vec::new(),
            height: 100,
        }))
    }

    /// Changes the chain.
    pub(crate) fn set(&self, change: impl FnOnce(&mut FakeState)) {
        change(&mut self.0.lock());
    }

    /// The transactions tried so far.
    pub(crate) fn submits(&self) -> Vec<Submitted> {
        self.0.lock().submits.clone()
    }

    fn up(&self) -> Result<parking_lot::MutexGuard<'_, FakeState>> {
        let state = self.0.lock();
        match &state.down {
            Some(why) => Err(RuntimeError::Unavailable(why.clone())),
            None => Ok(state),
        }
    }

    fn submit_now(&self, handler: &str, envelopes: &[SignedEnvelope]) -> Result<Receipt> {
        let mut state = self.up()?;
        if let Some(mut hook) = state.before_submit.take() {
            hook(&mut state);
            state.before_submit = Some(hook);
        }
        let signed = envelopes
            .iter()
            .map(|e| (e.envelope.event_id.clone(), e.signatures.iter().map(|s| s.operator.clone()).collect::<Vec<_>>()))
            .collect();
        let refusal = refusal(&state, handler, envelopes);
        state.submits.push(Submitted { envelopes: signed, landed: refusal.is_none() });
        if let Some((kind, message)) = refusal {
            return Err(RuntimeError::Adapter { kind, message });
        }
        for e in envelopes {
            state.handled.insert((handler.to_string(), e.envelope.event_id.clone()));
        }
        state.height += 1;
        Ok(Receipt { tx_hash: vec![state.height as u8; 32], height: state.height, gas_used: 85_000 * envelopes.len() as u64 })
    }
}

/// Why the chain refuses `envelopes`, as the reference adapter and handler would.
fn refusal(state: &FakeState, handler: &str, envelopes: &[SignedEnvelope]) -> Option<(AdapterErrorKind, String)> {
    let payload: u64 = envelopes.iter().map(|e| e.envelope.payload.len() as u64).sum();
    let over_limits = state.limits.max_envelopes.is_some_and(|m| envelopes.len() > m as usize)
        || state.limits.max_payload_bytes.is_some_and(|m| payload > m);
    if envelopes.len() > state.fits || over_limits {
        let why = format!("transaction of {} envelopes ({payload} payload bytes) exceeds the block gas limit", envelopes.len());
        return Some((AdapterErrorKind::TooLarge, why));
    }
    let (operators, threshold) = &state.sets[&state.managers[handler]];
    for e in envelopes {
        if state.reverts_on.contains(&e.envelope.event_id) {
            return Some((AdapterErrorKind::Rejected, "execution reverted: the handler refuses this payload".into()));
        }
        let weight: u64 =
            e.signatures.iter().filter_map(|s| operators.iter().find(|(id, _)| *id == s.operator).map(|(_, w)| w)).sum();
        if weight < *threshold {
            return Some((AdapterErrorKind::Rejected, format!("execution reverted: signed weight {weight} is below the threshold {threshold}")));
        }
    }
    None
}

impl SubmitChain for FakeChain {
    fn has_adapter(&self) -> bool {
        true
    }

    fn restarts(&self) -> u64 {
        0
    }

    fn envelope_digest<'a>(&'a self, handler: &'a str, envelope: &'a Envelope) -> BoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(async move {
            drop(self.up()?);
            Ok([handler.as_bytes(), &envelope.event_id, &envelope.payload].concat())
        })
    }

    fn handler_info<'a>(&'a self, handler: &'a str) -> BoxFuture<'a, Result<HandlerInfo>> {
        Box::pin(async move {
            let state = self.up()?;
            let manager = state.managers.get(handler).cloned();
            let manager = manager
                .ok_or_else(|| RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message: format!("{handler} is no handler") })?;
            Ok(HandlerInfo { manager, scheme: Scheme::Secp256k1Ecdsa })
        })
    }

    fn operator_id<'a>(&'a self, _scheme: Scheme, public_key: &'a [u8]) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            drop(self.up()?);
            Ok(hex::encode(public_key))
        })
    }

    /// As the Cosmos adapter checks secp256k1: the key the signature recovers to.
    fn verify<'a>(&'a self, digest: &'a [u8], signature: &'a Signature) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            drop(self.up()?);
            let key = wavs_runtime::recover_public_key(digest, &signature.bytes)
                .map_err(|e| RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, message: e.to_string() })?;
            Ok(hex::encode(key))
        })
    }

    fn submission_limits(&self) -> BoxFuture<'_, Result<SubmissionLimits>> {
        Box::pin(async move { Ok(self.up()?.limits.clone()) })
    }

    fn operator_set<'a>(&'a self, manager: &'a str) -> BoxFuture<'a, Result<OperatorSet>> {
        Box::pin(async move {
            let state = self.up()?;
            let (operators, threshold) = state.sets.get(manager).cloned().unwrap_or_default();
            let operators = operators.into_iter().map(|(id, weight)| Operator { id, weight }).collect();
            Ok(OperatorSet { operators, threshold, height: state.height })
        })
    }

    fn submit<'a>(&'a self, handler: &'a str, envelopes: &'a [SignedEnvelope]) -> BoxFuture<'a, Result<Receipt>> {
        Box::pin(async move { self.submit_now(handler, envelopes) })
    }

    fn is_handled<'a>(&'a self, handler: &'a str, event_id: &'a [u8]) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move { Ok(self.up()?.handled.contains(&(handler.to_string(), event_id.to_vec()))) })
    }
}

/// An aggregator over one fake chain `fake` serving one configured target; the store is
/// on disk in a temporary directory. Nothing runs until a test calls `round`.
pub(crate) struct Rig {
    pub agg: std::sync::Arc<crate::Aggregator>,
    pub chain: std::sync::Arc<FakeChain>,
    pub target: crate::targets::Target,
    _dir: tempfile::TempDir,
}

pub(crate) const MANAGER: &str = "0xaa";
pub(crate) const HANDLER: &str = "0xbb";

/// A rig whose manager holds operators `a`, `b` and `c` (weight 1 each), threshold 2,
/// taking at most `max_batch` envelopes per transaction.
pub(crate) fn rig(max_batch: usize) -> Rig {
    rig_with(max_batch, "")
}

/// [`rig`] with `extra` TOML tables appended to its configuration.
pub(crate) fn rig_with(max_batch: usize, extra: &str) -> Rig {
    use crate::config::AggregatorConfig;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let config = format!(
        r#"
        data-dir = "{}"
        adapters-dir = "{}"
        max-batch = {max_batch}
        [submitter]
        private-key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        [chains.fake]
        family = "fake"
        chain-id = "1"
        rpc-urls = ["http://127.0.0.1:1"]
        [[targets]]
        chain = "fake"
        manager = "{MANAGER}"
        handler = "{HANDLER}"
        {extra}
        "#,
        dir.path().display(),
        adapters.display()
    );
    let config = AggregatorConfig::parse(&config).unwrap();
    config.validate().unwrap();
    let chain = Arc::new(FakeChain::new(MANAGER, HANDLER, &["a", "b", "c"], 2));
    let engine = wavs_runtime::WasmEngine::new(dir.path().join("cache")).unwrap();
    let registry = Arc::new(wavs_runtime::AdapterRegistry::new(engine, &adapters).unwrap());
    let chains = crate::chains::Chains::default();
    let entry = config.chains["fake"].clone();
    chains.insert("fake", crate::chains::ServedChain::new(entry, chain.clone(), vec![chain.clone() as Arc<dyn SubmitChain>], false));
    let token = crate::auth::ApiToken::secret_of("test");
    let agg = crate::Aggregator::assemble(config, token, registry, chains).unwrap();
    let target = crate::targets::Target::new("fake", MANAGER, HANDLER);
    Rig { agg: Arc::new(agg), chain, target, _dir: dir }
}

impl Rig {
    /// Counts the signatures of `signers` over envelope `id` (event id `[id; 32]`), with
    /// the weights the chain holds now, and commits them: as intake would after
    /// verifying them.
    pub(crate) async fn signed(&self, id: u8, signers: &[&str]) {
        let envelope = wavs_types::WireEnvelope { event_id: vec![id; 32], ordering: vec![0; 12], payload: vec![id] };
        let key = self.key(id);
        let set = self.chain.operator_set(MANAGER).await.unwrap();
        let quorum = crate::quorum::Quorum::from_set(&set);
        let caps = self.agg.config.limits.caps();
        for signer in signers {
            let signature = vec![id; 65];
            let now = crate::now_ms();
            let added = self.agg.queue.lock().stage(|q| q.add(key.clone(), &envelope, signer.to_string(), signature, &quorum, &caps, now));
            added.unwrap();
        }
        self.agg.committer.commit().await.unwrap();
    }

    /// The queue's key of envelope `id`.
    pub(crate) fn key(&self, id: u8) -> crate::queue::Key {
        crate::queue::Key { target: self.target.clone(), event_id: vec![id; 32], digest: vec![id; 32] }
    }

    /// Envelope `id`'s state now.
    pub(crate) fn state(&self, id: u8) -> wavs_types::EnvelopeStatus {
        self.agg.queue.lock().status_of(&self.key(id)).expect("the envelope is known")
    }
}
