//! docs/COMPONENTS.md, every command block in order: a component crate from `wavs new`,
//! built and run locally, the devnet from `scripts/demo.sh`, contracts of the builder's
//! own, the manifest, the deploy, a trigger, and the result found four ways.

use crate::standalone::assert_standalone;
use crate::walker::{Background, Guide, Reader, after, hex_word, run};
use serde_json::Value;
use std::time::Duration;
use wavs_devnet::paths::repo_root;

const MINUTE: Duration = Duration::from_secs(60);

/// What the devnet said about itself.
pub struct Devnet {
    pub process: Background,
    pub rpc: String,
}

/// Walks the guide; returns the devnet it started (the adapter guide uses its chain).
pub fn walk(reader: &mut Reader) -> Devnet {
    let mut guide = Guide::open("docs/COMPONENTS.md");
    reader.fill("<checkout>", &repo_root().display().to_string());

    // 2. Create, 4. Build.
    run(reader, &guide.next("wavs new component demo --dir ~/src"), MINUTE);
    assert_standalone(&reader.crate_dir("demo"));
    reader.share_target("demo");
    let build = run(reader, &guide.next("cd ~/src/demo"), 20 * MINUTE);
    assert!(!build.stderr.contains("warning"), "the crate builds without warnings:\n{}", build.stderr);
    assert!(reader.crate_dir("demo").join("target/wasm32-wasip2/release/demo.wasm").exists());

    // 5. Locally: what the guide shows is what `wavs exec` prints, numbers aside.
    let exec = run(reader, &guide.next("wavs exec --component"), MINUTE);
    let shown = guide.next("component  target/wasm32-wasip2/release/demo.wasm");
    assert!(exec.stdout.contains("number   42"), "21 doubled:\n{}", exec.stdout);
    let labels = |text: &str| text.lines().map(|l| l.split_whitespace().next().unwrap_or_default().to_string()).collect::<Vec<_>>();
    assert_eq!(labels(&shown.text), labels(&exec.stdout), "{}: the output shown is the output printed:\n{}", shown.at(), exec.stdout);
    for line in shown.text.lines().filter(|l| l.trim_start().starts_with("hex") || l.trim_start().starts_with("number")) {
        assert!(exec.stdout.contains(line), "{}: `{line}` is printed:\n{}", shown.at(), exec.stdout);
    }
    let from_log = run(reader, &guide.next("cargo run -q -p wavs-component-sdk --example trigger-json"), 10 * MINUTE);
    assert!(from_log.stdout.contains("number   42"), "the log's payload reaches the component:\n{}", from_log.stdout);
    let inspect = run(reader, &guide.next("wavs adapters inspect"), MINUTE);
    assert!(inspect.stdout.contains("kind     service component"), "{}", inspect.stdout);

    // 6. The devnet, in its own terminal.
    let demo = guide.next("<checkout>/scripts/demo.sh");
    let script = reader.filled(&demo);
    eprintln!("[walk] {}: {script}", demo.at());
    let process = Background::start(script.trim(), reader.home.path(), "devnet running", 30 * MINUTE);
    let out = process.output();
    for i in 1..=3 {
        reader.fill(&format!("<node{i}>"), after(&out, &format!("node{i} at ")).split_whitespace().next().unwrap());
    }
    reader.fill("<aggregator>", after(&out, "aggregator at "));
    reader.fill("/tmp/wavs-devnet-XXXX", after(&out, "logs and configs: "));
    let grep = run(reader, &guide.next("grep rpc-urls"), MINUTE);
    let rpc = after(&grep.stdout, "[\"").trim_end_matches("\"]").to_string();
    assert!(rpc.starts_with("http://127.0.0.1:"), "{}", grep.stdout);
    reader.fill("http://127.0.0.1:PORT", &rpc);

    // Contracts of one's own: the printed workflow is what the guide says to paste.
    let deployed = run(reader, &guide.next("DEVNET=/tmp/wavs-devnet-XXXX"), 5 * MINUTE);
    for (blank, label) in [("<your manager>", "manager "), ("<your handler>", "handler "), ("<your trigger>", "trigger ")] {
        reader.fill(blank, &hex_word(after(&deployed.stdout, label), 40));
    }
    assert!(deployed.stderr.contains("registered with the aggregator"), "{}", deployed.stderr);
    let printed = after_json(&deployed.stdout);

    run(reader, &guide.next("wavs service init --id demo"), MINUTE);
    let fragment = guide.next("\"workflows\"");
    let workflows: Value = serde_json::from_str(&format!("{{{}}}", reader.filled(&fragment))).expect("the guide's workflow is JSON");
    let main = &workflows["workflows"]["main"];
    assert_eq!((&main["trigger"], &main["submit"]), (&printed["trigger"], &printed["submit"]), "{}: the guide's workflow is what deploy-contracts prints", fragment.at());
    let manifest_path = reader.crate_dir("demo").join("service.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert!(manifest["components"]["main"].is_object(), "the fragment's component `main` is the one init writes: {manifest}");
    manifest["workflows"] = workflows["workflows"].clone();
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let valid = run(reader, &guide.next("wavs service validate"), MINUTE);
    assert!(valid.stdout.contains("valid"), "{}", valid.both());
    let deploy_block = guide.next("wavs --node");
    let deploy = run(reader, &deploy_block, 10 * MINUTE);
    assert!(deploy.stdout.contains("demo"), "`service list` shows it:\n{}", deploy.both());

    // A trigger, two ways; the result, four ways.
    let fired = run(reader, &guide.next("RPC=http://127.0.0.1:PORT; TRIGGER="), MINUTE);
    let tx = hex_word(after(&fired.stdout, "\"result\""), 64);
    reader.fill("<trigger tx hash>", &tx);
    let cast = run(reader, &guide.next("cast send $TRIGGER"), MINUTE);
    assert!(after(&cast.stdout, "status").starts_with('1'), "the transaction succeeded:\n{}", cast.stdout);
    let receipt = receipt(&rpc, &tx);
    reader.fill("<its block>", &u64_of(&receipt["blockNumber"]).to_string());
    reader.fill("<its logIndex>", &u64_of(&receipt["logs"][0]["logIndex"]).to_string());

    let executions = reader.shell.run_until(&reader.filled(&guide.next("wavs --node <node1> executions")), 3 * MINUTE, |r| {
        r.stdout.matches("landed at height").count() >= 2
    });
    assert!(executions.stdout.matches("landed at height").count() >= 2, "both triggers landed:\n{}", executions.both());
    // The reader's trigger is the execution whose trigger names its transaction.
    let json = after_json(&executions.stdout);
    let record = json.as_array().unwrap().iter().find(|r| r["trigger"].to_string().contains(tx.trim_start_matches("0x")));
    let record = record.unwrap_or_else(|| panic!("an execution for {tx}:\n{json:#}"));
    let event_id = record["results"][0]["event-id"].as_str().unwrap().to_string();
    reader.fill("<event-id without 0x>", event_id.trim_start_matches("0x"));
    let payload = run(reader, &guide.next("EVENT=<event-id without 0x>"), MINUTE);
    assert!(payload.stdout.contains(&format!("{:064x}\"", 42)), "the handler holds 42:\n{}", payload.stdout);

    let computed = run(reader, &guide.next("wavs event-id --service demo --chain evm:31337"), MINUTE);
    let lines: Vec<&str> = computed.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&event_id.as_str()), "wavs event-id gives the id the nodes used:\n{}", computed.stdout);
    let task_id = lines.get(1).map(|l| l.to_string()).unwrap_or_default();
    assert_eq!(task_id.len(), 42, "a task's id:\n{}", computed.stdout);

    let found = run(reader, &guide.next("RPC=$RPC HANDLER=$HANDLER <checkout>/docs/examples/find-result.sh"), MINUTE);
    assert!(found.stdout.contains(&format!("event id: {event_id}")) && found.stdout.contains(&format!("{:064x}", 42)), "{}", found.both());
    let viem = run(reader, &guide.next("RPC=$RPC HANDLER=$HANDLER node <checkout>/docs/examples/find-result.mjs"), MINUTE);
    assert!(viem.stdout.contains(&event_id) && viem.stdout.contains("handled in block"), "{}", viem.both());

    // A cron tick, locally: the template says it has no number to double.
    let tick = reader.shell.run(&reader.filled(&guide.next("echo '{\"cron\"")), MINUTE);
    assert!(tick.both().contains("cron ticks carry none"), "the tick reached the component:\n{}", tick.both());

    // A manual task: the by-hand workflow beside main, deployed again, then the task; it
    // lands under the id `wavs event-id --task t1` printed.
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let submit = manifest["workflows"]["main"]["submit"].clone();
    manifest["workflows"]["by-hand"] = serde_json::json!({ "trigger": "manual", "component": "main", "submit": submit });
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    run(reader, &deploy_block, 10 * MINUTE);
    run(reader, &guide.next("wavs add-task --service demo --workflow by-hand"), 5 * MINUTE);
    let stored = wait_for_payload(&rpc, &reader.value("<your handler>"), &task_id);
    assert!(stored.ends_with(&format!("{:064x}", 42)), "the task's result is on chain under its id: {stored}");

    let health = run(reader, &guide.next("wavs --node <node1> health"), MINUTE);
    assert!(health.stdout.contains("anvil") && health.stdout.contains("evm"), "{}", health.stdout);
    guide.finish();
    Devnet { process, rpc }
}

