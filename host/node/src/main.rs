//! `wavs`: run an operator node, talk to one, or build and try service components.

use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use wavs_node::cli::{self, Ctx, adapters, exec, info, new, service};
use wavs_node::{Node, NodeConfig};

#[derive(Parser)]
#[command(name = "wavs", version, about = "WAVS operator node and builder tools", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Node API URL (repeat for `add-task` to reach several operators) [env: WAVS_NODE,
    /// or WAVS_NODE_URL; default: the api-addr of --config, else http://127.0.0.1:8000].
    #[arg(long, global = true, env = "WAVS_NODE", value_delimiter = ',', hide_env = true)]
    node: Vec<String>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// The node's configuration file: its api-addr is the default node URL, and its API
    /// token (api-token, or the file the node generated in its data dir) is sent
    /// [env: WAVS_CONFIG; default ./wavs.toml if it exists].
    #[arg(long, env = "WAVS_CONFIG", hide_env = true)]
    config: Option<PathBuf>,
}

const AFTER_HELP: &str = "\
Commands that change a node send its API token: the CLI reads it through the node's
configuration (--config FILE, or ./wavs.toml here), or from WAVS_API_TOKEN.
Building a component: `wavs new component NAME`, then docs/COMPONENTS.md.
Writing a chain adapter: `wavs new adapter NAME`, then adapters/README.md.";

