//! Fault test: hostile components and hostile adapters fail alone.
//!
//! One node serves anvil plus three chains whose adapters misbehave (an endless loop and
//! an unbounded allocation in `events`, a panic in `submit`). Beside a `square` service
//! landing results on anvil, one manual service per hostile component behaviour runs:
//! endless loop (out of fuel, and out of time), unbounded allocation, deep recursion,
//! 100 MiB output, trap, panic, a request to a host the manifest does not grant and a
//! request to a server that never answers. Each must end with its own typed error on its
//! execution, counted in `/health`; each hostile adapter must be restarted with its reason
//! shown; and every square trigger fired before, during and after must land with the
//! right value.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use wavs_devnet::launch::{Target, chains_toml, start_aggregator, start_node};
use wavs_devnet::process::{Managed, free_port};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_devnet::bursts::uint;
use wavs_types::ChainState;
use wavs_types::aggregator_health::AggregatorHealth;
use wavs_types::execution::{Outcome, ResultRecord, Submission};

/// A chain served by a broken-adapter fixture; it needs no RPC, so the URL goes nowhere.
fn broken_chain(name: &str, family: &str) -> String {
    format!("[chains.{name}]\nfamily = \"{family}\"\nchain-id = \"{name}-1\"\nrpc-urls = [\"http://127.0.0.1:9\"]\n\n")
}

/// One hostile component behaviour: the service running it, the payload selecting it,
/// and the error a user must see.
struct Case {
    service: &'static str,
    component: &'static str,
    payload: &'static str,
    kind: &'static str,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case { service: "endless-loop-fuel", component: "hostile", payload: "loop", kind: "limit-exceeded", says: &["out of fuel"] },
    Case { service: "endless-loop-time", component: "hostile", payload: "loop", kind: "limit-exceeded", says: &["time limit of 300 ms"] },
    Case { service: "unbounded-alloc", component: "hostile", payload: "alloc", kind: "limit-exceeded", says: &["memory limit reached"] },
    Case { service: "deep-recursion", component: "hostile", payload: "recurse", kind: "limit-exceeded", says: &["stack overflow"] },
    Case { service: "output-100mb", component: "hostile", payload: "huge-output", kind: "limit-exceeded", says: &["output of 104857600 bytes exceeds"] },
    Case { service: "trap", component: "hostile", payload: "trap", kind: "trap", says: &["unreachable"] },
    Case { service: "panic", component: "hostile", payload: "panic", kind: "trap", says: &["hostile component panics on purpose"] },
    Case { service: "forbidden-host", component: "http-fetch", payload: "", kind: "http-denied", says: &["not granted", "forbidden.invalid"] },
    Case { service: "never-answers", component: "http-fetch", payload: "", kind: "limit-exceeded", says: &["time limit of 2000 ms"] },
];

/// The manifest of `case`'s service: a manual workflow, tight limits (which the
/// behaviour breaks), results kept on the node.
fn hostile_manifest(case: &Case, quiet: &str) -> (Value, PathBuf) {
    let mut limits = json!({ "time-ms": 2000 });
    let mut component = json!({});
    match case.service {
        "endless-loop-fuel" => limits["fuel"] = json!(200_000_000),
        // Even the most fuel the node allows burns in under 2 s of spinning: a much
        // shorter clock stops it first.
        "endless-loop-time" => limits = json!({ "time-ms": 300, "fuel": 10_000_000_000u64 }),
        "unbounded-alloc" => limits["memory-bytes"] = json!(16 << 20),
        // Room (and time, on a busy machine) to build the 100 MiB, so it is the output
        // limit that refuses it.
        "output-100mb" => limits = json!({ "memory-bytes": 256 << 20, "time-ms": 10_000 }),
        "forbidden-host" => {
            component["config"] = json!({ "url": "http://forbidden.invalid/" });
            component["permissions"] = json!({ "allowed-http-hosts": [quiet] });
        }
        "never-answers" => {
            component["config"] = json!({ "url": format!("http://{quiet}/") });
            component["permissions"] = json!({ "allowed-http-hosts": [quiet] });
        }
        _ => {}
    }
    component["limits"] = limits;
    component["digest"] = json!("");
    let manifest = json!({
        "id": case.service,
        "components": { "c": component },
        "workflows": { "main": { "trigger": "manual", "component": "c", "submit": "none" } }
    });
    (manifest, guest(&format!("components/{}.wasm", case.component)))
}

/// A service on chain `chain` so the node keeps calling that chain's `events`.
fn listening_manifest(id: &str, chain: &str) -> Value {
    json!({
        "id": id,
        "components": { "c": { "digest": "" } },
        "workflows": { "main": {
            "trigger": { "chain-event": { "chain": chain, "contract": "anything", "event": "anything" } },
            "component": "c",
            "submit": "none"
        } }
    })
}

/// Fires anvil's trigger with `n`; returns `n` and the square result's event id.
async fn fire(devnet: &Devnet, n: u128) -> (u128, Vec<u8>) {
    let trigger = devnet.fire_trigger(&uint(n)).await.expect("trigger fires");
    (n, devnet.event_id("square", &trigger))
}

