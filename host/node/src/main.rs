//! `wavs`: run an operator node, or talk to one.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use wavs_node::cli::Client;
use wavs_node::{Node, NodeConfig};

#[derive(Parser)]
#[command(name = "wavs", version, about = "WAVS operator node")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the node.
    Node {
        /// Configuration file.
        #[arg(long, short, default_value = "wavs.toml", env = "WAVS_CONFIG")]
        config: PathBuf,
        /// Log format: `text` or `json`.
        #[arg(long, default_value = "text")]
        log_format: String,
    },
    /// Upload a component `.wasm`; prints its digest.
    Upload {
        file: PathBuf,
        #[arg(long, default_value = "http://127.0.0.1:8000", env = "WAVS_NODE_URL")]
        node: String,
    },
    /// Manage services.
    Service {
        #[command(subcommand)]
        command: ServiceCommand,
        #[arg(long, default_value = "http://127.0.0.1:8000", env = "WAVS_NODE_URL", global = true)]
        node: String,
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
        /// Task id; the same on every operator so they sign the same envelope.
        #[arg(long)]
        task_id: Option<String>,
        #[arg(long, default_value = "http://127.0.0.1:8000", env = "WAVS_NODE_URL")]
        node: Vec<String>,
    },
    /// Show a node's health.
    Health {
        #[arg(long, default_value = "http://127.0.0.1:8000", env = "WAVS_NODE_URL")]
        node: String,
    },
}

#[derive(Subcommand)]
enum ServiceCommand {
    /// Deploy a manifest; `--component name=file.wasm` uploads a component and fills in its digest.
    Deploy {
        manifest: PathBuf,
        #[arg(long = "component", value_parser = parse_component)]
        components: Vec<(String, PathBuf)>,
    },
    /// List deployed services.
    List,
    /// Remove a service.
    Remove { id: String },
}

fn parse_component(s: &str) -> Result<(String, PathBuf), String> {
    let (name, file) = s.split_once('=').ok_or("expected NAME=FILE.wasm")?;
    Ok((name.to_string(), file.into()))
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wasmtime=warn,cranelift=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run_node(config: PathBuf, log_format: String) -> wavs_node::Result<()> {
    init_logs(&log_format);
    let config = NodeConfig::load(&config)?;
    let addr = config.api_addr;
    let node: Arc<Node> = Node::open(config).await?;
    node.start_loops();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(api = %listener.local_addr()?, operator = %hex::encode(node.operator_public_key()), "node ready");
    axum::serve(listener, wavs_node::api::router(node))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn print(value: serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Node { config, log_format } => run_node(config, log_format).await,
        Command::Upload { file, node } => Client::new(&node).upload_component(&file).await.map(|d| println!("{d}")),
        Command::Service { command, node } => {
            let client = Client::new(&node);
            match command {
                ServiceCommand::Deploy { manifest, components } => client.deploy(&manifest, &components).await.map(print),
                ServiceCommand::List => client.get("/services").await.map(print),
                ServiceCommand::Remove { id } => client.remove(&id).await.map(|_| println!("removed {id}")),
            }
        }
        Command::AddTask { service, workflow, payload, task_id, node } => {
            let task_id = task_id.unwrap_or_else(|| {
                format!("{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos())
            });
            let mut result = Ok(());
            for url in node {
                match Client::new(&url).add_task(&service, &workflow, &task_id, &payload).await {
                    Ok(v) => print(v),
                    Err(e) => result = Err(e),
                }
            }
            result
        }
        Command::Health { node } => Client::new(&node).get("/health").await.map(print),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
