//! `wavs-devnet`: the local demo of a service run by strangers. Starts anvil and wasmd and
//! the service owner's IPFS node; the owner deploys each chain's reference contracts,
//! publishes the square service (one definition per destination chain, every chain's
//! trigger feeding it: EVM -> EVM, Cosmos -> Cosmos, Cosmos -> EVM, EVM -> Cosmos) and
//! sets each manager's service URI. Three operators, each with its own config, data dir
//! and adapters (quorum 2 of 3), only run `wavs service add --chain C --manager ADDR`.
//! They share only the chains and the peer network: no aggregator process runs, each
//! node aggregates itself over p2p (`[p2p]`) and they take turns to submit
//! (`--aggregator` runs the aggregator process instead, for guides that register
//! contracts of their own with it).
//! Fires a trigger on each chain and prints the squared values read back from the handler
//! contracts; then the owner moves one URI to a new component and every node follows.

use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::onchain::ServiceOwner;
use wavs_devnet::{ChainKind, Devnet, DevnetOptions, FiredTrigger};
use wavs_types::followed::FollowState;

fn step(text: &str) {
    println!("==> {text}");
}

fn usage() -> ! {
    eprintln!(
        "usage: wavs-devnet [--value N] [--evm-only] [--aggregator] [--exit]\n  --value N     the number to square (default 7)\n  --evm-only    run anvil alone (no wasmd, no cross-chain routes)\n  --aggregator  run an aggregator process instead of aggregating over p2p\n  --exit        stop everything once the results are on chain"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut value: u128 = 7;
    let mut exit = false;
    let mut p2p = true;
    let mut chains = vec![ChainKind::Anvil, ChainKind::Wasmd];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--value" => value = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--evm-only" => chains = vec![ChainKind::Anvil],
            "--exit" => exit = true,
            "--aggregator" => p2p = false,
            _ => usage(),
        }
    }
    if let Err(e) = run(value, chains, p2p, exit).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The service that takes every chain's trigger and lands its result on `to`.
fn service_id(to: &str) -> String {
    format!("square-to-{to}")
}

/// How long each operator in line to submit an envelope waits after the one before it:
/// long enough that the first in line has landed it, so nothing is sent twice.
const P2P_FALLBACK_DELAY_MS: u64 = 3000;