/// A loopback server that accepts connections and never answers.
async fn quiet_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new(); // kept open: the client waits for a reply forever
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// Runs `case` and checks what a user sees: the answer and the listed execution.
async fn run_case(devnet: &Devnet, node: &str, case: &Case) -> Result<String, String> {
    let record = devnet.post_task(node, case.service, "main", &format!("{}-1", case.service), case.payload.as_bytes()).await?;
    let message = match &record.outcome {
        Outcome::Error { kind, message, .. } if kind == case.kind && case.says.iter().all(|s| message.contains(s)) => message,
        other => return Err(format!("{}: expected {} saying {:?}, got {other:?}", case.service, case.kind, case.says)),
    };
    let listed = devnet.client(node).executions(Some(case.service), 50).await.map_err(|e| e.to_string())?;
    if listed.first().map(|r| &r.outcome) != Some(&record.outcome) {
        return Err(format!("{}: /executions does not show the outcome: {listed:?}", case.service));
    }
    Ok(message.to_string())
}

/// Waits until chain `name` on the node reports its adapter failed and restarted, with
/// a reason saying all of `says`.
async fn adapter_contained(devnet: &Devnet, node: &str, name: &str, says: &[&str]) -> Result<String, String> {
    let status = devnet
        .wait_for_health(node, &format!("chain {name} reports its adapter restarted"), |h| {
            h.chains.get(name).is_some_and(|c| c.state == ChainState::Error && c.adapter_restarts >= 1)
        })
        .await?;
    let error = status.chains[name].error.as_deref().unwrap_or_default();
    match says.iter().all(|s| error.contains(s)) {
        true => Ok(error.to_string()),
        false => Err(format!("chain {name}: the reason should say {says:?}: {:?}", status.chains[name])),
    }
}

/// Sends results to the chain whose adapter panics in `submit`, twice: each stays queued
/// at the aggregator with the panic message as its last error (a trap is no refusal by
/// the chain, and a fixed adapter build may still land it, so it is not failed for good),
/// and the second being tried at all shows the instance was restarted after the first.
async fn submit_contained(devnet: &Devnet, node: &str, aggregator: &str) -> Result<String, String> {
    let mut reason = String::new();
    for attempt in 1..=2u64 {
        let record = devnet.post_task(node, "to-trapping", "main", &format!("trapping-{attempt}"), b"to the trapping chain").await?;
        let sent = match (&record.outcome, record.results.first()) {
            (Outcome::Ok, Some(result @ ResultRecord { submission: Submission::Sent { .. }, .. })) => result,
            _ => return Err(format!("attempt {attempt}: the aggregator did not accept the result: {record:?}")),
        };
        let url = format!("{aggregator}/envelopes/{}", wavs_types::hex_bytes::encode(&sent.event_id));
        let status = devnet
            .wait_for(&url, "the submission to the trapping chain fails and waits to be tried again", |s| {
                s["state"] == "queued" && s["detail"].as_str().is_some_and(|d| d.contains("did not land"))
            })
            .await?;
        reason = status["detail"].as_str().unwrap_or_default().to_string();
        if !(reason.contains("guest trapped") && reason.contains("fixture: submit traps on purpose")) {
            return Err(format!("attempt {attempt}: the reason should quote the panic: {status}"));
        }
        let (_, health) = devnet.get_as::<AggregatorHealth>(&format!("{aggregator}/health")).await?;
        if health.chains.get("trapping").map(|c| c.adapter_restarts) < Some(attempt) {
            return Err(format!("attempt {attempt}: the aggregator shows no restart: {health:?}"));
        }
    }
    Ok(reason)
}

/// Replaces operator node 1 with a node serving anvil and the three hostile chains, and
/// starts an aggregator of its own for it (the devnet's serves anvil only). Returns the
/// node's URL, the aggregator's URL and process.
async fn start_hostile_node(devnet: &mut Devnet) -> (String, String, Managed) {
    let base = devnet.dir.path().join("hostile");
    let adapters = base.join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    let mut files = vec![("evm.wasm".to_string(), guest("adapters/evm.wasm"))];
    for variant in ["loop-in-events", "alloc-in-events", "trap-in-submit"] {
        files.push((format!("adapter-{variant}.wasm"), guest(&format!("fixtures/adapter-{variant}.wasm"))));
    }
    for (file, source) in &files {
        std::fs::copy(source, adapters.join(file))
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh)", source.display()));
    }
    let anvil = chains_toml(&[(devnet.primary().name.as_str(), &devnet.primary().chain)]);
    let trapping = broken_chain("trapping", "broken-submit");
    let primary = devnet.primary();
    let targets = [
        Target { chain: &primary.name, manager: &primary.deployment.manager, handler: &primary.deployment.handler },
        // The trapping fixture reports "anything" as every handler's manager.
        Target { chain: "trapping", manager: "anything", handler: "anything" },
    ];
    let names = [primary.name.as_str(), "trapping"];
    let (process, aggregator) = start_aggregator(&base, &adapters, free_port(), &(anvil.clone() + &trapping), &names, &targets)
        .await
        .expect("aggregator starts");
    // A tight adapter limit so a stuck call ends quickly.
    let config = anvil
        + &broken_chain("looping", "broken")
        + &broken_chain("allocating", "broken-alloc")
        + &trapping
        + "[limits.adapter]\ntime-ms = 2000\n";
    devnet.stop_node(0);
    let node = start_node(&base, &adapters, 0, &config, &aggregator).await.expect("node starts");
    let url = node.url.clone();
    devnet.nodes.push(node);
    (url, aggregator, process)
}

