//! Checks of the head and of block hashes (guide step 3). The checks that need new
//! blocks make them through the testing interface, or skip saying what the chain must do.

use crate::blocks::head_at_least;
use crate::kit::{Kit, ensure};
use crate::report::{Outcome, skip};
use std::time::{SystemTime, UNIX_EPOCH};
use wavs_runtime::bindings::adapter_api::{BlockInfo, BlockStatus, BlockTag};
use wavs_runtime::{AdapterErrorKind, RuntimeError};

/// 2015-01-01 in milliseconds: a block time below it is seconds, not milliseconds.
const EARLIEST_MS: u64 = 1_420_070_400_000;

fn shown(status: &BlockStatus) -> String {
    match status {
        BlockStatus::Produced(hash) => format!("produced(0x{})", hex::encode(hash)),
        BlockStatus::Skipped => "skipped".into(),
        BlockStatus::NotYet => "not-yet".into(),
    }
}

fn produced(status: &BlockStatus) -> Option<&[u8]> {
    match status {
        BlockStatus::Produced(hash) => Some(hash),
        _ => None,
    }
}

/// `time-unix-ms` is milliseconds of a plausible clock: after 2015, within an hour of now.
fn plausible_time(tag: &str, b: &BlockInfo) -> Result<(), Outcome> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(u64::MAX);
    ensure(
        (EARLIEST_MS..=now.saturating_add(3_600_000)).contains(&b.time_unix_ms),
        format!("head({tag}).time-unix-ms in milliseconds since 1970, after 2015 and within an hour of now ({now})"),
        format!("{} at height {} (seconds instead of milliseconds?)", b.time_unix_ms, b.height),
    )
}

/// The head moves forward to a new block whose time does not go back.
pub async fn head_advances(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.head(BlockTag::Latest).await;
    let first = kit.check("head", result)?;
    plausible_time("latest", &first)?;
    let (now, how) = head_at_least(kit, first.height + 1).await?;
    ensure(now.hash != first.hash, format!("height {} with another hash than height {}", now.height, first.height), "the same hash")?;
    ensure(
        now.time_unix_ms >= first.time_unix_ms,
        "block times that do not go back",
        format!("{} ms at height {}, {} ms at height {}", first.time_unix_ms, first.height, now.time_unix_ms, now.height),
    )?;
    Ok(format!("{} -> {}: {how}", first.height, now.height))
}

/// `head` answers for `finalized`, `safe` and `latest`, in that order of height, each
/// with the hash `block-hash` gives for its height.
pub async fn head_tags(kit: &mut Kit) -> Result<String, Outcome> {
    let mut heads = Vec::new();
    // Oldest notion first: a chain that moves on between the reads keeps the order.
    for (tag, name) in [(BlockTag::Finalized, "finalized"), (BlockTag::Safe, "safe"), (BlockTag::Latest, "latest")] {
        let result = kit.conn.head(tag).await;
        let info = kit.check(&format!("head({name})"), result)?;
        plausible_time(name, &info)?;
        heads.push((name, info));
    }
    for pair in heads.windows(2) {
        let ((lower, a), (upper, b)) = (&pair[0], &pair[1]);
        ensure(
            a.height <= b.height,
            format!("head({lower}) at or below head({upper}), read after it"),
            format!("head({lower}) at {}, head({upper}) at {}", a.height, b.height),
        )?;
    }
    for (name, info) in &heads {
        let result = kit.conn.block_hash(info.height).await;
        let status = kit.check("block-hash", result)?;
        ensure(
            produced(&status) == Some(info.hash.as_slice()),
            format!("block-hash({}) to be produced with head({name})'s hash 0x{}", info.height, hex::encode(&info.hash)),
            shown(&status),
        )?;
    }
    let [(_, f), (_, s), (_, l)] = &heads[..] else { unreachable!("three tags were read") };
    Ok(format!("finalized {}, safe {}, latest {}; each hash is block-hash's", f.height, s.height, l.height))
}

/// A settled height's status is the same every time (a block's hash, or skipped on a
/// chain that skips heights) and the head's matches it; a height beyond the head is
/// `not-yet`, never `skipped` (the node would step over it and lose its triggers).
pub async fn block_hashes_stable(kit: &mut Kit) -> Result<String, Outcome> {
    // Two blocks, so that the settled one below the head is not the genesis.
    let (head, _) = head_at_least(kit, 2).await?;
    let result = kit.conn.block_hash(head.height).await;
    let at_head = kit.check("block-hash", result)?;
    ensure(
        produced(&at_head) == Some(head.hash.as_slice()),
        format!("block-hash({}) to be produced with head(latest)'s hash 0x{}", head.height, hex::encode(&head.hash)),
        shown(&at_head),
    )?;
    let settled = head.height - 1;
    let result = kit.conn.block_hash(settled).await;
    let once = kit.check("block-hash", result)?;
    let result = kit.conn.block_hash(settled).await;
    let again = kit.check("block-hash", result)?;
    ensure(
        !matches!(once, BlockStatus::NotYet),
        format!("a block or a skipped height at {settled}, below the head {}", head.height),
        "not-yet",
    )?;
    ensure(shown(&once) == shown(&again), format!("block-hash({settled}) the same on two calls"), format!("{} then {}", shown(&once), shown(&again)))?;
    let future = head.height + 1_000_000;
    let result = kit.conn.block_hash(future).await;
    let beyond = kit.check("block-hash", result)?;
    ensure(
        matches!(beyond, BlockStatus::NotYet),
        format!("not-yet for height {future}, a million blocks past the head"),
        shown(&beyond),
    )?;
    Ok(format!("height {settled} {}", shown(&once)))
}

/// The optional `blocks` export answers the head's own time for the head's height, the
/// same on a second call: deterministic workflows' clocks read it on every operator.
pub async fn block_time_matches_head(kit: &mut Kit) -> Result<String, Outcome> {
    let result = kit.conn.head(BlockTag::Latest).await;
    let head = kit.check("head", result)?;
    let first = kit.conn.block_time(head.height).await;
    if let Err(RuntimeError::Adapter { kind: AdapterErrorKind::Unsupported, message }) = &first {
        return skip(format!("{message} (optional: only deterministic workflows need it)"));
    }
    let first = kit.check("block-time", first)?;
    let result = kit.conn.block_time(head.height).await;
    let again = kit.check("block-time", result)?;
    ensure(
        first == head.time_unix_ms && again == first,
        format!("block-time({}) to be head(latest)'s time-unix-ms {} on every call", head.height, head.time_unix_ms),
        format!("{first} then {again}"),
    )?;
    Ok(format!("height {} at {first} ms", head.height))
}
