//! Contracts of a service's own, for devnets whose nodes sign each service with its own
//! key (`per-service-keys`): each operator's key for the service is what its node lists
//! (`POST /services/{id}/keys`, as `wavs keys --service` shows it), registered in a new
//! manager, as an operator registers at the manager of each service it runs.

use crate::devnet::Devnet;
use crate::flows::is_stopped;
use wavs_client::AggregatorClient;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_types::Scheme;
use wavs_types::aggregator_targets::TargetRequest;

impl Devnet {
    /// Deploys on chain `name` a manager (with each running node's key for `service`,
    /// weight 1, at the devnet's threshold), handler and trigger contract, and has the
    /// aggregator serve them. The service need not be deployed yet.
    pub async fn deploy_service_contracts(&self, name: &str, service: &str) -> Result<TestDeployment, String> {
        let chain = self.chain(name)?;
        let mut operators = Vec::new();
        for node in self.nodes.iter().filter(|n| !is_stopped(&n.url)) {
            let answer = self.client(&node.url).service_keys(service).await.map_err(|e| format!("POST {}/services/{service}/keys: {e}", node.url))?;
            let entry = answer.chains.get(name).ok_or_else(|| format!("{} lists no key for {service} on {name}", node.url))?;
            let (public_key, proof) = match self.scheme {
                Scheme::Secp256k1Ecdsa => (entry.public_key.clone(), String::new()),
                scheme => {
                    let key = entry.schemes.get(scheme.as_str()).ok_or_else(|| format!("{} lists no {scheme} key on {name}", node.url))?;
                    (key.public_key.clone(), key.proof.clone())
                }
            };
            let decode = |hex: &str| if hex.is_empty() { Ok(vec![]) } else { wavs_types::hex_bytes::decode(hex) };
            operators.push(TestOperator { public_key: decode(&public_key)?, proof: decode(&proof)?, weight: 1 });
        }
        let deployment = chain
            .deployer
            .deploy_service(self.scheme.into(), &operators, self.threshold)
            .await
            .map_err(|e| format!("deploying {service}'s contracts on {name}: {e}"))?;
        let target = TargetRequest { chain: name.into(), manager: deployment.manager.clone(), handler: deployment.handler.clone() };
        // The aggregator keeps its generated token (the devnet opens only the nodes' APIs).
        let token = std::fs::read_to_string(self.dir.path().join("aggregator/api-token")).map_err(|e| format!("the aggregator's api-token: {e}"))?;
        AggregatorClient::with_http(&self.aggregator_url, self.http.clone())
            .with_token(Some(token.trim().to_string()))
            .register_target(&target)
            .await
            .map_err(|e| format!("registering {service}'s target with the aggregator: {e}"))?;
        Ok(deployment)
    }
}
