//! `wavs keys --service S --register --chain C --manager ADDR`: the node registers the
//! service's key at its manager, from (and paid by) its operator account on the chain.

use super::{CliResult, Ctx, output};

/// Asks the running node to register service `service`'s key at `manager` on `chain`.
pub async fn run(service: &str, chain: &str, manager: &str, ctx: &Ctx) -> CliResult {
    let registered = ctx.client().register_service_key(service, chain, manager).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&registered);
    } else {
        println!(
            "registered {service}'s {} key {} at manager {} on {}: it counts for operator {}",
            registered.scheme, registered.public_key, registered.manager, registered.chain, registered.operator
        );
    }
    Ok(())
}
