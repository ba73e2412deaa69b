//! Blocks for the checks that need them. The kit makes them through the testing
//! interface: every `fire-trigger` is a transaction, so a chain that mines only on
//! transactions (anvil without `--block-time`) makes a block for each. Without that it
//! waits for a chain that makes blocks on its own; failing both, the check is skipped
//! with what the chain must do, never passed and never failed on the adapter's account.

use crate::guide;
use crate::kit::Kit;
use crate::report::{Outcome, fail_at, skip};
use std::time::{Duration, Instant};
use wavs_runtime::bindings::adapter_api::{BlockInfo, BlockTag};

/// How long the kit waits for the chain to make a block on its own.
pub const CHAIN_WAIT: Duration = Duration::from_secs(10);

/// What the chain must do when the kit cannot make blocks itself.
pub const CHAIN_MUST: &str = "the chain must make a block every few seconds on its own (anvil --block-time 1; \
CometBFT chains do), or the kit must deploy the reference contracts through the adapter's testing interface \
and make blocks with fire-trigger";

/// Reads `head(latest)` until it is at `height` or above, making the blocks where it
/// can. Returns the head and how the blocks came.
pub async fn head_at_least(kit: &mut Kit, height: u64) -> Result<(BlockInfo, String), Outcome> {
    let result = kit.conn.head(BlockTag::Latest).await;
    let mut head = kit.check("head", result)?;
    let start = head.height;
    if start >= height {
        return Ok((head, format!("the chain was at {start}")));
    }
    let mut fired = 0;
    if let Some(d) = kit.deployment.clone() {
        // Each included transaction lands above the head read before it; twice the gap
        // leaves room for a chain that puts two of them in one block.
        while head.height < height && fired < 2 * (height - start) + 2 {
            let payload = b"block".to_vec();
            let result = kit.conn.fire_trigger(&d.trigger, &payload).await;
            let tx = kit.check("fire-trigger", result)?;
            kit.fired.push((tx, payload));
            fired += 1;
            let result = kit.conn.head(BlockTag::Latest).await;
            head = kit.check("head", result)?;
        }
    } else if let Some(why) = kit.idle.clone() {
        return skip(format!("needs head(latest) at {height} or above, it is at {start}; {why}"));
    }
    let started = Instant::now();
    while head.height < height && started.elapsed() < CHAIN_WAIT {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let result = kit.conn.head(BlockTag::Latest).await;
        head = kit.check("head", result)?;
    }
    if head.height >= height {
        let how = if fired > 0 { format!("fire-trigger ({fired} transactions)") } else { "the chain".into() };
        let made = format!("{how} made blocks {}..={}", start + 1, head.height);
        return Ok((head, made));
    }
    if fired > 0 {
        // The transactions were included, so the chain did make blocks: head is wrong.
        return fail_at(
            guide::STEP3,
            format!("head(latest) at {height} or above once {fired} fire-trigger transactions were included"),
            format!("head(latest) at {} (it was {start} before them, {} s ago)", head.height, started.elapsed().as_secs() + 1),
        );
    }
    let no_testing = if kit.has_testing() {
        "the reference contracts did not deploy, so the kit cannot fire-trigger to make blocks"
    } else {
        "the adapter has no testing interface to make blocks with"
    };
    let why = format!(
        "the chain made no block in {} s and {no_testing}: {CHAIN_MUST} ({}#{})",
        CHAIN_WAIT.as_secs(),
        crate::report::GUIDE,
        guide::CONFORMANCE
    );
    kit.idle = Some(why.clone());
    skip(format!("needs head(latest) at {height} or above, it stayed at {}; {why}", head.height))
}
