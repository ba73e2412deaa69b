//! `wavs-conformance`: proves a chain adapter against a live chain.
//!
//! ```text
//! wavs-conformance --adapter target/guests/adapters/evm.wasm --chain anvil.toml --json report.json
//! ```
//! Prints a table of named checks (pass / FAIL / skipped; a failure with what was
//! expected, what was seen and the section of adapters/README.md that fixes it) and
//! exits 1 if any check failed, 2 if the run could not start.

mod blocks;
mod checks;
mod config;
mod guide;
mod kit;
mod report;
mod stub;

use clap::Parser;
use std::path::PathBuf;

/// Proves a WAVS chain adapter against a live chain.
#[derive(Parser)]
#[command(name = "wavs-conformance", version)]
struct Args {
    /// The adapter component (.wasm).
    #[arg(long)]
    adapter: PathBuf,
    /// The chain file: family, chain-id, rpc-urls, [options], and a funded [deployer] key.
    #[arg(long)]
    chain: PathBuf,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let code = match run(&args).await {
        Ok(failed) => i32::from(failed),
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    };
    std::process::exit(code);
}

/// Runs the kit; `Ok(true)` if a check failed.
async fn run(args: &Args) -> Result<bool, String> {
    let config = config::KitConfig::load(&args.chain)?;
    let (mut kit, loaded) = kit::Kit::new(&args.adapter, &config).await?;
    let mut report = report::Report { adapter: args.adapter.display().to_string(), ..Default::default() };
    report.family = kit.info.as_ref().map(|i| i.family.clone());
    checks::run_all(&mut kit, &args.adapter, loaded, &mut report).await;
    print!("{}", report.table());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(report.count(report::Status::Fail) > 0)
}
