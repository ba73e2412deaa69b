//! A real single-node wasmd chain: it starts, makes blocks, and the dev accounts (the EVM
//! devnet's secp256k1 keys) hold `stake`. Needs the wasmd that `scripts/build-wasmd.sh`
//! builds; fails (does not skip) without it.

use serde_json::Value;
use std::time::{Duration, Instant};
use wavs_devnet::chain::LocalChain;
use wavs_devnet::wasmd;

/// Polls the height until `done(height)`, failing after `timeout`.
async fn wait_height(http: &reqwest::Client, rpc: &str, timeout: Duration, done: impl Fn(u64) -> bool) -> u64 {
    let started = Instant::now();
    loop {
        let height = wasmd::height(http, rpc).await;
        if let Some(h) = height.filter(|h| done(*h)) {
            return h;
        }
        assert!(started.elapsed() < timeout, "wasmd height stuck at {height:?} after {timeout:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmd_chain_makes_blocks_and_funds_the_dev_accounts() {
    let dir = tempfile::Builder::new().prefix("wavs-wasmd-").tempdir().unwrap();
    let spawned = Instant::now();
    let chain =
        LocalChain::start_wasmd(dir.path()).await.unwrap_or_else(|e| panic!("the wasmd chain did not start: {e}"));
    eprintln!("spawn -> height 2: {} ms", spawned.elapsed().as_millis());

    let spec = &chain.spec;
    assert_eq!(spec.family, "cosmos");
    assert_eq!(spec.chain_id, "wavs-local-1");
    assert_eq!(spec.rpc_urls.len(), 1, "the CometBFT RPC only: {:?}", spec.rpc_urls);
    let rpc = &spec.rpc_urls[0];
    let rest = chain.rest_url.as_ref().expect("wasmd has a REST API");
    assert_eq!(spec.options["bech32-prefix"], "wasm");
    assert_eq!(spec.options["fee-denom"], "stake");
    assert_eq!(spec.options["gas-price"], "0.025");
    spec.validate("wasmd").unwrap();

    // The chain reports its id and keeps making blocks.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let status: Value = http.get(format!("{rpc}/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["result"]["node_info"]["network"], "wavs-local-1", "{status}");
    let past_3 = wait_height(&http, rpc, Duration::from_secs(20), |h| h > 3).await;

    // Blocks per second over a few seconds of the running chain.
    let (from, t0) = (past_3, Instant::now());
    tokio::time::sleep(Duration::from_secs(4)).await;
    let to = wait_height(&http, rpc, Duration::from_secs(5), |h| h > from).await;
    let rate = (to - from) as f64 / t0.elapsed().as_secs_f64();
    eprintln!("blocks {from} -> {to} in {:.2} s: {rate:.2} blocks/s", t0.elapsed().as_secs_f64());
    assert!(rate > 1.0, "blocks are too slow for a devnet: {rate:.2}/s (timeout_commit not applied?)");

    // dev0..dev9 are the EVM devnet's secp256k1 keys. dev0 is anvil's account 0 (private
    // key 0xac0974be…f2ff80); its Cosmos address is bech32("wasm",
    // ripemd160(sha256(compressed public key))), computed independently of wasmd.
    let accounts = wasmd::accounts(&wasmd::home(dir.path())).unwrap();
    let names: Vec<&str> = accounts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["dev0", "dev1", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9"]);
    let dev0 = &accounts[0].1;
    assert_eq!(dev0, "wasm15428vq2uzwhm3taey9sr9x5vm6tk78ewngy28j");

    // The REST API shows the genesis balance.
    let url = format!("{rest}/cosmos/bank/v1beta1/balances/{dev0}");
    let balances: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    let stake = balances["balances"]
        .as_array()
        .unwrap_or_else(|| panic!("no balances in {balances}"))
        .iter()
        .find(|c| c["denom"] == "stake")
        .unwrap_or_else(|| panic!("dev0 holds no stake: {balances}"));
    assert_eq!(stake["amount"].as_str().unwrap().parse::<u128>().unwrap(), wasmd::DEV_FUNDS, "{balances}");
}
