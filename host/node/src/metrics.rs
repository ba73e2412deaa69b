//! What the node counts as it works, for `GET /metrics` (`api/metrics.rs` reads the
//! rest at scrape time): the executor observes each execution, the sender each send.
//! Kept in a registry of the `prometheus` crate, whose families join the exposition.

use crate::executions::{ExecutionRecord, Outcome};
use crate::store::OutboxState;
use prometheus::proto::MetricFamily;
use prometheus::{Histogram, HistogramOpts, IntCounterVec, Opts, Registry};

/// Fuel and time of executions that succeeded, and what became of each send of a
/// signed envelope, since the node started.
pub struct NodeMetrics {
    registry: Registry,
    fuel: Histogram,
    seconds: Histogram,
    sends: IntCounterVec,
}

impl Default for NodeMetrics {
    fn default() -> Self {
        const FUEL: &[f64] = &[1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
        const SECONDS: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0];
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec())).expect("valid histogram")
        };
        let fuel = histogram("wavs_execution_fuel", "Fuel burnt by executions that succeeded, since start.", FUEL);
        let seconds = histogram("wavs_execution_duration_seconds", "Time of executions that succeeded, since start.", SECONDS);
        let sends = IntCounterVec::new(
            Opts::new(
                "wavs_envelope_sends_total",
                "Sends of signed envelopes to the aggregator since start, by outcome: acked, failed for good, or error (sent again later).",
            ),
            &["outcome"],
        )
        .expect("valid counter");
        // Every outcome shows from the start, at 0.
        for outcome in ["acked", "failed", "error"] {
            sends.with_label_values(&[outcome]);
        }
        let registry = Registry::new();
        for metric in [Box::new(fuel.clone()) as Box<dyn prometheus::core::Collector>, Box::new(seconds.clone()), Box::new(sends.clone())] {
            registry.register(metric).expect("names are distinct");
        }
        NodeMetrics { registry, fuel, seconds, sends }
    }
}

impl NodeMetrics {
    /// Counts a recorded execution in the fuel and time histograms (those that ran to
    /// the end; a failed run records no fuel).
    pub(crate) fn observe_execution(&self, record: &ExecutionRecord) {
        if matches!(record.outcome, Outcome::Ok) {
            self.fuel.observe(record.fuel_used as f64);
            self.seconds.observe(record.elapsed_ms as f64 / 1000.0);
        }
    }

    /// Counts one send of a signed envelope by its outcome.
    pub(crate) fn observe_send(&self, state: &OutboxState) {
        let outcome = match state {
            OutboxState::Acked { .. } => "acked",
            OutboxState::Failed { .. } => "failed",
            OutboxState::Pending { .. } => "error",
        };
        self.sends.with_label_values(&[outcome]).inc();
    }

    /// These metrics' families as they stand, for the exposition.
    pub(crate) fn families(&self) -> Vec<MetricFamily> {
        self.registry.gather()
    }
}
