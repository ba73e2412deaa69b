//! Nothing fails for good while it can still land. Signatures are counted against the
//! operator set as it was then; by the time an envelope is submitted an operator may
//! have been removed, a weight lowered or the threshold raised. So:
//!
//! - before every submission the manager's operator set is read fresh (not the 2 s
//!   cache), stale signers are dropped and weights updated: what still meets the
//!   threshold is sent, the rest goes back to pending, where the signatures nodes keep
//!   re-sending (until a final state) are counted again;
//! - a single envelope the chain refused is re-checked the same way before anything
//!   is final (see [`Aggregator::settle_refusal`] for which refusals are).

use crate::Aggregator;
use crate::Counters;
use crate::queue::{Entry, Key, Recheck};
use crate::quorum::Quorum;
use std::sync::Arc;
use crate::targets::Target;
use crate::chain::SubmitChain;
use wavs_runtime::{AdapterErrorKind, RuntimeError};

impl Aggregator {
    /// The target manager's operator set, read from chain now.
    async fn fresh_quorum(&self, chain: &dyn SubmitChain, target: &Target) -> crate::error::Result<Arc<Quorum>> {
        self.operator_sets.fresh(&target.chain, chain, &target.manager).await
    }

    fn report(&self, key: &Key, recheck: &Recheck) {
        if recheck.reweighed.dropped.is_empty() {
            return;
        }
        Counters::bump(&self.counters.stale_signatures, recheck.reweighed.dropped.len() as u64);
        tracing::info!(
            event_id = %wavs_types::hex_bytes::encode(&key.event_id),
            target = %key.target,
            dropped = ?recheck.reweighed.dropped,
            detail = %recheck.status.detail,
            "dropped signatures of signers that are no longer operators"
        );
    }

    /// Applies the manager's current operator set to taken entries; returns those that
    /// still meet the threshold (copies to submit). The others are pending again.
    pub(super) async fn recheck_taken(&self, chain: &dyn SubmitChain, target: &Target, taken: Vec<(Key, Entry)>) -> Vec<(Key, Entry)> {
        let quorum = match self.fresh_quorum(chain, target).await {
            Ok(quorum) => quorum,
            Err(e) => {
                tracing::warn!(%target, "cannot read the operator set before submitting, will retry: {e}");
                let keys: Vec<&Key> = taken.iter().map(|(k, _)| k).collect();
                self.retry_later(&keys, &format!("reading the operator set of {}: {e}", target.manager));
                return Vec::new();
            }
        };
        let outcomes = self.record(|q| taken.into_iter().map(|(key, _)| { let r = q.recheck(&key, &quorum); (key, r) }).collect::<Vec<_>>());
        let mut ready = Vec::new();
        for (key, outcome) in outcomes {
            match outcome {
                None => {}
                Some(Ok(recheck)) => {
                    self.report(&key, &recheck);
                    if let Some(entry) = recheck.ready {
                        ready.push((key, entry));
                    }
                }
                Some(Err(why)) => self.retry_later(&[&key], &why),
            }
        }
        ready
    }

    /// The chain refused one envelope. Final only if nothing that can change explains
    /// it. Re-checked first, in order:
    ///
    /// 1. the handler has handled the event id meanwhile: already handled;
    /// 2. the handler now validates with another manager: final, naming both (the
    ///    signatures are the named manager's operators');
    /// 3. the operator set changed (a signer removed, a weight or the threshold
    ///    changed): updated, then sent again if the rest still meets the threshold,
    ///    else pending for more signatures.
    ///
    /// An envelope refused as `too-large` alone fails at once: no batch can carry it.
    ///
    /// Which refusals are final: a `rejected` answer (the adapter's word that the same
    /// call fails again: a revert, a malformed envelope) that none of the above
    /// explains, since then the same signatures, meeting the current threshold, would go
    /// to the same handler with the same manager and be refused the same way. Anything
    /// else from the adapter — a trap, a limit, `invalid-config`, `unsupported` — is
    /// about the adapter or its configuration, which the operator can fix, so the entry
    /// is retried (with backoff) until it lands or expires.
    pub(super) async fn settle_refusal(&self, chain: &dyn SubmitChain, target: &Target, key: &Key, error: &RuntimeError) {
        let refusal = error.to_string();
        let event_id = wavs_types::hex_bytes::encode(&key.event_id);
        if error.is_too_large() {
            // Alone in its transaction and still too large: no batch size can land it.
            tracing::warn!(%event_id, %target, "envelope too large for one transaction of the chain: {refusal}");
            Counters::bump(&self.counters.failed, 1);
            let why = format!("{refusal} (alone in a transaction: it can never land on this chain)");
            return self.record(|q| q.failed(key, why, crate::now_ms()));
        }
        if !matches!(error, RuntimeError::Adapter { kind: AdapterErrorKind::Rejected, .. }) {
            tracing::warn!(%event_id, %target, "submission failed in the adapter, will retry until it expires: {refusal}");
            return self.retry_later(&[key], &refusal);
        }
        match chain.is_handled(&target.handler, &key.event_id).await {
            Ok(true) => return self.record(|q| q.already_handled(key, crate::now_ms())),
            Ok(false) => {}
            Err(e) => return self.retry_later(&[key], &format!("{refusal}; re-checking it: is-handled: {e}")),
        }
        self.targets.forget_check(target);
        match self.ensure_checked(target, chain).await {
            Ok(()) => {}
            Err(e) if e.is_retryable() => return self.retry_later(&[key], &format!("{refusal}; re-checking it: {e}")),
            Err(e) => {
                Counters::bump(&self.counters.failed, 1);
                return self.record(|q| q.failed(key, format!("{refusal}; {e}"), crate::now_ms()));
            }
        }
        let quorum = match self.fresh_quorum(chain, target).await {
            Ok(quorum) => quorum,
            Err(e) => return self.retry_later(&[key], &format!("{refusal}; re-checking it: operator set: {e}")),
        };
        let outcome = self.record(|q| q.recheck(key, &quorum));
        match outcome {
            None => {}
            Some(Err(why)) => self.retry_later(&[key], &why),
            Some(Ok(recheck)) => {
                self.report(key, &recheck);
                if recheck.ready.is_none() {
                    tracing::info!(%event_id, %target, detail = %recheck.status.detail, "refused by the chain ({refusal}); below the current threshold now: waiting for more signatures");
                } else if recheck.reweighed.changed {
                    tracing::info!(%event_id, %target, "refused by the chain ({refusal}); the operator set changed since: sending again with current weights");
                    self.retry_later(&[key], &refusal);
                } else {
                    let reason = format!(
                        "{refusal} (final: the handler has not handled this event id, still validates with manager {}, and the signatures meet that manager's current threshold, so the same transaction would be refused again)",
                        target.manager
                    );
                    tracing::warn!(%event_id, %target, "submission failed for good: {reason}");
                    Counters::bump(&self.counters.failed, 1);
                    self.record(|q| q.failed(key, reason, crate::now_ms()));
                }
            }
        }
    }
}
