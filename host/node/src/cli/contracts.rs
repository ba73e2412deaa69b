//! `wavs chains deploy-contracts CHAIN`: the reference service manager, handler and
//! trigger contracts on a chain, deployed through its adapter's testing interface (so
//! this code knows no chain), with the operators' keys registered at the weights and
//! threshold asked for. Prints the addresses in the form a manifest and an aggregator's
//! `[[targets]]` want them, and can register the target with an aggregator.

use super::{CliResult, Client, Ctx, output};
use crate::NodeConfig;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use wavs_runtime::bindings::testing_api::TestOperator;
use wavs_runtime::{AdapterRegistry, AdapterSigner, ChainAdapter, Signer, WasmEngine};
use wavs_types::{ChainSpec, Scheme};
use wavs_types::aggregator_targets::TargetRequest;

/// What `wavs chains deploy-contracts` takes.
#[derive(Debug, clap::Args)]
pub struct DeployContractsArgs {
    /// The chain: its name in the configuration (`--config`, default ./wavs.toml) or its
    /// `family:chain-id`.
    pub chain: String,
    /// A running operator node whose key on this chain is registered (repeatable); the
    /// node is asked `GET /operator` and its chain with the same family and chain id is used.
    #[arg(long = "operator-node")]
    pub operator_nodes: Vec<String>,
    /// The service these contracts are for: each `--operator-node` is asked for its key
    /// for that service (`POST /services/{id}/keys`, what `wavs keys --service` shows)
    /// rather than its chain key. Needed unless the nodes run with `per-service-keys = false`.
    #[arg(long)]
    pub service: Option<String>,
    /// An operator's public key on this chain, 0x-hex, as `wavs keys` shows it
    /// (repeatable); for a scheme that needs a proof of possession, `0xKEY:0xPROOF`.
    #[arg(long = "operator-key")]
    pub operator_keys: Vec<String>,
    /// The signature scheme of the service manager to deploy (the adapter says which it
    /// serves).
    #[arg(long, default_value = "secp256k1-ecdsa", value_parser = str::parse::<Scheme>)]
    pub scheme: Scheme,
    /// Weight needed for a result to land [default: a majority of the operators, each of
    /// weight 1].
    #[arg(long)]
    pub threshold: Option<u64>,
    /// Also register the new target with this aggregator (`POST /targets`, sending
    /// WAVS_AGGREGATOR_API_TOKEN).
    #[arg(long)]
    pub register_with: Option<String>,
}

/// The account that pays: a private key from the environment, never from the command
/// line (which shells keep in their history).
const DEPLOYER_KEY_ENV: &str = "WAVS_DEPLOYER_KEY";