/// The JSON document that starts on the first line beginning with `{` or `[` (text
/// may follow it).
fn after_json(text: &str) -> Value {
    let start = text.lines().find(|l| l.starts_with('{') || l.starts_with('[')).unwrap_or_else(|| panic!("no JSON in:\n{text}"));
    let json = &text[text.find(start).unwrap()..];
    let first = serde_json::Deserializer::from_str(json).into_iter::<Value>().next();
    first.and_then(Result::ok).unwrap_or_else(|| panic!("no JSON document in:\n{text}"))
}

/// `payloadOf(event_id)` on `handler` once it is set (waits up to two minutes).
fn wait_for_payload(rpc: &str, handler: &str, event_id: &str) -> String {
    let data = format!("0x6c842570{}000000000000000000000000", event_id.trim_start_matches("0x"));
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": handler, "data": data}, "latest"]});
    let started = std::time::Instant::now();
    loop {
        let out = std::process::Command::new("curl").args(["-s", rpc, "-H", "content-type: application/json", "-d", &body.to_string()]).output().unwrap();
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let result = answer["result"].as_str().unwrap_or_default().trim_end_matches('\n').to_string();
        // abi.encode(bytes): empty bytes are 64 bytes of offset and length.
        if result.len() > 130 || started.elapsed() > 2 * MINUTE {
            return result;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The transaction's receipt, as a reader would look it up.
fn receipt(rpc: &str, tx: &str) -> Value {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [tx]});
    let out = std::process::Command::new("curl").args(["-s", rpc, "-H", "content-type: application/json", "-d", &body.to_string()]).output().unwrap();
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    answer["result"].clone()
}

fn u64_of(quantity: &Value) -> u64 {
    u64::from_str_radix(quantity.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}
