//! `wavs-aggregator`: run the aggregator.

use clap::Parser;
use std::path::PathBuf;
use wavs_aggregator::Aggregator;
use wavs_aggregator::config::AggregatorConfig;

#[derive(Parser)]
#[command(name = "wavs-aggregator", version, about = "WAVS signature aggregator")]
struct Cli {
    /// Configuration file.
    #[arg(long, short, default_value = "aggregator.toml", env = "WAVS_AGGREGATOR_CONFIG")]
    config: PathBuf,
    /// Log format: `text` or `json`.
    #[arg(long, default_value = "text")]
    log_format: String,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wasmtime=warn,cranelift=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cli.log_format == "json" { logs.json().init() } else { logs.init() }
    let started = async {
        let config = AggregatorConfig::load(&cli.config)?;
        Aggregator::start(config).await
    };
    let handle = match started.await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
        why = handle.fatal() => {
            eprintln!("error: {why}");
            std::process::exit(2);
        }
    }
}
