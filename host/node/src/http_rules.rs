//! The node-wide rules over components' HTTP allow-lists (`wavs_runtime::http_policy`):
//! the operator's `http-allow-private`, and where this node's own services are, so that
//! no component reaches its API, its aggregator or its chains' RPC endpoints.

use std::net::SocketAddr;
use wavs_runtime::HttpRules;
use wavs_runtime::http_policy::OwnService;

/// The rules, with where the node's API and aggregator are.
#[derive(Clone)]
pub(crate) struct OwnServices {
    pub rules: HttpRules,
    pub api_addr: SocketAddr,
    pub aggregator_url: Option<String>,
}

impl OwnServices {
    /// Tells the rules where the node's own services are now: its API (as configured),
    /// its aggregator and the RPC URLs of its chains, `(name, urls)`. Called at start
    /// and when a chain is added.
    pub(crate) fn refresh<'a>(&self, chains: impl IntoIterator<Item = (String, &'a [String])>) {
        self.rules.set_own_services("api", vec![OwnService::socket(API, self.api_addr)]);
        let aggregator = self.aggregator_url.as_deref().and_then(|url| OwnService::url(AGGREGATOR, url));
        self.rules.set_own_services("aggregator", aggregator.into_iter().collect());
        let rpc = chains
            .into_iter()
            .flat_map(|(name, urls)| {
                let what = format!("chain {name}'s RPC endpoint (rpc-urls)");
                urls.iter().filter_map(|url| OwnService::url(what.clone(), url)).collect::<Vec<_>>()
            })
            .collect();
        self.rules.set_own_services("chains", rpc);
    }

    /// Records the address the API actually listens on (`api-addr` with port 0 gets
    /// its port only when bound); the configured one stays refused too.
    pub(crate) fn note_api_addr(&self, bound: SocketAddr) {
        let configured = OwnService::socket(API, self.api_addr);
        self.rules.set_own_services("api", vec![configured, OwnService::socket(API, bound)]);
    }
}

const API: &str = "the node's API (api-addr)";
const AGGREGATOR: &str = "the node's aggregator (aggregator-url)";
