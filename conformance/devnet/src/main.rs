//! `wavs-devnet`: the local demo. Starts anvil and wasmd, deploys each chain's reference
//! contracts, runs three operator nodes (quorum 2 of 3) and an aggregator, deploys the
//! square service on every route (EVM -> EVM, Cosmos -> Cosmos, Cosmos -> EVM,
//! EVM -> Cosmos), fires a trigger for each and prints the squared values read back
//! from the handler contracts.

use std::time::Duration;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, paths};

fn step(text: &str) {
    println!("==> {text}");
}

fn usage() -> ! {
    eprintln!(
        "usage: wavs-devnet [--value N] [--evm-only] [--exit]\n  --value N    the number to square (default 7)\n  --evm-only   run anvil alone (no wasmd, no cross-chain routes)\n  --exit       stop everything once the results are on chain"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut value: u128 = 7;
    let mut exit = false;
    let mut chains = vec![ChainKind::Anvil, ChainKind::Wasmd];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--value" => value = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--evm-only" => chains = vec![ChainKind::Anvil],
            "--exit" => exit = true,
            _ => usage(),
        }
    }
    if let Err(e) = run(value, chains, exit).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Every (from, to) pair of the running chains.
fn routes(devnet: &Devnet) -> Vec<(String, String)> {
    let names: Vec<String> = devnet.chains.iter().map(|c| c.name.clone()).collect();
    let mut out: Vec<(String, String)> = names.iter().map(|n| (n.clone(), n.clone())).collect();
    for from in &names {
        out.extend(names.iter().filter(|to| *to != from).map(|to| (from.clone(), to.clone())));
    }
    out
}

async fn run(value: u128, chains: Vec<ChainKind>, exit: bool) -> Result<(), String> {
    let devnet = Devnet::start(DevnetOptions { chains, ..DevnetOptions::default() }, &step).await?;
    for (i, node) in devnet.nodes.iter().enumerate() {
        println!("    node{} at {} (ready in {} ms)", i + 1, node.url, node.ready_in.as_millis());
    }
    println!("    aggregator at {}", devnet.aggregator_url);

    let square = paths::guest("components/square.wasm");
    let routes = routes(&devnet);
    for (from, to) in &routes {
        let id = format!("square-{from}-to-{to}");
        step(&format!("deploying service {id} to every node"));
        let manifest = devnet.square_manifest_between(&id, from, to)?;
        devnet.deploy_service(manifest, &[("square", square.clone())]).await?;
    }

    let mut input = [0u8; 32];
    input[16..].copy_from_slice(&value.to_be_bytes());
    let mut lines = Vec::new();
    for source in devnet.chains.iter().map(|c| c.name.clone()) {
        step(&format!("firing a trigger on {source} with input {value}"));
        let trigger = devnet.fire_trigger_on(&source, &input).await?;
        println!("    trigger tx 0x{} in block {}", hex::encode(&trigger.tx_hash), trigger.height);
        // Every service triggered on `source` sees this one event; each keys its result
        // by its own service id and submits it to its own target chain.
        for (_, to) in routes.iter().filter(|(from, _)| *from == source) {
            let id = format!("square-{source}-to-{to}");
            let event_id = devnet.event_id(&id, &trigger);
            let payload = devnet.wait_landed_on(to, &event_id, Duration::from_secs(90)).await?;
            let latency = trigger.at.elapsed();
            let landed_tx = landed_tx(&devnet, &event_id).await;
            let squared = match <[u8; 16]>::try_from(payload.get(16..).unwrap_or_default()) {
                Ok(low) if payload.len() == 32 => u128::from_be_bytes(low).to_string(),
                _ => format!("0x{}", hex::encode(&payload)),
            };
            println!("    {id}: result on {to}: {value}^2 = {squared}, tx {landed_tx}, {} ms after the trigger", latency.as_millis());
            lines.push(format!("{source:>6} -> {to:<6} {value}^2 = {squared:<8} tx {landed_tx}  {} ms", latency.as_millis()));
        }
    }
    println!();
    step("results read back from the handler contracts");
    for line in &lines {
        println!("    {line}");
    }
    println!("    logs and configs: {}", devnet.dir.path().display());
    if !exit {
        println!();
        step("devnet running; press Ctrl-C to stop every process");
        // SIGTERM too (`kill`, a supervisor, a test): otherwise the nodes, the aggregator
        // and the chains outlive the devnet.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    step("stopping");
    Ok(())
}

/// The transaction that landed `event_id`, as the aggregator reports it. The value can be
/// read on chain a moment before the aggregator has the receipt, so this waits briefly.
async fn landed_tx(devnet: &Devnet, event_id: &[u8]) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let state = devnet.aggregator_status(event_id).await.map(|s| s.state);
        match state {
            Some(wavs_types::EnvelopeState::Landed { tx_hash, height }) => return format!("0x{} (block {height})", hex::encode(tx_hash)),
            other if std::time::Instant::now() >= deadline => {
                return format!("not yet recorded by the aggregator (its state: {other:?})");
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
