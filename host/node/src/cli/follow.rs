//! `wavs service add --chain C --manager ADDR`, `wavs service followed`, `wavs service
//! unfollow`: services defined on chain, which the node follows by their manager.

use super::{CliResult, Ctx, output};
use wavs_types::followed::{FollowState, FollowedService};

/// `wavs service add`: the node reads the manager's service URI, fetches and checks the
/// definition and its components, and runs it; then follows the URI by itself.
pub async fn add(chain: &str, manager: &str, ctx: &Ctx) -> CliResult {
    let followed = ctx.client().follow(chain, manager).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&followed);
    } else {
        println!(
            "following manager {} on {}: service {} runs the definition at {} (sha256 {}); the node moves to each new \
             URI the manager's owner sets",
            followed.manager, followed.chain, followed.service, followed.uri, short(&followed.definition_digest)
        );
    }
    Ok(())
}

/// `wavs service followed`.
pub async fn list(ctx: &Ctx) -> CliResult {
    let list = ctx.client().followed().await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("no manager followed (follow one with `wavs service add --chain CHAIN --manager ADDRESS`)");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list.iter().map(row).collect();
    output::table(&["chain", "manager", "service", "state", "uri", "switches", "why"], &rows);
    Ok(())
}

/// `wavs service unfollow`.
pub async fn unfollow(chain: &str, manager: &str, ctx: &Ctx) -> CliResult {
    ctx.client().unfollow(chain, manager).await.map_err(|e| e.to_string())?;
    if !ctx.json {
        println!("no longer following manager {manager} on {chain}; its service keeps running (`wavs service remove ID` stops it)");
    }
    Ok(())
}

fn row(f: &FollowedService) -> Vec<String> {
    let state = match f.state {
        FollowState::Running => "running",
        FollowState::Refused => "refused",
        FollowState::Unreachable => "unreachable",
    };
    let why = match (&f.pending_uri, &f.error) {
        (Some(uri), Some(e)) => format!("{uri}: {e}"),
        (None, Some(e)) => e.clone(),
        _ => String::new(),
    };
    vec![f.chain.clone(), f.manager.clone(), f.service.clone(), state.into(), f.uri.clone(), f.switches.to_string(), why]
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