#[derive(Subcommand)]
enum Command {
    /// Run the node.
    Node {
        /// Configuration file [env: WAVS_CONFIG; default: wavs.toml].
        #[arg(long, short, env = "WAVS_CONFIG", hide_env = true)]
        config: Option<PathBuf>,
        /// Log format: `text`, or `json` (one object a line, with the spans of the
        /// trigger and execution it belongs to: service, workflow, event id).
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        log_format: String,
    },
    /// Run a service component locally, without a node; prints its responses, fuel and time.
    Exec {
        /// The component `.wasm` (built for wasm32-wasip2).
        #[arg(long)]
        component: PathBuf,
        /// A raw trigger payload as 0x-hex (what `add-task` sends).
        #[arg(long, conflicts_with = "trigger_json")]
        payload: Option<String>,
        /// A trigger in JSON: {"raw": "0x.."}, {"chain-event": {"chain", "contract",
        /// "topics": ["0x.."], "data": "0x..", "attributes": {"k": "v"}}}, {"block-interval": {"height": N}},
        /// {"cron": {"time-unix-s": T}} (a cron tick at T; default this minute).
        /// `cargo run -p wavs-component-sdk --example trigger-json -- 0x..` (in a crate made by
        /// `wavs new component`) writes an EVM TriggerFired one.
        #[arg(long)]
        trigger_json: Option<PathBuf>,
        /// A configuration variable, KEY=VALUE (repeatable).
        #[arg(long = "config", value_parser = parse_key_value)]
        config: Vec<(String, String)>,
        /// Fuel limit [default: the node's default, 1000000000].
        #[arg(long)]
        fuel: Option<u64>,
        /// Time limit in milliseconds [default: 10000].
        #[arg(long)]
        time_ms: Option<u64>,
        /// A host (or host:port; no port: 80 for http, 443 for https) the component may
        /// reach over HTTP, loopback and private ones included (repeatable).
        #[arg(long = "allow-http-host")]
        allow_http_hosts: Vec<String>,
        /// Service id the component sees (and its KV namespace).
        #[arg(long, default_value = "local")]
        service_id: String,
        /// Workflow id the component sees.
        #[arg(long, default_value = "main")]
        workflow_id: String,
    },
    /// Upload a component `.wasm`; prints its digest.
    Upload { file: PathBuf },
    /// Publish a component `.wasm` to an OCI registry (oci://registry[:port]/repository:tag);
    /// prints the `digest` and `source` a manifest names it by.
    Push {
        file: PathBuf,
        to: String,
        /// Reach the registry over plain HTTP (a registry on this machine).
        #[arg(long)]
        insecure: bool,
    },
    /// Write, check, deploy, list and remove services.
    Service {
        #[command(subcommand)]
        command: ServiceCommand,
    },
    /// Secrets a service's components read (API keys): kept on this node only, never in a manifest.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Run a manual task on a workflow (on every node given with --node).
    AddTask {
        #[arg(long)]
        service: String,
        #[arg(long, default_value = "main")]
        workflow: String,
        /// Payload as 0x-hex.
        #[arg(long)]
        payload: String,
        /// Task id; the same on every operator so they sign the same envelope [default: the time in ns].
        #[arg(long)]
        task_id: Option<String>,
    },
    /// Recent executions on the node, newest first.
    Executions {
        #[arg(long)]
        service: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Chain adapters: loaded on the node, or what a `.wasm` file is.
    Adapters {
        #[command(subcommand)]
        command: AdaptersCommand,
    },
    /// Chains the node is configured for.
    Chains {
        #[command(subcommand)]
        command: ChainsCommand,
    },
    /// The operator's public key and id on each configured chain, or with `--service`
    /// a service's own: what to register at the service's manager.
    Keys {
        /// Compute them from this node configuration (with its adapters) instead of
        /// asking the running node (with `--service`, the node must be stopped: its
        /// store is opened here).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The service whose signing keys to show, deployed or not (its key index is
        /// assigned on the first ask).
        #[arg(long)]
        service: Option<String>,
        /// Register the service's key at its manager (`--chain`, `--manager`): the node
        /// sends the registration from its operator account on that chain, which pays the
        /// fee, so fund that account first (`wavs keys` shows its key and id).
        #[arg(long, requires_all = ["service", "chain", "manager"], conflicts_with = "config")]
        register: bool,
        /// With `--register`: the chain of the manager (the node's name for it, or
        /// `family:chain-id`).
        #[arg(long, requires = "register")]
        chain: Option<String>,
        /// With `--register`: the service's manager contract.
        #[arg(long, requires = "register")]
        manager: Option<String>,
    },
    /// Gossip with other operators' nodes (a node with `[p2p]`).
    P2p {
        #[command(subcommand)]
        command: P2pCommand,
    },
    /// Create something new from a template.
    New {
        #[command(subcommand)]
        command: NewCommand,
    },
    /// Show a node's health.
    Health,
    /// Compute the event id of a trigger, as every operator derives it (no node needed).
    EventId(cli::event_id::EventIdArgs),
}

impl Command {
    /// Whether the command talks to a running node (and so needs its URL and token).
    fn talks_to_node(&self) -> bool {
        !matches!(
            self,
            Command::Node { .. }
                | Command::Exec { .. }
                | Command::New { .. }
                | Command::EventId(_)
                | Command::Chains { command: ChainsCommand::DeployContracts(_) }
                | Command::Service { command: ServiceCommand::Init { .. } | ServiceCommand::Validate { .. } }
                | Command::Adapters { command: AdaptersCommand::Inspect { .. } }
        )
    }
}

#[derive(Subcommand)]
enum ServiceCommand {
    /// Write an example manifest (to stdout, or --out FILE); explains its fields on stderr.
    Init {
        #[arg(long, default_value = "my-service")]
        id: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a manifest locally and print each problem.
    Validate {
        manifest: PathBuf,
        /// NAME=FILE.wasm: fill in component NAME's digest from FILE, as deploy would.
        #[arg(long = "component", value_parser = parse_component)]
        components: Vec<(String, PathBuf)>,
    },
    /// Deploy a manifest; `--component name=file.wasm` uploads a component and fills in its digest.
    Deploy {
        manifest: PathBuf,
        #[arg(long = "component", value_parser = parse_component)]
        components: Vec<(String, PathBuf)>,
    },
    /// List deployed services.
    List,
    /// Follow the service a manager defines on chain: run the definition its service URI
    /// names, and move to each new one by itself.
    Add {
        /// The chain holding the manager (its name here, or family:chain-id).
        #[arg(long)]
        chain: String,
        /// The service manager's address.
        #[arg(long)]
        manager: String,
    },
    /// The managers followed, the definition each runs, and why a newer one did not.
    Followed,
    /// Stop following a manager; its service keeps running as it is.
    Unfollow {
        #[arg(long)]
        chain: String,
        #[arg(long)]
        manager: String,
    },
    /// Remove a service.
    Remove { id: String },
    /// Pause a service: its triggers are kept but not run, its manual tasks refused.
    Pause { id: String },
    /// Resume a paused service; the triggers kept meanwhile run.
    Resume { id: String },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Keep a secret of SERVICE on this node (the value from stdin, or --file PATH; never
    /// an argument): its components read it with `secret` if their manifest entry lists
    /// NAME under `secrets`. Needs the node's API token.
    Set {
        service: String,
        name: String,
        /// Read the value from this file instead of stdin (one trailing newline is dropped).
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// The names of SERVICE's secrets on this node (never their values).
    List { service: String },
    /// Delete a secret; a deployed service declaring it fails its runs until it is set again.
    Delete { service: String, name: String },
}

#[derive(Subcommand)]
enum AdaptersCommand {
    /// Adapters loaded on the node, and files it refused.
    List,
    /// Load a `.wasm` here: adapter family/name/version, imports, exports, sha256.
    Inspect { file: PathBuf },
}

#[derive(Subcommand)]
enum ChainsCommand {
    /// Each chain: family, state, head, cursor, lag, adapter.
    List,
    /// Deploy the reference manager, handler and trigger contracts on a chain of the
    /// configuration through its adapter, registering the given operators; the account
    /// paying is WAVS_DEPLOYER_KEY.
    DeployContracts(cli::contracts::DeployContractsArgs),
    /// Serve a new chain from now on (kept across restarts); its family's adapter may
    /// be loaded now or dropped into the adapters directory later.
    Add {
        /// The chain's name, as manifests refer to it.
        name: String,
        /// The adapter family that serves it (`wavs adapters list` shows those loaded).
        #[arg(long)]
        family: String,
        /// The chain's own id, as its adapter expects it.
        #[arg(long)]
        chain_id: String,
        /// An RPC endpoint (repeat for fallbacks); the adapter may reach only these.
        #[arg(long = "rpc-url", required = true)]
        rpc_urls: Vec<String>,
        /// Blocks to wait before a trigger counts.
        #[arg(long)]
        confirmations: Option<u64>,
        /// Which head to read triggers up to: latest (default, minus --confirmations),
        /// safe or finalized (the chain's own).
        #[arg(long, value_parser = ["latest", "safe", "finalized"])]
        finality: Option<String>,
        /// Height to start reading from (default: the head when it starts).
        #[arg(long)]
        start_height: Option<u64>,
        /// Milliseconds between polls of the head.
        #[arg(long)]
        poll_interval_ms: Option<u64>,
        /// Largest block range read in one call.
        #[arg(long)]
        max_block_range: Option<u64>,
        /// KEY=VALUE: a family-specific setting passed to the adapter (repeat).
        #[arg(long = "option", value_parser = parse_key_value)]
        options: Vec<(String, String)>,
        /// ROLE=URL: another endpoint the adapter may reach, by the role its guide names
        /// (`l1-rpc=https://...`; repeat, also for fallbacks of one role).
        #[arg(long = "endpoint", value_parser = parse_key_value)]
        endpoints: Vec<(String, String)>,
        /// Also give the chain to the aggregator at this URL (`POST /chains`, sending
        /// WAVS_AGGREGATOR_API_TOKEN), first, so that results for it land.
        #[arg(long)]
        aggregator: Option<String>,
    },
}

#[derive(Subcommand)]
enum P2pCommand {
    /// Publish this node's p2p address at a manager, so the other operators' nodes find it
    /// from the chain. Sent from (and paid by) the node's operator account on the chain:
    /// fund it first (`wavs keys` shows it).
    Announce {
        /// The chain of the manager (the node's name for it, or `family:chain-id`).
        #[arg(long)]
        chain: String,
        /// The manager contract this operator is an operator of.
        #[arg(long)]
        manager: String,
        /// The multiaddr to publish [default: `[p2p] announce`, else the first non-loopback
        /// address gossip is bound to; with `/p2p/<this node's peer id>`].
        #[arg(long)]
        address: Option<String>,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// A service component crate (Rust, wit-bindgen, the WAVS component SDK).
    Component {
        name: String,
        /// Where to create the NAME folder [default: .].
        #[arg(long)]
        dir: Option<PathBuf>,
    },    /// A chain adapter crate of family NAME, from the starter adapter (the WAVS adapter
    /// kit copied in); then adapters/README.md.
    Adapter {
        name: String,
        /// Where to create the NAME folder [default: .].
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn parse_component(s: &str) -> Result<(String, PathBuf), String> {
    let (name, file) = s.split_once('=').ok_or("expected NAME=FILE.wasm")?;
    Ok((name.to_string(), file.into()))
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or("expected KEY=VALUE")?;
    Ok((k.to_string(), v.to_string()))
}

/// Lines the log writer holds before loggers wait (tracing-appender's default is 128,000).
const LOG_BUFFER_LINES: usize = 8_192;

/// Logs to stderr through a writer thread, so an execution never waits on the write
/// (about 30 µs per task at 10k tasks/s). Lines are never dropped: a full buffer makes
/// the logger wait instead. The buffer is bounded ([`LOG_BUFFER_LINES`] lines of at most
/// a guest's 4 KiB, about 32 MiB at worst), and guests' lines are bounded per call by
/// their log budget. Keep the guard until exit; dropping it flushes.
fn init_logs(format: &str) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .thread_name("wavs-log")
        .finish(std::io::stderr());
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wasmtime=warn,cranelift=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    if format == "json" {
        builder.json().with_current_span(true).with_span_list(true).init();
    } else {
        builder.init();
    }
    guard
}

async fn run_node(config: PathBuf, log_format: String) -> wavs_node::Result<()> {
    let _logs = init_logs(&log_format);
    let mut config = NodeConfig::load(&config)?;
    let addr = config.api_addr;
    // Closed by default: without api-token the node uses (first writes) <data-dir>/api-token.
    let token_origin = wavs_node::api::token::resolve(&mut config)?;
    let node: Arc<Node> = Node::open(config).await?;
    node.start_loops();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    for (chain, public_key, source) in node.chain_keys() {
        tracing::info!(%chain, public_key = %hex::encode(public_key), key = %source, "signing key");
    }
    tracing::info!(api = %listener.local_addr()?, "node ready");
    let bound = listener.local_addr()?;
    node.note_api_addr(bound);
    log_api_guard(&token_origin, addr, &wavs_node::api::allowed_hosts(&node, bound).describe());
    axum::serve(listener, wavs_node::api::router_at(node, bound))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Says at every start how the API is guarded: where its token is, or that it is open.
fn log_api_guard(origin: &wavs_node::api::token::Origin, addr: std::net::SocketAddr, hosts: &str) {
    use wavs_node::api::token::Origin;
    match origin {
        Origin::Open => tracing::warn!(
            api = %addr,
            "api-token = \"none\": the API is open to anyone who can reach it; they can deploy and remove services, upload components, add chains and run tasks. Remove the line to have the node generate a token"
        ),
        Origin::Configured => tracing::info!("API token: api-token in the configuration (or WAVS_API_TOKEN)"),
        Origin::Generated(file) => tracing::info!(file = %file.display(), "API token generated (mode 0600); `wavs --config <this configuration>` reads it"),
        Origin::File(file) => tracing::info!(file = %file.display(), "API token read from its file"),
    }
    tracing::info!(hosts, "the API answers requests naming these hosts (add others with api-allowed-hosts)");
}

async fn upload(file: &std::path::Path, ctx: &Ctx) -> cli::CliResult {
    let digest = ctx.client().upload_component(file).await.map_err(|e| e.to_string())?;
    if ctx.json {
        cli::output::json(&serde_json::json!({ "digest": digest }));
    } else {
        println!("{digest}");
    }
    Ok(())
}

async fn dispatch(command: Command, ctx: &Ctx) -> cli::CliResult {
    match command {
        Command::Node { config, log_format } => {
            // `wavs --config F node` and `wavs node --config F` alike.
            let config = config.or_else(|| ctx.config.clone()).unwrap_or_else(|| "wavs.toml".into());
            run_node(config, log_format).await.map_err(|e| e.to_string())
        }
        Command::Exec { component, payload, trigger_json, config, fuel, time_ms, allow_http_hosts, service_id, workflow_id } => {
            // The component's `log` lines (and stderr) go to stderr.
            let _logs = init_logs("text");
            let config: BTreeMap<String, String> = config.into_iter().collect();
            let payload = payload.map(|p| wavs_types::hex_bytes::decode(&p).map_err(|e| format!("--payload: {e}"))).transpose()?;
            let args = exec::ExecArgs { component, payload, trigger_json, config, fuel, time_ms, allow_http_hosts, service_id, workflow_id };
            exec::run(args, ctx.json).await
        }
        Command::Upload { file } => upload(&file, ctx).await,
        Command::Push { file, to, insecure } => cli::push::push(&file, &to, insecure).await,
        Command::Service { command } => match command {
            ServiceCommand::Init { id, out } => service::init(&id, out.as_deref(), ctx),
            ServiceCommand::Validate { manifest, components } => service::validate(&manifest, &components, ctx),
            ServiceCommand::Deploy { manifest, components } => cli::deploy::deploy(&manifest, &components, ctx).await,
            ServiceCommand::List => service::list(ctx).await,
            ServiceCommand::Add { chain, manager } => cli::follow::add(&chain, &manager, ctx).await,
            ServiceCommand::Followed => cli::follow::list(ctx).await,
            ServiceCommand::Unfollow { chain, manager } => cli::follow::unfollow(&chain, &manager, ctx).await,
            ServiceCommand::Remove { id } => service::remove(&id, ctx).await,
            ServiceCommand::Pause { id } => service::pause_or_resume("pause", &id, ctx).await,
            ServiceCommand::Resume { id } => service::pause_or_resume("resume", &id, ctx).await,
        },
        Command::Secrets { command } => match command {
            SecretsCommand::Set { service, name, file } => cli::secrets::set(&service, &name, file.as_deref(), ctx).await,
            SecretsCommand::List { service } => cli::secrets::list(&service, ctx).await,
            SecretsCommand::Delete { service, name } => cli::secrets::delete(&service, &name, ctx).await,
        },
        Command::AddTask { service, workflow, payload, task_id } => info::add_task(&service, &workflow, &payload, task_id, ctx).await,
        Command::Executions { service, limit } => info::executions(service.as_deref(), limit, ctx).await,
        Command::Adapters { command } => match command {
            AdaptersCommand::List => adapters::list(ctx).await,
            AdaptersCommand::Inspect { file } => adapters::inspect(&file, ctx).await,
        },
        Command::Chains { command } => match command {
            ChainsCommand::List => info::chains(ctx).await,
            ChainsCommand::DeployContracts(args) => cli::contracts::deploy(&args, ctx).await,
            ChainsCommand::Add { name, family, chain_id, rpc_urls, confirmations, finality, start_height, poll_interval_ms, max_block_range, options, endpoints, aggregator } => {
                let mut spec = serde_json::json!({ "family": family, "chain-id": chain_id, "rpc-urls": rpc_urls });
                if let Some(finality) = finality {
                    spec["finality"] = finality.into();
                }
                let optional = [("confirmations", confirmations), ("start-height", start_height), ("poll-interval-ms", poll_interval_ms), ("max-block-range", max_block_range)];
                for (key, value) in optional {
                    if let Some(v) = value {
                        spec[key] = v.into();
                    }
                }
                if !options.is_empty() {
                    spec["options"] = options.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
                }
                let mut by_role = std::collections::BTreeMap::<String, Vec<String>>::new();
                for (role, url) in endpoints {
                    by_role.entry(role).or_default().push(url);
                }
                if !by_role.is_empty() {
                    spec["endpoints"] = serde_json::json!(by_role);
                }
                info::chains_add(&name, spec, aggregator.as_deref(), ctx).await
            }
        },
        Command::Keys { register: true, service: Some(service), chain: Some(chain), manager: Some(manager), .. } => {
            cli::register_key::run(&service, &chain, &manager, ctx).await
        }
        Command::Keys { config, service, .. } => info::keys(config.as_deref(), service.as_deref(), ctx).await,
        Command::New { command } => match command {
            NewCommand::Component { name, dir } => new::component(&name, dir.as_deref(), ctx),
            NewCommand::Adapter { name, dir } => new::adapter(&name, dir.as_deref(), ctx),
        },
        Command::Health => info::health(ctx).await,
        Command::P2p { command: P2pCommand::Announce { chain, manager, address } } => {
            cli::p2p::announce(&chain, &manager, address.as_deref(), ctx).await
        }
        Command::EventId(args) => cli::event_id::run(&args, ctx.json),
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let access = match cli::access::resolve(cli.node, cli.config.clone(), &|k| std::env::var(k).ok()) {
        Ok(access) => access,
        // Running the node needs no token yet (it writes the token file), nor do local commands.
        Err(_) if !cli.command.talks_to_node() => cli::access::Access::default(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let ctx = Ctx { access, json: cli.json, config: cli.config };
    if let Err(e) = dispatch(cli.command, &ctx).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
