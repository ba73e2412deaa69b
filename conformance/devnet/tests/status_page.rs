//! The node's status page, as a person sees it in a browser: a devnet node runs the
//! `square` service (one trigger landed) and a hostile manual service (one task out of
//! fuel), with a refused file in its adapters directory; headless Chromium (Debian's
//! `chromium`, driven by `status_page.js` through the npm package `playwright-core`)
//! opens the node's `/`, and the test checks the rendered text: the chain active with its
//! head, the `evm` adapter loaded and the refused file with its reason, the services and
//! workflows, the landed execution and the failed one with its error kind and message.
//! Then another trigger fires and the page must show it without a reload.
//!
//! Needs `scripts/install-tools.sh` (chromium, playwright-core, anvil),
//! `scripts/build-guests.sh` and `cargo build --workspace`. Leaves a screenshot at
//! `target/status-page.png` (under `CARGO_TARGET_DIR` if set).

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};
use wavs_devnet::bursts::uint;
use wavs_devnet::paths::{repo_root, require, target_dir};
use wavs_devnet::{Devnet, DevnetOptions, guest};
use wavs_types::execution::Outcome;

/// Headless Chromium on the status page, answering `status_page.js`'s commands.
struct Browser {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Browser {
    async fn open(url: &str) -> Browser {
        let chromium = std::env::var("WAVS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        require(std::path::Path::new(&chromium), "run scripts/install-tools.sh (Debian's chromium)").unwrap();
        require(&repo_root().join("node_modules/playwright-core"), "run scripts/install-tools.sh (npm playwright-core)")
            .unwrap();
        let driver = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/status_page.js");
        let mut child = tokio::process::Command::new("node")
            .arg(&driver)
            .arg(url)
            .arg(&chromium)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the browser driver");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Browser { child, stdin, stdout }
    }

    async fn command(&mut self, line: &str) -> Value {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await.expect("driver reads commands");
        let answer = tokio::time::timeout(Duration::from_secs(60), self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("the browser driver did not answer {line:?} within 60 s"))
            .expect("driver output")
            .unwrap_or_else(|| panic!("the browser driver exited before answering {line:?}"));
        let value: Value = serde_json::from_str(&answer).unwrap_or_else(|e| panic!("driver said {answer:?}: {e}"));
        if let Some(error) = value.get("error") {
            panic!("browser driver: {}", error.as_str().unwrap_or_default());
        }
        value
    }

    /// What the page shows now.
    async fn snapshot(&mut self) -> Value {
        self.command("snapshot").await
    }

    async fn screenshot(&mut self, path: &std::path::Path) {
        self.command(&format!("screenshot {}", path.display())).await;
    }

    async fn close(mut self) {
        let _ = self.stdin.write_all(b"quit\n").await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn rows<'a>(snapshot: &'a Value, table: &str) -> &'a [Value] {
    snapshot[table].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The cells of the executions row for `service` whose trigger cell says `trigger`.
fn execution<'a>(snapshot: &'a Value, service: &str, trigger: &str) -> Option<Vec<&'a str>> {
    rows(snapshot, "executions").iter().find_map(|row| {
        let cells: Vec<&str> = row["cells"].as_array()?.iter().map(text).collect();
        (cells.len() >= 5 && cells[1].starts_with(&format!("{service} /")) && cells[2].contains(trigger)).then_some(cells)
    })
}

/// A manual service running `components/hostile` with little fuel: the task `loop`
/// burns it all.
fn hostile_manifest() -> Value {
    json!({
        "id": "hostile",
        "components": { "c": { "digest": "", "limits": { "fuel": 20_000_000, "time-ms": 2000 } } },
        "workflows": { "spin": { "trigger": "manual", "component": "c", "submit": "none" } }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_shows_chains_adapters_services_and_executions_and_refreshes_live() {
    let opts = DevnetOptions { operators: 1, threshold: 1, ..DevnetOptions::default() };
    let devnet = Devnet::start(opts, &|s| eprintln!("[devnet] {s}")).await.expect("devnet starts");
    let node = devnet.nodes[0].url.clone();
    let chain = devnet.primary().name.clone();

    // A file in the adapters directory that is no adapter: refused, with its reason.
    let adapters_dir = devnet.adapters_dir(0);
    std::fs::write(adapters_dir.join("not-an-adapter.wasm"), b"this is not wasm").unwrap();
    devnet
        .wait_for(&format!("{node}/adapters"), "the junk file is refused", |a| {
            a["files"].as_array().is_some_and(|f| f.iter().any(|f| f[1]["state"] == "refused"))
        })
        .await
        .unwrap();

    devnet
        .deploy_service(devnet.square_manifest("square"), &[("square", guest("components/square.wasm"))])
        .await
        .expect("square deploys");
    devnet.deploy_service(hostile_manifest(), &[("c", guest("components/hostile.wasm"))]).await.expect("hostile deploys");

    // One trigger lands, and the node has the aggregator's answer for it.
    let first = devnet.fire_trigger(&uint(7)).await.unwrap();
    let landed = devnet.wait_landed(&devnet.event_id("square", &first), Duration::from_secs(60)).await.unwrap();
    assert_eq!(landed, uint(49));
    devnet
        .wait_for(&format!("{node}/executions?service=square"), "the node records the result as sent", |x| {
            x[0]["results"][0]["submission"]["status"] == "sent"
        })
        .await
        .unwrap();

    // One manual task fails: out of fuel.
    let record = devnet.post_task(&node, "hostile", "spin", "spin-1", b"loop").await.unwrap();
    assert!(matches!(&record.outcome, Outcome::Error { kind, .. } if kind == "limit-exceeded"), "the hostile task runs out of fuel: {record:?}");
    // The operator pauses it.
    devnet.client(&node).set_paused("hostile", true).await.unwrap_or_else(|e| panic!("pause: {e}"));

    // The page, in the browser.
    let screenshot = target_dir().join("status-page.png");
    let mut browser = Browser::open(&format!("{node}/")).await;
    let page = browser.snapshot().await;
    browser.screenshot(&screenshot).await;
    eprintln!("[status page] first view:\n{}", serde_json::to_string_pretty(&page["sections"]).unwrap());

    assert!(text(&page["contentType"]).starts_with("text/html"), "served as HTML: {}", page["contentType"]);
    assert_eq!(page["title"], "WAVS node status");
    assert_eq!(page["banner"], "", "no error banner");
    assert_eq!(page["consoleErrors"], json!([]), "no script errors");

    // The chain: active, with a head number.
    let row = rows(&page, "chains").iter().find(|r| r["key"] == chain.as_str()).unwrap_or_else(|| panic!("no row for chain {chain}: {page}"));
    let cells: Vec<&str> = row["cells"].as_array().unwrap().iter().map(text).collect();
    assert_eq!(cells[0], chain);
    assert!(cells[1].starts_with("active"), "chain state shown as active: {cells:?}");
    let head: u64 = cells[2].parse().unwrap_or_else(|_| panic!("head is a number: {cells:?}"));
    assert!(head >= first.height, "head {head} is at least the trigger's height {}", first.height);
    assert!(cells[4].parse::<u64>().is_ok(), "lag is a number: {cells:?}");

    // Adapters: evm loaded; the junk file refused with its reason.
    let evm = rows(&page, "adapters").iter().find(|r| r["key"] == "evm").unwrap_or_else(|| panic!("no evm adapter row: {page}"));
    assert!(text(&evm["text"]).contains("loaded"), "evm shown loaded: {evm}");
    let refused = rows(&page, "refused")
        .iter()
        .find(|r| text(&r["text"]).contains("not-an-adapter.wasm"))
        .unwrap_or_else(|| panic!("the refused file is listed: {}", page["sections"]["adapters"]));
    assert!(text(&refused["cells"][1]).len() > 5, "with its reason: {refused}");

    // Services and their workflows.
    let services = page["services"].as_array().unwrap();
    let square = services.iter().map(text).find(|s| s.starts_with("square")).unwrap_or_else(|| panic!("square listed: {services:?}"));
    assert!(square.contains("main") && square.contains(&format!("on {chain}")) && square.contains("aggregator"), "{square}");
    let hostile = services.iter().map(text).find(|s| s.starts_with("hostile")).unwrap_or_else(|| panic!("hostile listed: {services:?}"));
    assert!(hostile.contains("spin") && hostile.contains("manual tasks"), "{hostile}");
    assert!(hostile.contains("paused") && !square.contains("paused"), "the paused one is marked: {hostile}");
    assert!(text(&page["sections"]["summary"]).contains("(1 paused)"), "{}", page["sections"]["summary"]);

    // Executions: the landed one ok, with its result sent; the failed one with its error.
    let tx = hex::encode(&first.tx_hash);
    let ok = execution(&page, "square", &tx).unwrap_or_else(|| panic!("the trigger's execution is listed: {}", page["sections"]["executions"]));
    assert!(ok[3].starts_with("ok"), "marked ok: {ok:?}");
    assert!(ok[4].contains("sent") || ok[4].contains("landed"), "its result shown sent or landed: {ok:?}");
    let failed = execution(&page, "hostile", "manual task spin-1").unwrap_or_else(|| panic!("the failed task is listed: {}", page["sections"]["executions"]));
    assert!(failed[3].contains("error") && failed[3].contains("limit-exceeded") && failed[3].contains("out of fuel"), "{failed:?}");
    assert!(text(&page["sections"]["summary"]).contains("limit-exceeded 1"), "counts by outcome: {}", page["sections"]["summary"]);

    // Live refresh: another trigger shows up without a reload.
    let refreshes = page["refreshes"].as_u64().unwrap();
    let second = devnet.fire_trigger(&uint(9)).await.unwrap();
    devnet.wait_landed(&devnet.event_id("square", &second), Duration::from_secs(60)).await.unwrap();
    let tx = hex::encode(&second.tx_hash);
    let started = Instant::now();
    let (page, row) = loop {
        let page = browser.snapshot().await;
        if let Some(row) = execution(&page, "square", &tx).filter(|r| r[4].contains("sent") || r[4].contains("landed")) {
            let row: Vec<String> = row.into_iter().map(String::from).collect();
            break (page, row);
        }
        if started.elapsed() > Duration::from_secs(20) {
            browser.screenshot(&screenshot).await;
            panic!("the page never showed the second trigger's result: {}", page["sections"]["executions"]);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    browser.screenshot(&screenshot).await;
    eprintln!("[status page] after the second trigger:\n{}", page["sections"]["executions"].as_str().unwrap_or_default());
    assert!(row[3].starts_with("ok"), "{row:?}");
    assert_eq!(page["marker"], true, "the same document, not a reload");
    assert_eq!(page["loads"], 1, "loaded once");
    assert!(page["refreshes"].as_u64().unwrap() > refreshes, "refreshed by polling");
    assert_eq!(page["consoleErrors"], json!([]), "no script errors");
    browser.close().await;
    eprintln!("screenshot: {}", screenshot.display());
}
