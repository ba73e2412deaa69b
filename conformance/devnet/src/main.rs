//! `wavs-devnet`: the local demo. Starts a chain, deploys the contracts, runs three
//! operator nodes (quorum 2 of 3) and an aggregator, deploys the square service, fires
//! a trigger on chain and prints the squared value read back from the handler contract.

use std::time::Duration;
use wavs_devnet::{Devnet, DevnetOptions, paths};

fn step(text: &str) {
    println!("==> {text}");
}

fn usage() -> ! {
    eprintln!("usage: wavs-devnet [--value N] [--exit]\n  --value N  the number to square (default 7)\n  --exit     stop everything once the result is on chain");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut value: u128 = 7;
    let mut exit = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--value" => value = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--exit" => exit = true,
            _ => usage(),
        }
    }
    if let Err(e) = run(value, exit).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(value: u128, exit: bool) -> Result<(), String> {
    let devnet = Devnet::start(DevnetOptions::default(), &step).await?;
    for (i, node) in devnet.nodes.iter().enumerate() {
        println!("    node{} at {} (ready in {} ms)", i + 1, node.url, node.ready_in.as_millis());
    }
    println!("    aggregator at {}", devnet.aggregator_url);

    step("deploying the square service to every node");
    let manifest = devnet.square_manifest("square");
    devnet.deploy_service(manifest, &[("square", paths::guest("components/square.wasm"))]).await?;

    step(&format!("firing a trigger on chain with input {value}"));
    let mut input = [0u8; 32];
    input[16..].copy_from_slice(&value.to_be_bytes());
    let trigger = devnet.fire_trigger(&input).await?;
    println!("    trigger tx 0x{} in block {}", hex::encode(&trigger.tx_hash), trigger.height);

    step("waiting for the operators' result to land on chain");
    let event_id = devnet.event_id("square", &trigger);
    let payload = devnet.wait_landed(&event_id, Duration::from_secs(60)).await?;
    let latency = trigger.at.elapsed();
    let landed_tx = match devnet.aggregator_status(&event_id).await.map(|s| s.state) {
        Some(wavs_types::EnvelopeState::Landed { tx_hash, height }) => format!("0x{} (block {height})", hex::encode(tx_hash)),
        other => format!("unknown ({other:?})"),
    };
    let squared = if payload.len() == 32 { format!("{}", u128::from_be_bytes(payload[16..].try_into().unwrap_or_default())) } else { format!("0x{}", hex::encode(&payload)) };
    println!();
    println!("    result on chain: {value}^2 = {squared}");
    println!("    event id:        0x{}", hex::encode(&event_id));
    println!("    result tx:       {landed_tx}");
    println!("    trigger -> result on chain: {} ms", latency.as_millis());
    println!("    logs and configs: {}", devnet.dir.path().display());
    if !exit {
        println!();
        step("devnet running; press Ctrl-C to stop every process");
        let _ = tokio::signal::ctrl_c().await;
    }
    step("stopping");
    Ok(())
}
