//! The aggregator as the CLI reaches it (`wavs chains add --aggregator`,
//! `wavs chains deploy-contracts --register-with`): its URL, the token from
//! `WAVS_AGGREGATOR_API_TOKEN`, and its refusals in words that say what to do.

use super::CliResult;
use serde_json::json;
use wavs_client::{AggregatorClient, ClientError};
use wavs_types::ChainSpec;
use wavs_types::aggregator_chains::AggregatorChainRequest;
use wavs_types::node_api::OperatorIdentity;

/// Where the CLI reads the aggregator's API token.
pub const TOKEN_ENV: &str = "WAVS_AGGREGATOR_API_TOKEN";

/// The aggregator at `url`, sent the token of [`TOKEN_ENV`] (if set).
pub fn client(url: &str) -> AggregatorClient {
    AggregatorClient::new(url).with_token(std::env::var(TOKEN_ENV).ok())
}

/// A failed call to the aggregator at `url` that tried to do `what`, and what to do.
pub fn failed(url: &str, what: &str, e: ClientError) -> String {
    match e {
        ClientError::Refused { status, error, .. } if status.as_u16() == 401 => format!(
            "the aggregator at {url} refused {what} ({status}): {}: set {TOKEN_ENV} to its api-token (its config's api-token, or the file <data-dir>/api-token)",
            error.error
        ),
        ClientError::Refused { status, error, .. } => format!("the aggregator at {url} refused {what} ({status}): {}", error.error),
        ClientError::Unreachable { source, .. } => format!("cannot reach the aggregator at {url}: {source}"),
        other => format!("the aggregator at {url}: {other}"),
    }
}

/// Checks, before anything is changed, that the token adding a chain needs is set.
pub fn require_token(url: &str) -> CliResult {
    match std::env::var(TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => Ok(()),
        _ => Err(format!(
            "--aggregator {url}: set {TOKEN_ENV} to the aggregator's api-token (its config's api-token, or the file <data-dir>/api-token); nothing was added"
        )),
    }
}

/// Gives chain `name` to the aggregator at `url` (`POST /chains`), saying how it went on
/// stderr: the account that pays for its submissions, or that it served the chain
/// already (so the command can be run again, for each node, or after a failure).
pub async fn add_chain(url: &str, name: &str, spec: ChainSpec, json: bool) -> CliResult<serde_json::Value> {
    if !json {
        eprintln!("giving chain {name} to the aggregator at {url}");
    }
    let request = AggregatorChainRequest { name: name.to_string(), accept_verified_targets: false, spec };
    match client(url).add_chain(&request).await {
        Ok(added) => {
            let account = match &added.submitter {
                OperatorIdentity::Id(id) => id.clone(),
                OperatorIdentity::Unknown { error } => format!("unknown yet ({error})"),
            };
            if !json {
                eprintln!("the aggregator at {url} submits to {name} ({}) from now on, paid by {account} ({}): that account needs funds there", added.chain_id, added.key);
            }
            Ok(json!({ "added": true, "submitter": added.submitter, "key": added.key }))
        }
        Err(ClientError::Refused { status, error, .. }) if status.as_u16() == 409 => {
            if !json {
                eprintln!("the aggregator at {url} has it already: {}", error.error);
            }
            Ok(json!({ "added": false, "note": error.error }))
        }
        Err(e) => Err(failed(url, &format!("chain {name}"), e) + "; nothing was added to the node"),
    }
}
