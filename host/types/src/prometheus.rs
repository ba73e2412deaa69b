//! The Prometheus text format (0.0.4) of the node's and the aggregator's `/metrics`, on
//! the `prometheus` crate: values read at scrape time (store counts, chain state,
//! counters kept elsewhere) become metric families here, and the crate's encoder writes
//! them together with any registry's families, escaping help texts and label values.

use ::prometheus::proto::MetricFamily;
use ::prometheus::core::Collector;
use ::prometheus::{IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, TextEncoder};

/// The text format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Names, help texts and labels are literals of the callers, so a refusal is a bug.
const VALID: &str = "valid metric name, help and labels";

/// The metric families of one scrape, written in the order they were added.
#[derive(Default)]
pub struct Exposition {
    families: Vec<MetricFamily>,
}

impl Exposition {
    /// A gauge without labels.
    pub fn gauge(&mut self, name: &str, help: &str, value: u64) {
        let gauge = IntGauge::new(name, help).expect(VALID);
        gauge.set(int(value));
        self.add(&gauge);
    }

    /// A counter without labels, standing at `value`.
    pub fn counter(&mut self, name: &str, help: &str, value: u64) {
        let counter = IntCounter::new(name, help).expect(VALID);
        counter.inc_by(value);
        self.add(&counter);
    }

    /// A gauge with a series per row: the values of `labels`, in their order, and the value.
    pub fn gauges<'a, const N: usize>(&mut self, name: &str, help: &str, labels: [&str; N], rows: impl IntoIterator<Item = ([&'a str; N], u64)>) {
        let gauges = IntGaugeVec::new(Opts::new(name, help), &labels).expect(VALID);
        rows.into_iter().for_each(|(values, value)| gauges.with_label_values(&values).set(int(value)));
        self.add(&gauges);
    }

    /// A counter with a series per row: the values of `labels`, in their order, and the value.
    pub fn counters<'a, const N: usize>(&mut self, name: &str, help: &str, labels: [&str; N], rows: impl IntoIterator<Item = ([&'a str; N], u64)>) {
        let counters = IntCounterVec::new(Opts::new(name, help), &labels).expect(VALID);
        rows.into_iter().for_each(|(values, value)| counters.with_label_values(&values).inc_by(value));
        self.add(&counters);
    }

    /// Families gathered elsewhere, such as a `prometheus::Registry` kept as the process works.
    pub fn extend(&mut self, families: impl IntoIterator<Item = MetricFamily>) {
        self.families.extend(families);
    }

    fn add(&mut self, metric: &dyn Collector) {
        self.families.extend(metric.collect());
    }

    /// The text. A family without series (a labelled metric with no rows yet) is left
    /// out: the encoder refuses one, as `Registry::gather` never yields one.
    pub fn encode(&self) -> String {
        let families: Vec<MetricFamily> = self.families.iter().filter(|f| !f.get_metric().is_empty()).cloned().collect();
        TextEncoder::new().encode_to_string(&families).unwrap_or_else(|e| format!("# cannot write the metrics: {e}\n"))
    }
}

/// A gauge's value: counts and sizes never come near `i64::MAX`, but saturate if they did.
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::Exposition;

    #[test]
    fn families_keep_their_order_labels_are_escaped_and_empty_ones_are_left_out() {
        let mut out = Exposition::default();
        out.counter("x_total", "Xs.", 3);
        out.gauges("y", "Ys by chain.", ["chain"], [(["a\"b\\c\nd"], 2)]);
        out.counters("z_total", "Zs by chain.", ["chain"], []);
        out.gauge("w", "W.", 1);
        assert_eq!(
            out.encode(),
            "# HELP x_total Xs.\n# TYPE x_total counter\nx_total 3\n\
             # HELP y Ys by chain.\n# TYPE y gauge\ny{chain=\"a\\\"b\\\\c\\nd\"} 2\n\
             # HELP w W.\n# TYPE w gauge\nw 1\n"
        );
    }
}
