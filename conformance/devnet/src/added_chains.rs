//! Chains added while a devnet runs: another local chain started beside it and given to
//! the running nodes and aggregator at runtime, with the reference contracts deployed on
//! it for the keys the nodes took for it. Through the adapter's testing interface, as
//! the devnet's own chains, so nothing here knows the chain.

use crate::chain::LocalChain;
use crate::devnet::{ChainKind, DevChain, Devnet, load_adapters};
use crate::keys::dev_key;
use serde_json::Value;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterSigner, ChainAdapter, Limits};
use wavs_types::Scheme;

impl Devnet {
    /// Starts another anvil with `chain_id` (logging into the devnet's directory); no
    /// process is told of it.
    pub async fn start_another_anvil(&self, chain_id: u64) -> Result<LocalChain, String> {
        LocalChain::start_anvil_with_id(self.dir.path(), chain_id).await
    }

    /// `chain` as the node's and the aggregator's `POST /chains` take it, named `name`.
    pub fn chain_request(name: &str, chain: &LocalChain) -> Value {
        let mut body = serde_json::to_value(&chain.spec).expect("a chain spec is JSON");
        body["name"] = Value::String(name.to_string());
        body
    }

    /// Deploys the reference contracts on `chain`, which every running node serves as
    /// `name` already, for each node's key on it (`GET /operator`, weight 1 each) with
    /// `threshold`, paid by dev key 0. The chain joins the devnet's chains as `name`.
    pub async fn deploy_on_added_chain(&mut self, name: &str, chain: LocalChain, threshold: u64) -> Result<&DevChain, String> {
        let mut operators = Vec::new();
        for node in &self.nodes {
            let answer = self.client(&node.url).operator().await.map_err(|e| format!("GET {}/operator: {e}", node.url))?;
            let key = answer.chains.get(name).ok_or_else(|| format!("node {} serves no chain {name} (it lists {:?})", node.url, answer.chains.keys()))?;
            let public_key = wavs_types::hex_bytes::decode(&key.public_key)?;
            operators.push(TestOperator { public_key, proof: vec![], weight: 1 });
        }
        let (registry, _) = load_adapters(&self.dir.path().join(name), &[ChainKind::Anvil]).await?;
        let deployer = ChainAdapter::from_spec(registry, name, &chain.spec, AdapterSigner::Submitting(dev_key(0)), Limits::ADAPTER_DEFAULT);
        let deployment = deployer
            .deploy_service(Scheme::Secp256k1Ecdsa.into(), &operators, threshold)
            .await
            .map_err(|e| format!("deploying contracts on {name}: {e}"))?;
        self.chains.push(DevChain { name: name.to_string(), chain, deployer, deployment });
        Ok(self.chains.last().expect("just added"))
    }
}
