//! The named checks, in the order they run. Later checks use what earlier ones
//! deployed; a check that cannot run, or cannot exercise what it names, says so and is
//! reported as skipped. A failure points at the guide section of the check (below)
//! unless it names another, such as the step of the adapter call that failed.

mod chain;
mod describe;
mod destination;
mod envelopes;
mod faults;
mod head;
mod limits;
mod services;
mod verify;

use crate::guide::*;
use crate::kit::Kit;
use crate::report::{Report, fail};
use std::path::Path;

/// Runs every check against `kit` and records each outcome.
pub async fn run_all(kit: &mut Kit, adapter: &Path, loaded: Result<String, String>, report: &mut Report) {
    let loaded_ok = loaded.is_ok();
    let loads = loaded.or_else(|reason| fail("the registry to load the file as a chain adapter", format!("refused: {reason}")));
    report.record("loads", WORLD, loads);
    report.record("describe", STEP1, describe::describe(kit));
    report.record("imports", WORLD, describe::imports(kit, adapter));
    if !loaded_ok {
        return; // nothing below can run without the adapter
    }
    report.record("deploy-reference-contracts", STEP10, chain::deploy(kit).await);
    report.record("head-advances", STEP3, head::head_advances(kit).await);
    report.record("head-safe-finalized", STEP3, head::head_tags(kit).await);
    report.record("block-hashes-stable", STEP3, head::block_hashes_stable(kit).await);
    report.record("block-interval-events", STEP4, chain::block_interval_events(kit).await);
    report.record("events-complete-and-split-stable", STEP4, chain::events_complete_and_stable(kit).await);
    report.record("event-positions-monotonic", STEP4, chain::positions_monotonic(kit).await);
    report.record("check-filter", STEP4, limits::check_filter(kit).await);
    report.record("envelope-digest-deterministic", STEP5, envelopes::digest_deterministic(kit).await);
    report.record("verify-binds-digest-and-key", STEP6, verify::verify_binds_digest_and_key(kit).await);
    report.record("operator-set-matches-deployment", STEP7, envelopes::operator_set_matches(kit).await);
    report.record("submit-lands-once", STEP8, envelopes::submit_lands_once(kit).await);
    report.record("below-quorum-rejected", STEP8, envelopes::below_quorum_refused(kit).await);
    report.record("oversize-too-large", STEP8, limits::oversize_is_too_large(kit).await);
    report.record("handler-info-matches", STEP9, destination::handler_info(kit).await);
    report.record("signature-bound-to-handler", DIGEST_BINDS, destination::bound_to_handler(kit).await);
    report.record("signature-bound-to-chain", DIGEST_BINDS, destination::bound_to_chain(kit).await);
    report.record("service-uri-follows-changes", STEP11, services::service_uri_follows_changes(kit).await);
    report.record("dead-rpc-transient", ERRORS, faults::dead_rpc_transient(kit).await);
    report.record("bad-contract-not-transient", ERRORS, faults::bad_contract_not_transient(kit).await);
    report.record("malformed-rpc-no-trap", ERRORS, faults::malformed_rpc_no_trap(kit).await);
    report.record("within-default-limits", LIMITS, faults::within_limits(kit));
}
