//! The node-wide rules over components' HTTP allow-lists (`wavs_runtime::http_policy`):
//! the operator's `http-allow-private`, and where this node's own services are, so that
//! no component reaches its API, its aggregator or its chains' RPC endpoints.

use crate::node::Node;
use std::net::SocketAddr;
use wavs_runtime::http_policy::OwnService;
use wavs_types::ServiceManifest;

impl Node {
    /// Tells the rules where the node's own services are now: its API (as configured),
    /// its aggregator and every chain's RPC URLs. Called at start and when a chain is
    /// added.
    pub(crate) fn refresh_own_services(&self) {
        let rules = self.runner.http_rules();
        rules.set_own_services("api", vec![OwnService::socket(API, self.config.api_addr)]);
        let aggregator = self.config.aggregator_url.as_deref().and_then(|url| OwnService::url(AGGREGATOR, url));
        rules.set_own_services("aggregator", aggregator.into_iter().collect());
        let rpc = self
            .chains
            .all()
            .into_iter()
            .flat_map(|(name, chain)| {
                let what = format!("chain {name}'s RPC endpoint (rpc-urls)");
                chain.spec.rpc_urls.iter().filter_map(|url| OwnService::url(what.clone(), url)).collect::<Vec<_>>()
            })
            .collect();
        rules.set_own_services("chains", rpc);
    }

    /// Records the address the API actually listens on (`api-addr` with port 0 gets
    /// its port only when bound); the configured one stays refused too.
    pub fn note_api_addr(&self, bound: SocketAddr) {
        let configured = OwnService::socket(API, self.config.api_addr);
        self.runner.http_rules().set_own_services("api", vec![configured, OwnService::socket(API, bound)]);
    }

    /// Checks each allow-list entry of `manifest` against the rules; the error names
    /// the component, the entry and why.
    pub(crate) fn check_http_grants(&self, manifest: &ServiceManifest) -> Result<(), String> {
        for (name, spec) in &manifest.components {
            for entry in &spec.permissions.allowed_http_hosts {
                self.runner.http_rules().check_grant(entry).map_err(|why| {
                    format!("components.{name}.permissions.allowed-http-hosts: {entry:?} refused: {why}")
                })?;
            }
        }
        Ok(())
    }

    /// Warns about a stored service granting what the rules now refuse: it still runs,
    /// and each request to such a host is refused when made.
    pub(crate) fn warn_refused_grants(&self, manifest: &ServiceManifest) {
        if let Err(why) = self.check_http_grants(manifest) {
            tracing::warn!(service = %manifest.id, "{why}; requests to it will be refused (redeploy without it, or allow it in http-allow-private)");
        }
    }
}

const API: &str = "the node's API (api-addr)";
const AGGREGATOR: &str = "the node's aggregator (aggregator-url)";
