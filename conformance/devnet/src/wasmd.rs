//! A real single-node wasmd chain (CosmWasm on the Cosmos SDK), started by
//! `scripts/start-wasmd.sh` from the wasmd that `scripts/build-wasmd.sh` builds and caches.

use crate::chain::{LocalChain, devnet_spec};
use crate::paths;
use crate::process::{Managed, free_port};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The chain id `scripts/start-wasmd.sh` gives the chain.
pub const CHAIN_ID: &str = "wavs-local-1";
/// wasmd's account address prefix.
pub const BECH32_PREFIX: &str = "wasm";
/// The fee and staking denom.
pub const DENOM: &str = "stake";
/// The minimum gas price (in `DENOM`) the node accepts, as app.toml sets it.
pub const GAS_PRICE: &str = "0.025";
/// The `stake` balance each of dev0..dev9 gets at genesis.
pub const DEV_FUNDS: u128 = 1_000_000_000_000_000;

/// How long start-up (genesis, then the first two blocks) may take.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The chain's home directory under a devnet's log directory.
pub fn home(log_dir: &Path) -> PathBuf {
    log_dir.join("wasmd-home")
}

/// The funded dev accounts, `(name, address)` in order dev0..dev9, from the
/// `accounts.txt` that `scripts/start-wasmd.sh` writes into the chain's home.
pub fn accounts(home: &Path) -> Result<Vec<(String, String)>, String> {
    let file = home.join("accounts.txt");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [name, address] => Ok((name.to_string(), address.to_string())),
            _ => Err(format!("{}: bad line {line:?}", file.display())),
        })
        .collect()
}

/// CometBFT's `/status` result, if the RPC answers.
async fn status(http: &reqwest::Client, rpc_url: &str) -> Option<serde_json::Value> {
    let answer: serde_json::Value = http.get(format!("{rpc_url}/status")).send().await.ok()?.json().await.ok()?;
    Some(answer.get("result").unwrap_or(&answer).clone())
}

fn height_of(status: &serde_json::Value) -> Option<u64> {
    match &status["sync_info"]["latest_block_height"] {
        serde_json::Value::String(text) => text.parse().ok(),
        value => value.as_u64(),
    }
}

/// The latest block height CometBFT's `/status` reports, if the RPC answers.
pub async fn height(http: &reqwest::Client, rpc_url: &str) -> Option<u64> {
    height_of(&status(http, rpc_url).await?)
}

/// Whether the node at `rpc_url` is the one whose home is `home` (not another chain that
/// took the port) and has made at least `min_height` blocks.
async fn ours_and_at(http: &reqwest::Client, rpc_url: &str, home: &Path, min_height: u64) -> bool {
    let key_file = home.join("config/priv_validator_key.json");
    let Some(key) =
        std::fs::read_to_string(key_file).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return false;
    };
    let Some(status) = status(http, rpc_url).await else { return false };
    let ours = key["address"].as_str().is_some_and(|a| status["validator_info"]["address"].as_str() == Some(a));
    ours && height_of(&status).is_some_and(|h| h >= min_height)
}

/// Four distinct free loopback ports.
fn free_ports() -> [u16; 4] {
    let mut ports = BTreeSet::new();
    while ports.len() < 4 {
        ports.insert(free_port());
    }
    let ports: Vec<u16> = ports.into_iter().collect();
    [ports[0], ports[1], ports[2], ports[3]]
}

impl LocalChain {
    /// Starts a fresh single-node wasmd chain (home: [`home`]`(log_dir)`, log:
    /// `<log_dir>/wasmd.log`) on free ports and waits until it has made two blocks.
    /// `spec.rpc_urls` is the CometBFT RPC (all the Cosmos adapter uses); the options carry
    /// `bech32-prefix`, `fee-denom` and `gas-price`; `rest_url` is the REST API.
    pub async fn start_wasmd(log_dir: &Path) -> Result<LocalChain, String> {
        Self::start_wasmd_with_id(log_dir, CHAIN_ID).await
    }

    /// As [`LocalChain::start_wasmd`], with another chain id: a second chain whose
    /// contracts sit at the same addresses, for replay tests. Give it a log dir of its own.
    pub async fn start_wasmd_with_id(log_dir: &Path, chain_id: &str) -> Result<LocalChain, String> {
        let bin = paths::wasmd();
        paths::require(&bin, "run scripts/build-wasmd.sh to build the pinned wasmd (or set WAVS_WASMD)")?;
        // The ports are free when picked but bound only after genesis (~10 s later): if
        // another process took one meanwhile, start again on new ports.
        let mut attempt = 1;
        loop {
            match start_once(&bin, log_dir, chain_id).await {
                Err(e) if attempt < 3 && e.contains("address already in use") => attempt += 1,
                result => return result,
            }
        }
    }
}

async fn start_once(bin: &Path, log_dir: &Path, chain_id: &str) -> Result<LocalChain, String> {
    let script = paths::repo_root().join("scripts/start-wasmd.sh");
    let home = home(log_dir);
    let [rpc, rest, grpc, p2p] = free_ports();
    let args =
        [home.to_string_lossy().into_owned(), rpc.to_string(), rest.to_string(), grpc.to_string(), p2p.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let bin_text = bin.to_string_lossy();
    let envs = [("WAVS_WASMD", bin_text.as_ref()), ("WAVS_WASMD_CHAIN_ID", chain_id)];
    let mut process = Managed::spawn("wasmd", &script, &args, &envs, log_dir)?;

    let rpc_url = format!("http://127.0.0.1:{rpc}");
    let rest_url = format!("http://127.0.0.1:{rest}");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
    process
        .wait_until(START_TIMEOUT, || {
            let (http, rpc_url, home) = (http.clone(), rpc_url.clone(), home.clone());
            async move { ours_and_at(&http, &rpc_url, &home, 2).await }
        })
        .await?;

    let options = BTreeMap::from([
        ("bech32-prefix".to_string(), BECH32_PREFIX.to_string()),
        ("fee-denom".to_string(), DENOM.to_string()),
        ("gas-price".to_string(), GAS_PRICE.to_string()),
    ]);
    let spec = devnet_spec("cosmos", chain_id, vec![rpc_url], options);
    Ok(LocalChain { process, spec, rest_url: Some(rest_url) })
}
