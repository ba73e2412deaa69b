//! An executor on a real component (`echo`), a real on-disk store, a fake chain for
//! digests and an aggregator double: what the executor's and the scheduler's tests run on.

use super::{FakeAggregator, guest};
use crate::deployed::Deployed;
use crate::error::{NodeError, Result};
use crate::executions::OutcomeCounts;
use crate::executor::{BoxFuture, Executor, ExecutorParts, Signed, SigningTargets, ToSign};
use wavs_types::Scheme;
use crate::job::{Job, TriggerKey};
use crate::metrics::NodeMetrics;
use crate::sender::Sender;
use crate::store::{PendingJob, Store};
use parking_lot::Mutex;
use sha2::Digest;
use std::sync::Arc;
use wavs_runtime::bindings::wit_types::TriggerData;
use wavs_runtime::{ComponentRunner, RuntimeError, Signer, WasmEngine};
use wavs_types::{ServiceManifest, WireEnvelope};

pub(crate) const KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

/// A chain in memory: its digest hashes the handler and the envelope; it can be told to
/// fail the next calls as a trapping adapter would.
#[derive(Default)]
pub(crate) struct FakeTargets {
    pub(crate) faults: Mutex<u32>,
    pub(crate) calls: Mutex<u32>,
}

impl FakeTargets {
    pub(crate) fn digest_of(handler: &str, envelope: &WireEnvelope) -> Vec<u8> {
        let mut hash = sha2::Sha256::new();
        for part in [handler.as_bytes(), &envelope.event_id, &envelope.ordering, &envelope.payload] {
            hash.update((part.len() as u32).to_be_bytes());
            hash.update(part);
        }
        hash.finalize().to_vec()
    }
}

impl SigningTargets for FakeTargets {
    fn digest<'a>(&'a self, chain: &'a str, handler: &'a str, envelope: &'a WireEnvelope) -> BoxFuture<'a, Result<ToSign>> {
        Box::pin(async move {
            if chain != "fake" {
                return Err(NodeError::Invalid(format!("chain {chain} is not configured")));
            }
            *self.calls.lock() += 1;
            let mut faults = self.faults.lock();
            if *faults > 0 {
                *faults -= 1;
                let cause = Box::new(RuntimeError::Trap("wasm trap: unreachable".into()));
                return Err(RuntimeError::AdapterFault { call: "envelope-digest".into(), cause }.into());
            }
            Ok(ToSign { digest: FakeTargets::digest_of(handler, envelope), scheme: Scheme::Secp256k1Ecdsa })
        })
    }

    fn sign(&self, _chain: &str, key_index: u64, to_sign: &ToSign) -> Result<Signed> {
        let signer = Signer::from_hex(KEY)?.for_service(key_index)?;
        Ok(Signed { signature: signer.sign_for(to_sign.scheme, &to_sign.digest)?, public_key: signer.public_key_for(to_sign.scheme)? })
    }
}

/// The fake chain's blocks are `FAKE_BLOCK_MS` apart from the epoch: block `h` at `h * FAKE_BLOCK_MS`.
pub(crate) const FAKE_BLOCK_MS: u64 = 2_000;

impl crate::executor::BlockTimes for FakeTargets {
    fn block_time<'a>(&'a self, chain: &'a str, height: u64) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            if chain != "fake" {
                return Err(NodeError::Invalid(format!("chain {chain} is not configured")));
            }
            Ok(height * FAKE_BLOCK_MS)
        })
    }
}

pub(crate) struct Rig {
    _dir: tempfile::TempDir,
    pub(crate) store: Arc<Store>,
    pub(crate) executor: Arc<Executor>,
    pub(crate) targets: Arc<FakeTargets>,
    pub(crate) aggregator: FakeAggregator,
    pub(crate) outcomes: Arc<OutcomeCounts>,
    pub(crate) runner: Arc<ComponentRunner>,
    /// The deployed services the executor reads (`svc` to start with).
    pub(crate) services: Deployed,
}

impl Rig {
    /// Where the rig keeps its files.
    pub(crate) fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

/// `echo` deployed as service `svc`, whose workflow `main` signs for `chain`.
pub(crate) async fn rig(chain: &str) -> Rig {
    rig_with(chain, 2).await
}

/// [`rig`] running at most `max_concurrent` executions at once.
pub(crate) async fn rig_with(chain: &str, max_concurrent: usize) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("data")).unwrap());
    let runner = Arc::new(ComponentRunner::new(WasmEngine::new(dir.path().join("cache")).unwrap()).unwrap());
    let (digest, _) = runner.load(&guest("components/echo.wasm")).unwrap();
    let manifest = ServiceManifest::from_json(&format!(
        r#"{{ "id": "svc", "components": {{ "echo": {{ "digest": "{digest}" }} }},
             "workflows": {{ "main": {{ "trigger": "manual", "component": "echo",
               "submit": {{ "aggregator": {{ "chain": "{chain}", "handler": "0x02", "manager": "0x03" }} }} }} }} }}"#
    ))
    .unwrap();
    let services = Deployed::default();
    services.write().insert("svc".into(), Arc::new(manifest));
    let (aggregator, url) = FakeAggregator::start().await;
    let metrics = Arc::new(NodeMetrics::default());
    let sender = Sender::new(store.clone(), Some(url), metrics.clone()).unwrap();
    let targets = Arc::new(FakeTargets::default());
    let outcomes = Arc::new(OutcomeCounts::default());
    let executor = Arc::new(Executor::new(ExecutorParts {
        store: store.clone(),
        runner: runner.clone(),
        kv: store.clone(),
        services: services.clone(),
        targets: targets.clone(),
        block_times: targets.clone(),
        limits: serde_json::from_str("{}").unwrap(),
        max_concurrent,
        outcomes: outcomes.clone(),
        metrics,
        sender,
        secrets: Arc::new(crate::secrets::Secrets::open(dir.path()).unwrap()),
    }));
    Rig { _dir: dir, store, executor, targets, aggregator, outcomes, runner, services }
}

pub(crate) async fn task(rig: &Rig, id: &str, payload: &[u8]) -> PendingJob {
    let job = Job {
        service_id: "svc".into(),
        workflow_id: "main".into(),
        data: TriggerData::Raw(payload.to_vec()),
        key: TriggerKey::Manual { task_id: id.into() },
    };
    rig.store.enqueue_job(job, 0).await.unwrap()
}
