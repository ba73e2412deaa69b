//! `wavs event-id`: the event id every operator derives for a trigger, computed here from
//! public facts alone (no node, no chain), so a builder can find their result in the
//! handler's `EnvelopeHandled` logs or ask the aggregator about it.

use crate::cli::{CliResult, output};
use clap::{ArgGroup, Args};
use wavs_types::{TriggerIdentity, derive_event_id};

/// What `wavs event-id` takes: the workflow, then exactly one kind of trigger.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("trigger").required(true).args(["tx", "block", "task", "cron_time"])))]
pub struct EventIdArgs {
    /// The service id (the manifest's `id`).
    #[arg(long)]
    pub service: String,
    /// The workflow id within the service.
    #[arg(long, default_value = "main")]
    pub workflow: String,
    /// The chain's shared id `family:chain-id` (e.g. `evm:31337`, `cosmos:wasmd-1`), not
    /// a node's local name for it; needed with --tx and --block.
    #[arg(long)]
    pub chain: Option<String>,
    /// A contract event's transaction hash (0x-hex); with --height and --index.
    #[arg(long, requires_all = ["height", "index", "chain"])]
    pub tx: Option<String>,
    /// The height of the block holding --tx.
    #[arg(long)]
    pub height: Option<u64>,
    /// The event's index (EVM: the log index in the block, as `cast receipt` shows it).
    #[arg(long)]
    pub index: Option<u32>,
    /// A block chosen by a block-interval trigger, by height.
    #[arg(long, requires = "chain")]
    pub block: Option<u64>,
    /// A manual task's id (what `wavs add-task --task-id` sent).
    #[arg(long)]
    pub task: Option<String>,
    /// A cron tick's scheduled time, in seconds since the Unix epoch (UTC).
    #[arg(long)]
    pub cron_time: Option<u64>,
    /// Which of the component's responses (0 for the first).
    #[arg(long, default_value_t = 0)]
    pub response: u32,
}

/// Prints the event id `args` describe, as 0x-hex.
pub fn run(args: &EventIdArgs, json: bool) -> CliResult {
    let id = compute(args)?;
    let hex = format!("0x{}", hex::encode(&id));
    if json {
        output::json(&serde_json::json!({ "event-id": hex }));
    } else {
        println!("{hex}");
    }
    Ok(())
}

/// The event id of `args`, or what is wrong with them.
pub fn compute(args: &EventIdArgs) -> Result<Vec<u8>, String> {
    let chain = match args.chain.as_deref() {
        Some(c) if !c.contains(':') => {
            return Err(format!(
                "--chain {c:?}: give the chain's shared id family:chain-id (e.g. evm:31337), which every operator \
                 derives event ids from; `wavs chains list` shows each chain's family and chain-id"
            ));
        }
        other => other.unwrap_or_default(),
    };
    let tx_hash = args.tx.as_deref().map(|t| wavs_types::hex_bytes::decode(t).map_err(|e| format!("--tx: {e}"))).transpose()?;
    let identity = match (&tx_hash, args.block, &args.task, args.cron_time) {
        (Some(tx_hash), ..) => TriggerIdentity::ChainEvent {
            chain,
            height: args.height.ok_or("--tx needs --height")?,
            tx_hash,
            index: args.index.ok_or("--tx needs --index")?,
        },
        (None, Some(height), ..) => TriggerIdentity::Block { chain, height },
        (None, None, Some(task_id), _) => TriggerIdentity::Manual { task_id },
        (None, None, None, Some(time_unix_s)) => TriggerIdentity::Cron { time_unix_s },
        (None, None, None, None) => return Err("name a trigger: --tx, --block, --task or --cron-time".into()),
    };
    Ok(derive_event_id(&args.service, &args.workflow, &identity, args.response))
}