/// Runs `wavs chains deploy-contracts`.
pub async fn deploy(args: &DeployContractsArgs, ctx: &Ctx) -> CliResult {
    let path = ctx.config.clone().unwrap_or_else(|| PathBuf::from("wavs.toml"));
    let config = NodeConfig::load(&path).map_err(|e| format!("{e} (deploy-contracts reads the chain and adapters of a node configuration: --config FILE)"))?;
    let (name, spec) = config
        .chains
        .iter()
        .find(|(name, spec)| spec.is_named(&args.chain, name))
        .map(|(n, s)| (n.clone(), s.clone()))
        .ok_or_else(|| format!("chain {:?} is not configured in {}", args.chain, path.display()))?;
    let deployer = std::env::var(DEPLOYER_KEY_ENV).map_err(|_| {
        format!("set {DEPLOYER_KEY_ENV} to the private key (0x-hex) of an account with funds on {name}; it pays for the deployment")
    })?;
    let deployer = Signer::from_hex(&deployer).map_err(|e| format!("{DEPLOYER_KEY_ENV}: {e}"))?;

    let mut operators = Vec::new();
    for url in &args.operator_nodes {
        let (public_key, proof) = node_key(ctx.client_for(url), url, args.service.as_deref(), &spec, args.scheme).await?;
        operators.push(TestOperator { public_key, proof, weight: 1 });
    }
    for key in &args.operator_keys {
        let (public_key, proof) = key.split_once(':').unwrap_or((key, ""));
        let decode = |hex: &str| wavs_types::hex_bytes::decode(hex).map_err(|e| format!("--operator-key {key}: {e}"));
        operators.push(TestOperator { public_key: decode(public_key)?, proof: decode(proof)?, weight: 1 });
    }
    if operators.is_empty() {
        return Err("name the operators: --operator-node URL or --operator-key 0x<public key> (repeatable)".into());
    }
    let threshold = args.threshold.unwrap_or(operators.len() as u64 / 2 + 1);
    if threshold == 0 || threshold > operators.len() as u64 {
        return Err(format!("--threshold {threshold}: between 1 and the {} operators' total weight", operators.len()));
    }

    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let engine = WasmEngine::new(scratch.path()).map_err(|e| e.to_string())?;
    let registry = Arc::new(AdapterRegistry::new(engine, &config.adapters_dir).map_err(|e| e.to_string())?);
    registry.scan().await.map_err(|e| e.to_string())?;
    let program = registry.program(&spec.family).ok_or_else(|| {
        format!("no adapter of family {:?} in {}: drop one there", spec.family, config.adapters_dir.display())
    })?;
    if !program.info().has_testing {
        return Err(format!(
            "the {} adapter ({}) offers no testing interface, so it cannot deploy the reference contracts; deploy them with the chain's own tools",
            spec.family,
            program.info().path.display()
        ));
    }
    eprintln!("deploying the reference contracts on {name} ({}) for {} operators, threshold {threshold}", spec.caip2(), operators.len());
    let chain = ChainAdapter::from_spec(registry, &name, &spec, AdapterSigner::Submitting(deployer), config.limits.adapter_limits());
    let deployment =
        chain.deploy_service(args.scheme.into(), &operators, threshold).await.map_err(|e| format!("deploying on {name}: {e}"))?;
    let shared = spec.caip2();
    let answer = json!({
        "chain": name,
        "chain-id": shared,
        "manager": deployment.manager,
        "handler": deployment.handler,
        "trigger": deployment.trigger,
        "operators": operators.len(),
        "threshold": threshold,
        "manifest": {
            "trigger": { "chain-event": { "chain": shared, "contract": deployment.trigger_filter.contract, "event": deployment.trigger_filter.event } },
            "submit": { "aggregator": { "chain": shared, "handler": deployment.handler, "manager": deployment.manager } },
        },
    });
    if let Some(aggregator) = &args.register_with {
        register(aggregator, &shared, &deployment.manager, &deployment.handler).await?;
    }
    if ctx.json {
        output::json(&answer);
        return Ok(());
    }
    println!("manager  {}", deployment.manager);
    println!("handler  {}", deployment.handler);
    println!("trigger  {}", deployment.trigger);
    println!("\nfor the manifest's workflow:\n{}", serde_json::to_string_pretty(&answer["manifest"]).unwrap_or_default());
    println!(
        "\nfor the aggregator's configuration{}:\n[[targets]]\nchain = \"{shared}\"\nmanager = \"{}\"\nhandler = \"{}\"",
        if args.register_with.is_some() { " (registered already)" } else { "" },
        deployment.manager,
        deployment.handler
    );
    Ok(())
}

/// The public key node `url` signs `spec`'s chain with under `scheme` (for `service`, if
/// given), and its proof of possession (empty where the scheme needs none).
async fn node_key(client: Client, url: &str, service: Option<&str>, spec: &ChainSpec, scheme: Scheme) -> CliResult<(Vec<u8>, Vec<u8>)> {
    let answer = match service {
        Some(id) => client.service_keys(id).await,
        None => client.operator().await,
    };
    let answer = answer.map_err(|e| format!("--operator-node {url}: {e}"))?;
    let entry = answer
        .chains
        .values()
        .find(|c| c.family == spec.family && c.chain_id == spec.chain_id)
        .ok_or_else(|| format!("--operator-node {url} serves no chain {} (it lists {:?})", spec.caip2(), answer.chains.keys().collect::<Vec<_>>()))?;
    let decode = |hex: &str| wavs_types::hex_bytes::decode(hex).map_err(|e| format!("--operator-node {url}: {e}"));
    if scheme == Scheme::Secp256k1Ecdsa {
        return Ok((decode(&entry.public_key)?, vec![]));
    }
    let key = entry.schemes.get(scheme.as_str()).ok_or_else(|| {
        format!("--operator-node {url} has no {scheme} key on {}: its adapter does not verify that scheme", spec.caip2())
    })?;
    Ok((decode(&key.public_key)?, decode(&key.proof)?))
}


/// Registers (chain, manager, handler) with the aggregator at `url`.
async fn register(url: &str, chain: &str, manager: &str, handler: &str) -> CliResult {
    let target = TargetRequest { chain: chain.into(), manager: manager.into(), handler: handler.into() };
    let entry = super::aggregator::client(url).register_target(&target).await.map_err(|e| super::aggregator::failed(url, "the target", e))?;
    eprintln!("registered with the aggregator at {url}: {}", serde_json::to_string(&entry.on_chain_check).unwrap_or_default());
    Ok(())
}