async fn run(value: u128, chains: Vec<ChainKind>, p2p: bool, exit: bool) -> Result<(), String> {
    let owner_dir = tempfile::Builder::new().prefix("wavs-owner-").tempdir().map_err(|e| e.to_string())?;
    step("starting the service owner's IPFS node (kubo, offline, on loopback); the operators' nodes fetch through its gateway");
    let owner = ServiceOwner::start(owner_dir.path());
    println!("    IPFS gateway at {}", owner.ipfs.gateway);
    let p2p_fallback_delay_ms = p2p.then_some(P2P_FALLBACK_DELAY_MS);
    // Each service signs with a key of its own, which each operator registers at its manager.
    let opts = DevnetOptions { chains, node_config: owner.node_sources(&[]), p2p_fallback_delay_ms, per_service_keys: true, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &step).await?;
    for (i, node) in devnet.nodes.iter().enumerate() {
        println!("    node{} at {} (ready in {} ms)", i + 1, node.url, node.ready_in.as_millis());
    }
    let dir = devnet.dir.path().display();
    if devnet.is_p2p() {
        println!("    no aggregator process: each node aggregates itself, exchanging signed results with the others over p2p");
        for i in 0..devnet.nodes.len() {
            println!("    node{}'s [p2p] ({dir}/node{}.toml; then the chains it submits to and its own submitting key):", i + 1, i + 1);
            for line in devnet.p2p_settings(i)?.lines() {
                println!("      {line}");
            }
        }
        println!("    each operator has its own config, data dir and adapters ({dir}/node1.toml, node1/, node1-adapters/, ...): they share only the chains and the peer network");
    } else {
        println!("    aggregator at {}", devnet.aggregator_url);
        println!("    each operator has its own config, data dir and adapters ({dir}/node1.toml, node1/, node1-adapters/, ...): they share only the chains and the aggregator");
    }

    let names: Vec<String> = devnet.chains.iter().map(|c| c.name.clone()).collect();
    let sources: Vec<&str> = names.iter().map(String::as_str).collect();
    step("the service owner (dev key 0) publishes square.wasm and a definition per destination chain on IPFS, and sets each manager's service URI");
    let square = owner.component_on_ipfs("components/square.wasm")?;
    println!("    square.wasm: sha256 {} at {}", square["digest"].as_str().unwrap_or_default(), square["source"].as_str().unwrap_or_default());
    for to in &names {
        let definition = devnet.shared_definition(&service_id(to), &sources, to, "square", square.clone())?;
        set_uri(&devnet, &owner, to, &format!("{}-v1.json", service_id(to)), &definition).await?;
    }

    step("each operator opts in by the manager's address only, on its own node");
    for i in 0..devnet.nodes.len() {
        for to in &names {
            let manager = &devnet.chain(to)?.deployment.manager;
            println!("    $ wavs {}", devnet.service_add_args(i, to, manager).join(" "));
            let followed = devnet.operator_follows(i, to, manager).await?;
            println!("      node{} runs {} from {}", i + 1, followed.service, followed.uri);
        }
    }

    step("each operator registers at each manager the key its node signs that service with, paid from its own account (the devnet funds it)");
    for i in 0..devnet.nodes.len() {
        for to in &names {
            let manager = &devnet.chain(to)?.deployment.manager;
            println!("    $ wavs {}", devnet.register_args(i, &service_id(to), to, manager).join(" "));
            let registered = devnet.operator_registers(i, &service_id(to), to, manager).await?;
            println!("      {}", registered.trim());
        }
    }

    let input = uint(value);
    let mut lines = Vec::new();
    for source in &names {
        step(&format!("firing a trigger on {source} with input {value}"));
        let trigger = devnet.fire_trigger_on(source, &input).await?;
        println!("    trigger tx 0x{} in block {}", hex::encode(&trigger.tx_hash), trigger.height);
        // Every service has a workflow listening on `source`: each keys its result by
        // its own service id and submits it to its own destination chain.
        for to in &names {
            let (line, landed) = landed_line(&devnet, &trigger, to, value).await?;
            println!("    {}: result on {to}: {landed}", service_id(to));
            lines.push(format!("{source:>6} -> {to:<6} {line}"));
        }
    }
    println!();
    step("results read back from the handler contracts");
    for line in &lines {
        println!("    {line}");
    }

    println!();
    moves_to_echo(&devnet, &owner, &names[0], &sources, value).await?;
    println!("    logs and configs: {}", devnet.dir.path().display());
    println!("    the service owner's files: {}", owner_dir.path().display());
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

/// The owner publishes `definition` as `file` and sets it as `to`'s manager's service URI.
async fn set_uri(devnet: &Devnet, owner: &ServiceOwner, to: &str, file: &str, definition: &serde_json::Value) -> Result<String, String> {
    let uri = owner.publish_definition(file, definition)?;
    let chain = devnet.chain(to)?;
    let manager = &chain.deployment.manager;
    chain.deployer.set_service_uri(manager, &uri).await.map_err(|e| format!("setting the service URI of {manager} on {to}: {e}"))?;
    println!("    {file} at {uri}, set as the service URI of {to}'s manager {manager}");
    Ok(uri)
}

/// Waits for `trigger`'s result of the service landing on `to`; a line for the summary
/// and one for the log.
async fn landed_line(devnet: &Devnet, trigger: &FiredTrigger, to: &str, value: u128) -> Result<(String, String), String> {
    let event_id = devnet.event_id_in(&service_id(to), &format!("from-{}", trigger.chain), trigger);
    let payload = devnet.wait_landed_on(to, &event_id, Duration::from_secs(90)).await?;
    let latency = trigger.at.elapsed().as_millis();
    let landed_tx = landed_tx(devnet, &event_id).await;
    let squared = match <[u8; 16]>::try_from(payload.get(16..).unwrap_or_default()) {
        Ok(low) if payload.len() == 32 => u128::from_be_bytes(low).to_string(),
        _ => format!("0x{}", hex::encode(&payload)),
    };
    let line = format!("{value}^2 = {squared:<8} tx {landed_tx}  {latency} ms");
    Ok((line, format!("{value}^2 = {squared}, tx {landed_tx}, {latency} ms after the trigger")))
}

/// The owner points `to`'s manager at v2 (the echo component); every node moves to it by
/// itself and the next result is echo's.
async fn moves_to_echo(devnet: &Devnet, owner: &ServiceOwner, to: &str, sources: &[&str], value: u128) -> Result<(), String> {
    let id = service_id(to);
    step(&format!("the service owner moves {id} to v2: the echo component, published on IPFS"));
    let echo = owner.component_on_ipfs("components/echo.wasm")?;
    let definition = devnet.shared_definition(&id, sources, to, "echo", echo)?;
    let uri = set_uri(devnet, owner, to, &format!("{id}-v2.json"), &definition).await?;
    let manager = devnet.chain(to)?.deployment.manager.clone();
    let moved = |f: &wavs_types::followed::FollowedService| f.uri == uri && f.state == FollowState::Running;
    devnet.wait_followed(to, &manager, "moved to v2", Duration::from_secs(90), moved).await?;
    step("every node moved by itself; each operator sees it with `wavs service followed`");
    for i in 0..devnet.nodes.len() {
        let args = ["--config".to_string(), devnet.node_config(i).display().to_string(), "service".into(), "followed".into()];
        println!("    $ wavs {}", args.join(" "));
        for line in devnet.run_wavs(&args).await?.lines() {
            println!("      {line}");
        }
    }
    step(&format!("firing a trigger on {to} with input {value}: v2 echoes it unsquared"));
    let trigger = devnet.fire_trigger_on(to, &uint(value)).await?;
    let event_id = devnet.event_id_in(&id, &format!("from-{to}"), &trigger);
    let payload = devnet.wait_landed_on(to, &event_id, Duration::from_secs(90)).await?;
    let echoed = payload.windows(32).any(|w| w == uint(value).as_slice());
    println!("    {id}: result on {to}: 0x{} ({})", hex::encode(&payload), if echoed { "the input, echoed" } else { "not the input" });
    Ok(())
}

/// The transaction that landed `event_id`, as the aggregator that landed it reports. The
/// value can be read on chain a moment before it has the receipt, so this waits briefly.
async fn landed_tx(devnet: &Devnet, event_id: &[u8]) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        match devnet.landed_receipt(event_id).await {
            Some((tx_hash, height)) => return format!("0x{} (block {height})", hex::encode(tx_hash)),
            None if std::time::Instant::now() >= deadline => return "not yet recorded by the aggregator that landed it".into(),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
