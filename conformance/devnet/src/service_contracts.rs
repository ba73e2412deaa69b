//! Contracts of a service's own, for devnets whose nodes sign each service with its own
//! key (`per-service-keys`), registered as a real operator registers: the service's
//! manager lists the operators' chain accounts, and each node registers its key for the
//! service there (`POST /services/{id}/keys/register`, `wavs keys --service S --register`),
//! sending the transaction from its operator account, which the devnet funds first.

use crate::devnet::Devnet;
use crate::flows::is_stopped;
use wavs_client::AggregatorClient;
use wavs_runtime::bindings::testing_api::{TestDeployment, TestOperator};
use wavs_types::aggregator_targets::TargetRequest;
use wavs_types::node_api::KeyRegistered;

/// What each operator's chain account gets to pay its registrations' fees: 0.1 ETH on
/// anvil, a thousandth of a dev account's stake on wasmd.
fn operator_funds(family: &str) -> u64 {
    match family {
        "cosmos" => (crate::wasmd::DEV_FUNDS / 1000) as u64,
        _ => 100_000_000_000_000_000,
    }
}

impl Devnet {
    /// Deploys on chain `name` a manager of the devnet's scheme (each running node's
    /// operator account, weight 1, at the devnet's threshold: a bn254-bls manager weighs
    /// the accounts' addresses), handler and trigger contract; funds each operator's
    /// account and has its node register its key for `service` at the manager; has the
    /// aggregator serve the contracts. The service need not be deployed yet. Answers the
    /// deployment and each node's registration, in the nodes' order.
    pub async fn deploy_service_contracts(&self, name: &str, service: &str) -> Result<(TestDeployment, Vec<KeyRegistered>), String> {
        let chain = self.chain(name)?;
        let nodes: Vec<_> = self.nodes.iter().filter(|n| !is_stopped(&n.url)).collect();
        let mut operators = Vec::new();
        for node in &nodes {
            let public_key = self.fund_operator(&node.url, name).await?;
            operators.push(TestOperator { public_key, proof: vec![], weight: 1 });
        }
        let deployment = chain
            .deployer
            .deploy_service(self.scheme.into(), &operators, self.threshold)
            .await
            .map_err(|e| format!("deploying {service}'s contracts on {name}: {e}"))?;
        let mut registered = Vec::new();
        for node in &nodes {
            let answer = self
                .client(&node.url)
                .register_service_key(service, name, &deployment.manager)
                .await
                .map_err(|e| format!("POST {}/services/{service}/keys/register: {e}", node.url))?;
            registered.push(answer);
        }
        self.serve_target(name, service, &deployment).await?;
        Ok((deployment, registered))
    }

    /// Funds the operator account of the node at `url` on chain `name`, as an operator
    /// funds the account its registrations are paid from; answers the account's public key.
    pub async fn fund_operator(&self, url: &str, name: &str) -> Result<Vec<u8>, String> {
        let chain = self.chain(name)?;
        let answer = self.client(url).operator().await.map_err(|e| format!("GET {url}/operator: {e}"))?;
        let entry = answer.chains.get(name).ok_or_else(|| format!("{url} has no key on {name}"))?;
        let public_key = wavs_types::hex_bytes::decode(&entry.public_key)?;
        chain
            .deployer
            .fund(&public_key, operator_funds(&chain.chain.spec.family))
            .await
            .map_err(|e| format!("funding {url}'s operator account on {name}: {e}"))?;
        Ok(public_key)
    }

    /// Has the aggregator serve `deployment`'s manager and handler on chain `name`.
    async fn serve_target(&self, name: &str, service: &str, deployment: &TestDeployment) -> Result<(), String> {
        let target = TargetRequest { chain: name.into(), manager: deployment.manager.clone(), handler: deployment.handler.clone() };
        // The aggregator keeps its generated token (the devnet opens only the nodes' APIs).
        let token = std::fs::read_to_string(self.dir.path().join("aggregator/api-token")).map_err(|e| format!("the aggregator's api-token: {e}"))?;
        AggregatorClient::with_http(&self.aggregator_url, self.http.clone())
            .with_token(Some(token.trim().to_string()))
            .register_target(&target)
            .await
            .map_err(|e| format!("registering {service}'s target with the aggregator: {e}"))?;
        Ok(())
    }
}
