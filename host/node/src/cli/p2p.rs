//! `wavs p2p announce --chain C --manager M [--address A]`: the node publishes its p2p
//! address at the manager, from (and paid by) its operator account on the chain.

use super::{CliResult, Ctx, output};

/// Asks the running node to publish its p2p address (or `address`) at `manager` on `chain`.
pub async fn announce(chain: &str, manager: &str, address: Option<&str>, ctx: &Ctx) -> CliResult {
    let announced = ctx.client().announce_peer(chain, manager, address).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&announced);
    } else {
        let listed = if announced.listed { "it lists it" } else { "it does not list it (does this operator have weight there?)" };
        println!("announced {} at manager {} on {}: {listed}", announced.address, announced.manager, announced.chain);
    }
    Ok(())
}
