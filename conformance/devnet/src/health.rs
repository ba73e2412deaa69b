//! The nodes' and the aggregator's `GET /health`, read typed: tests wait on fields of
//! [`NodeHealth`] and [`AggregatorHealth`] instead of string keys, so a renamed field
//! fails to build rather than waiting 20 s for a key that is no longer there.

use crate::devnet::Devnet;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};
use wavs_types::aggregator_health::AggregatorHealth;
use wavs_types::health::NodeHealth;

/// How long the waits poll before they fail with the last answer.
const WAIT: Duration = Duration::from_secs(20);

impl Devnet {
    /// `GET url` read as `T`, with the HTTP status.
    pub async fn get_as<T: DeserializeOwned>(&self, url: &str) -> Result<(u16, T), String> {
        let (status, body) = self.get(url).await?;
        let typed = serde_json::from_value(body.clone()).map_err(|e| format!("GET {url}: {e}: {body}"))?;
        Ok((status, typed))
    }

    /// The node at `node`'s `/health` (200, or 503 while its store cannot write).
    pub async fn node_health(&self, node: &str) -> Result<(u16, NodeHealth), String> {
        self.get_as(&format!("{node}/health")).await
    }

    /// The aggregator's `/health` (200, or 503 while its store cannot write).
    pub async fn aggregator_health(&self) -> Result<(u16, AggregatorHealth), String> {
        self.get_as(&format!("{}/health", self.aggregator_url)).await
    }

    /// Polls the node at `node` until `done` holds for its `/health`; after 20 s fails
    /// with the last answer.
    pub async fn wait_for_health(&self, node: &str, what: &str, done: impl Fn(&NodeHealth) -> bool) -> Result<NodeHealth, String> {
        self.wait_for_as(&format!("{node}/health"), what, done).await
    }

    /// Polls the aggregator until `done` holds for its `/health`; after 20 s fails with
    /// the last answer.
    pub async fn wait_for_aggregator_health(&self, what: &str, done: impl Fn(&AggregatorHealth) -> bool) -> Result<AggregatorHealth, String> {
        self.wait_for_as(&format!("{}/health", self.aggregator_url), what, done).await
    }

    /// Polls `url` until `done` holds for its answer read as `T`. An answer of another
    /// shape (an error body) counts as not done yet.
    async fn wait_for_as<T: DeserializeOwned + std::fmt::Debug>(&self, url: &str, what: &str, done: impl Fn(&T) -> bool) -> Result<T, String> {
        let started = Instant::now();
        loop {
            let (_, body) = self.get(url).await?;
            let last = match serde_json::from_value::<T>(body.clone()) {
                Ok(typed) if done(&typed) => return Ok(typed),
                Ok(typed) => format!("{typed:?}"),
                Err(e) => format!("{body} ({e})"),
            };
            if started.elapsed() > WAIT {
                return Err(format!("{what}: after 20 s {url} still answers {last}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