/// Deploys `square` on anvil, one service per hostile case, a service on each chain
/// whose `events` misbehaves, and one submitting to the chain whose `submit` traps.
async fn deploy_services(devnet: &Devnet, quiet: &str) {
    let square = guest("components/square.wasm");
    devnet.deploy_service(devnet.square_manifest("square"), &[("square", square.clone())]).await.expect("square deploys");
    for case in CASES {
        let (manifest, file) = hostile_manifest(case, quiet);
        devnet.deploy_service(manifest, &[("c", file)]).await.unwrap_or_else(|e| panic!("{}: {e}", case.service));
    }
    for (id, chain) in [("on-looping", "looping"), ("on-allocating", "allocating")] {
        devnet.deploy_service(listening_manifest(id, chain), &[("c", square.clone())]).await.expect("deploys");
    }
    let to_trapping = json!({
        "id": "to-trapping",
        "components": { "c": { "digest": "" } },
        "workflows": { "main": { "trigger": "manual", "component": "c",
            "submit": { "aggregator": { "chain": "trapping", "handler": "anything", "manager": "anything" } } } }
    });
    devnet.deploy_service(to_trapping, &[("c", guest("components/echo.wasm"))]).await.expect("deploys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_components_and_adapters_fail_alone_while_results_keep_landing() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let mut devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let (url, aggregator, mut aggregator_process) = start_hostile_node(&mut devnet).await;
    deploy_services(&devnet, &quiet_server().await).await;

    let mut fired = vec![fire(&devnet, 2).await, fire(&devnet, 3).await];
    let mut outcomes: Vec<(String, Result<String, String>)> = Vec::new();
    let looping = adapter_contained(&devnet, &url, "looping", &["limit exceeded", "events"]).await;
    outcomes.push(("adapter: endless loop in events".into(), looping));
    let allocating = adapter_contained(&devnet, &url, "allocating", &["memory limit reached", "(events;"]).await;
    outcomes.push(("adapter: unbounded allocation in events".into(), allocating));
    // Each hostile call runs while a square trigger is on its way.
    for (i, case) in CASES.iter().enumerate() {
        let (trigger, outcome) = tokio::join!(fire(&devnet, 10 + i as u128), run_case(&devnet, &url, case));
        fired.push(trigger);
        let alive = !devnet.nodes[1].process.has_exited();
        let outcome = outcome.and_then(|m| if alive { Ok(m) } else { Err("the node died".into()) });
        outcomes.push((format!("component: {}", case.service), outcome));
    }
    outcomes.push(("adapter: trap in submit".into(), submit_contained(&devnet, &url, &aggregator).await));
    fired.extend([fire(&devnet, 100).await, fire(&devnet, 101).await]);

    let mut landed = 0;
    for (n, event_id) in &fired {
        match devnet.wait_landed(event_id, Duration::from_secs(60)).await {
            Ok(payload) if payload == uint(n * n) => landed += 1,
            other => eprintln!("[hostile] square({n}): {other:?}"),
        }
    }
    for (what, outcome) in &outcomes {
        eprintln!("[hostile] {what}: {outcome:?}");
    }
    let contained = outcomes.iter().filter(|(_, o)| o.is_ok()).count();
    eprintln!(
        "[figures] hostile: cases {}, contained {contained}, healthy results landed {landed} of {}",
        outcomes.len(),
        fired.len()
    );

    let failed: Vec<_> = outcomes.iter().filter(|(_, o)| o.is_err()).collect();
    assert!(failed.is_empty(), "not contained: {failed:?}");
    assert_eq!(landed, fired.len(), "every square result landed with its value");
    let (_, health) = devnet.node_health(&url).await.unwrap();
    for kind in ["limit-exceeded", "trap", "http-denied"] {
        let expected = CASES.iter().filter(|c| c.kind == kind).count();
        assert_eq!(health.executions.get(kind).copied(), Some(expected as u64), "{kind} counted: {health:?}");
    }
    // Every square trigger, and the two results sent to the trapping chain, ran fine.
    assert_eq!(health.executions.get("ok").copied(), Some(fired.len() as u64 + 2), "{health:?}");
    assert!(health.chain_is(&devnet.primary().name, ChainState::Active), "{health:?}");
    assert!(!devnet.nodes[1].process.has_exited(), "the node ran throughout");
    assert!(!aggregator_process.has_exited(), "the aggregator ran throughout");
}
