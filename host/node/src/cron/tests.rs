//! The cron stage on a real store, with the time given: first sight, ticks due, catch-up
//! after downtime, a restart that carries on from the stored cursor, and removal.

use super::Cron;
use crate::deployed::Deployed;
use crate::job::TriggerKey;
use crate::reader::JobSink;
use crate::store::{PendingJob, Store};
use parking_lot::Mutex;
use std::sync::Arc;
use wavs_types::ServiceManifest;

/// A sink that keeps what it was handed.
#[derive(Default)]
struct Collect(Mutex<Vec<PendingJob>>);

impl JobSink for Collect {
    fn schedule(self: Arc<Self>, pending: PendingJob) {
        self.0.lock().push(pending);
    }

    fn retry_postponed(self: Arc<Self>) {}
}

impl Collect {
    /// The tick times handed over since the last call.
    fn ticks(&self) -> Vec<u64> {
        let taken = std::mem::take(&mut *self.0.lock());
        taken
            .into_iter()
            .map(|p| match p.job.key {
                TriggerKey::Cron { time_unix_s } => time_unix_s,
                other => panic!("{other:?}"),
            })
            .collect()
    }
}

/// Service `svc` with workflow `tick` every minute.
fn deployed() -> Deployed {
    let manifest = ServiceManifest::from_json(&format!(
        r#"{{ "id": "svc", "components": {{ "c": {{ "digest": "{}" }} }},
             "workflows": {{ "tick": {{ "trigger": {{ "cron": {{ "schedule": "* * * * *" }} }}, "component": "c", "submit": "none" }} }} }}"#,
        "ab".repeat(32)
    ))
    .unwrap();
    let deployed = Deployed::default();
    deployed.write().insert("svc".into(), Arc::new(manifest));
    deployed
}

const T0: u64 = 1_800_000_000 - 1_800_000_000 % 60 + 30; // half a minute past a minute

#[tokio::test]
async fn ticks_are_queued_once_from_first_sight_and_the_newest_after_downtime() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let (services, collect) = (deployed(), Arc::new(Collect::default()));
    let sink: Arc<dyn JobSink> = collect.clone();
    let cron = Cron::new(store.clone(), 2);

    // First sight: nothing from before the deploy.
    cron.queue_due_ticks(&services, &sink, T0, None).await.unwrap();
    assert!(collect.ticks().is_empty());
    assert_eq!(cron.health()[0].next_tick, Some(T0 + 30));

    // Three minutes later, looking every second: each minute once.
    for now in T0 + 1..=T0 + 180 {
        cron.queue_due_ticks(&services, &sink, now, Some(now - 1)).await.unwrap();
    }
    assert_eq!(collect.ticks(), vec![T0 + 30, T0 + 90, T0 + 150]);
    assert_eq!(cron.health()[0].last_queued_tick, Some(T0 + 150));
    assert_eq!(store.pending_jobs().unwrap().len(), 3, "stored before they are handed over");

    // A restart ten minutes later: a new stage on the same store runs the newest two
    // missed ticks (cron-catch-up = 2), never one already queued.
    let cron = Cron::new(store.clone(), 2);
    cron.queue_due_ticks(&services, &sink, T0 + 780, None).await.unwrap();
    assert_eq!(collect.ticks(), vec![T0 + 690, T0 + 750]);
    cron.queue_due_ticks(&services, &sink, T0 + 781, Some(T0 + 780)).await.unwrap();
    assert!(collect.ticks().is_empty(), "nothing twice");
}

#[tokio::test]
async fn a_removed_service_leaves_the_table_at_the_next_look() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let (services, collect) = (deployed(), Arc::new(Collect::default()));
    let sink: Arc<dyn JobSink> = collect.clone();
    let cron = Cron::new(store, 2);
    cron.queue_due_ticks(&services, &sink, T0, None).await.unwrap();
    assert_eq!(cron.health().len(), 1);

    services.write().clear();
    cron.services_changed();
    cron.queue_due_ticks(&services, &sink, T0 + 120, Some(T0)).await.unwrap();
    assert!(cron.health().is_empty());
    assert!(collect.ticks().is_empty(), "no tick for a removed service");
}
