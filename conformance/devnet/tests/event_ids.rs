//! Event ids anyone can compute. Two operators who name the devnet's anvil differently
//! (`anvil`, `local-evm`) serve one manifest that names the chain by its shared
//! `evm:31337`; with the third operator down, their two signatures meet the quorum of 2.
//! `wavs event-id`, the docs' cast script and the docs' viem script each give the id the
//! handler's `EnvelopeHandled` log carries.
//! Needs `scripts/build-guests.sh`, `cargo build --workspace`, anvil, cast and viem
//! (`scripts/install-tools.sh`).

use std::process::Command;
use std::time::Duration;
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::{binary, repo_root};
use wavs_devnet::{Devnet, DevnetOptions, guest};

/// Runs `cmd`, asserting success; returns stdout.
fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout.into_owned()
}

/// A PATH where `wavs` and `cast` are found as a builder would have them.
fn tool_path() -> String {
    let cast = repo_root().join("node_modules/@foundry-rs/cast-linux-amd64/bin");
    let wavs = binary("wavs").parent().unwrap().to_path_buf();
    format!("{}:{}:{}", wavs.display(), cast.display(), std::env::var("PATH").unwrap_or_default())
}

/// Restarts node `i` with its chain `anvil` renamed `to` in its configuration.
async fn rename_chain(devnet: &mut Devnet, i: usize, to: &str) {
    devnet.stop_node(i);
    let config = devnet.dir.path().join(format!("node{}.toml", i + 1));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("[chains.anvil]"), "{text}");
    std::fs::write(&config, text.replace("[chains.anvil]", &format!("[chains.{to}]"))).unwrap();
    devnet.restart_node(i).await.expect("node restarts with the chain renamed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_naming_a_chain_differently_agree_and_anyone_finds_the_result() {
    let mut devnet = Devnet::start(DevnetOptions::default(), &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    devnet.stop_node(2);
    rename_chain(&mut devnet, 1, "local-evm").await;
    let shared = devnet.primary().chain.spec.caip2();
    assert_eq!(shared, "evm:31337");

    // One manifest for both, naming the chain as both know it.
    let mut manifest = devnet.square_manifest("shared-name");
    manifest["workflows"]["main"]["trigger"]["chain-event"]["chain"] = shared.clone().into();
    manifest["workflows"]["main"]["submit"]["aggregator"]["chain"] = shared.clone().into();
    devnet.deploy_service(manifest, &[("square", guest("components/square.wasm"))]).await.expect("both nodes take it");
    for (i, name) in [(0, "anvil"), (1, "local-evm")] {
        let (_, health) = devnet.node_health(&devnet.nodes[i].url).await.unwrap();
        assert!(health.chains.contains_key(name), "node {i} calls the chain {name}: {health:?}");
    }

    let trigger = devnet.fire_trigger(&uint(9)).await.unwrap();
    let tx = format!("0x{}", hex::encode(&trigger.tx_hash));
    let (height, index) = (trigger.height.to_string(), trigger.index.to_string());
    let computed = run(
        Command::new(binary("wavs")).args(["event-id", "--service", "shared-name", "--chain", &shared, "--tx", &tx])
            .args(["--height", &height, "--index", &index]),
        "wavs event-id",
    );
    let computed = computed.trim().to_string();
    let event_id = wavs_types::hex_bytes::decode(&computed).unwrap();
    // Lands only if both operators signed the same envelope: each alone has weight 1 of 2.
    let landed = devnet.wait_landed(&event_id, Duration::from_secs(60)).await.expect("the two operators reach the quorum");
    assert_eq!(landed, uint(81));
    // The value can be on chain a moment before the aggregator has the receipt.
    let started = std::time::Instant::now();
    loop {
        let status = devnet.aggregator_status(&event_id).await.expect("the aggregator knows the envelope");
        if matches!(status.state, wavs_types::EnvelopeState::Landed { .. }) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the aggregator never recorded the landing: {status:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for i in [0, 1] {
        let records = devnet.executions(i, "shared-name").await.unwrap();
        let signed = records.first().and_then(|r| r.results.first()).map(|r| wavs_types::hex_bytes::encode(&r.event_id));
        assert_eq!(signed.as_deref(), Some(computed.as_str()), "node {i} signed the id wavs event-id computes: {records:?}");
    }

    // The handler's log, read as a builder would: eth_getLogs through cast, then viem.
    let handler = devnet.primary().deployment.handler.clone();
    let rpc = devnet.primary().chain.spec.rpc_urls[0].clone();
    let script = repo_root().join("docs/examples/find-result.sh");
    let by_cast = run(
        Command::new("bash").arg(&script).args(["shared-name", &tx]).env("PATH", tool_path()).env("RPC", &rpc).env("HANDLER", &handler),
        "docs/examples/find-result.sh",
    );
    assert!(by_cast.contains(&format!("event id: {computed}")), "{by_cast}");
    let topic = format!("{computed}000000000000000000000000");
    assert!(by_cast.contains(&topic), "cast logs shows EnvelopeHandled with the event id as topic 1: {by_cast}");
    assert!(by_cast.contains(&format!("payload: 0x{}", hex::encode(uint(81)))), "{by_cast}");

    let by_viem = run(
        Command::new("node").arg(repo_root().join("docs/examples/find-result.mjs")).args(["shared-name", &tx])
            .env("RPC", &rpc).env("HANDLER", &handler),
        "docs/examples/find-result.mjs",
    );
    assert!(by_viem.contains(&format!("event id: {computed}")), "viem computes the same id: {by_viem}");
    assert!(by_viem.contains("handled in block"), "viem finds the EnvelopeHandled log: {by_viem}");
    assert!(by_viem.contains(&format!("payload: 0x{}", hex::encode(uint(81)))), "{by_viem}");

    // What COMPONENTS.md shows is what ran.
    let shown: Vec<_> = wavs_devnet::docs::blocks("docs/COMPONENTS.md").into_iter().filter(|b| b.source.as_deref().is_some_and(|s| s.starts_with("docs/examples/"))).collect();
    assert_eq!(shown.len(), 2, "COMPONENTS.md shows find-result.sh and find-result.mjs");
    for block in shown {
        wavs_devnet::docs::check_excerpt(&block).unwrap_or_else(|e| panic!("{e}"));
    }
}
