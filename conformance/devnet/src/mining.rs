//! Driving anvil's blocks, for tests of what happens while a transaction waits to be
//! mined (automine off, the pool's pending count, mining one block) or until a block is
//! final (mining many at once).

use crate::chain::LocalChain;
use serde_json::{Value, json};

impl LocalChain {
    async fn anvil_rpc(&self, method: &str, params: Value) -> Result<Value, String> {
        let url = self.spec.rpc_urls.first().ok_or("the chain has no RPC URL")?;
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let answer: Value = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{method}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("{method}: {e}"))?;
        match answer.get("error") {
            Some(error) => Err(format!("{method}: {error}")),
            None => Ok(answer["result"].clone()),
        }
    }

    /// Turns anvil's mining of each transaction as it arrives on or off.
    pub async fn set_automine(&self, on: bool) -> Result<(), String> {
        self.anvil_rpc("evm_setAutomine", json!([on])).await.map(|_| ())
    }

    /// Mines one block with whatever is pending.
    pub async fn mine(&self) -> Result<(), String> {
        self.anvil_rpc("evm_mine", json!([])).await.map(|_| ())
    }

    /// Mines `blocks` empty blocks at once.
    pub async fn mine_blocks(&self, blocks: u64) -> Result<(), String> {
        self.anvil_rpc("anvil_mine", json!([format!("0x{blocks:x}")])).await.map(|_| ())
    }

    /// Transactions waiting in anvil's pool.
    pub async fn pending_transactions(&self) -> Result<u64, String> {
        let status = self.anvil_rpc("txpool_status", json!([])).await?;
        let pending = status["pending"].as_str().ok_or_else(|| format!("txpool_status: {status}"))?;
        u64::from_str_radix(pending.trim_start_matches("0x"), 16).map_err(|e| format!("txpool_status: {e}"))
    }
}
