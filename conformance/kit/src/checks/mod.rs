//! The named checks, in the order they run. Later checks use what earlier ones
//! deployed; a check that cannot run says so and is reported as skipped.

mod chain;
mod describe;
mod destination;
mod envelopes;
mod faults;

use crate::kit::Kit;
use crate::report::{Report, fail};
use std::path::Path;

/// Runs every check against `kit` and records each outcome.
pub async fn run_all(kit: &mut Kit, adapter: &Path, loaded: Result<String, String>, report: &mut Report) {
    let loaded_ok = loaded.is_ok();
    report.record("loads", loaded.or_else(|reason| fail(format!("the registry refused the file: {reason}"))));
    report.record("describe", describe::describe(kit));
    report.record("imports", describe::imports(kit, adapter));
    if !loaded_ok {
        return; // nothing below can run without the adapter
    }
    report.record("deploy-reference-contracts", chain::deploy(kit).await);
    report.record("head-advances", chain::head_advances(kit).await);
    report.record("block-hashes-stable", chain::block_hashes_stable(kit).await);
    report.record("events-complete-and-split-stable", chain::events_complete_and_stable(kit).await);
    report.record("event-positions-monotonic", chain::positions_monotonic(kit).await);
    report.record("envelope-digest-deterministic", envelopes::digest_deterministic(kit).await);
    report.record("operator-set-matches-deployment", envelopes::operator_set_matches(kit).await);
    report.record("submit-lands-once", envelopes::submit_lands_once(kit).await);
    report.record("below-quorum-rejected", envelopes::below_quorum_refused(kit).await);
    report.record("handler-manager-matches", destination::handler_manager(kit).await);
    report.record("signature-bound-to-handler", destination::bound_to_handler(kit).await);
    report.record("signature-bound-to-chain", destination::bound_to_chain(kit).await);
    report.record("dead-rpc-transient", faults::dead_rpc_transient(kit).await);
    report.record("bad-contract-not-transient", faults::bad_contract_not_transient(kit).await);
    report.record("malformed-rpc-no-trap", faults::malformed_rpc_no_trap(kit).await);
    report.record("within-default-limits", faults::within_limits(kit));
}
