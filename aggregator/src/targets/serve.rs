//! Deciding whether a target is served: known first (no chain work for an unknown one),
//! then checked on chain once, through the adapter's `handler-info`.

use super::{Check, Source, Target, canonical_address};
use crate::Aggregator;
use crate::error::{AggregatorError, Result};
use std::sync::Arc;
use std::time::Instant;
use crate::chain::SubmitChain;

impl Aggregator {
    /// A reading adapter instance of the chain `name` names (its name here or its
    /// `family:chain-id`), with its name here: never the one that submits, so reads do
    /// not wait for a transaction (see `crate::readers`). A chain not served yet is a
    /// retryable refusal: the sender keeps the result and sends it again, and it lands
    /// once the chain is added.
    pub(crate) fn chain(&self, name: &str) -> Result<(String, Arc<dyn SubmitChain>)> {
        self.chains.reader(name).ok_or_else(|| {
            AggregatorError::ChainNotConfigured(format!(
                "chain {name:?} is not configured here yet (served: {:?}); the result is kept by its sender and sent again: \
                 add the chain with POST /chains or [chains.{name}]",
                self.chains.names()
            ))
        })
    }

    /// The target a submission names, with its chain, if this aggregator serves it. An
    /// unknown target is refused before any RPC or WASM call, unless its chain accepts
    /// verified targets; every target is checked on chain before its first use. A chain
    /// named by `family:chain-id` is served under this aggregator's own name for it, so
    /// signatures from operators who name the chain differently meet in one envelope.
    pub(crate) async fn serve(&self, chain: &str, manager: &str, handler: &str) -> Result<(Target, Arc<dyn SubmitChain>)> {
        let (chain, adapter) = self.chain(chain)?;
        let target = Target::new(&chain, manager, handler);
        if self.targets.source(&target).is_none() {
            let accepts_verified = self.chains.resolve(&chain).is_some_and(|(_, c)| c.entry.accept_verified_targets);
            if !accepts_verified {
                return Err(AggregatorError::UnknownTarget(self.unknown(&target)));
            }
            self.ensure_checked(&target, &*adapter).await?;
            self.admit_verified(&target)?;
            return Ok((target, adapter));
        }
        self.ensure_checked(&target, &*adapter).await?;
        Ok((target, adapter))
    }

    /// Why `target` is refused, and how its operator can have it served.
    fn unknown(&self, target: &Target) -> String {
        let same_handler: Vec<String> = self
            .targets
            .list()
            .into_iter()
            .filter(|(t, _)| t.chain == target.chain && t.handler == target.handler)
            .map(|(t, _)| t.manager)
            .collect();
        let hint = match same_handler.as_slice() {
            [] => String::new(),
            managers => format!(" (this aggregator serves handler {} with manager {})", target.handler, managers.join(", ")),
        };
        format!(
            "target {target} is not served by this aggregator{hint}: its operator adds it under [[targets]] in the \
             aggregator's config, or registers it with POST /targets and the aggregator's api-token"
        )
    }

    /// Checks on chain, once per process, that `target`'s handler validates with
    /// `target`'s manager. A mismatch is refused (and remembered a minute); a passing
    /// RPC failure is retryable.
    pub(crate) async fn ensure_checked(&self, target: &Target, chain: &dyn SubmitChain) -> Result<()> {
        match self.targets.check(target, Instant::now()) {
            Some(Check::Matches) => return Ok(()),
            Some(Check::Refused(why, _)) => return Err(AggregatorError::UnknownTarget(why)),
            None => {}
        }
        let refusal = match chain.handler_info(&target.handler).await.map(|info| info.manager) {
            Ok(actual) if canonical_address(&actual) == target.manager => None,
            Ok(actual) => Some(format!(
                "handler {} on chain {} validates signatures with manager {}, not {}: only signatures of {}'s operators land there; name that manager",
                target.handler,
                target.chain,
                canonical_address(&actual),
                target.manager,
                canonical_address(&actual)
            )),
            Err(e) if e.is_retryable() => return Err(e.into()),
            Err(e) => Some(format!("chain {} cannot tell which manager {} validates with: {e}", target.chain, target.handler)),
        };
        self.targets.record_check(target, refusal.clone(), Instant::now());
        match refusal {
            None => {
                tracing::info!(%target, "target checked on chain: the handler validates with the named manager");
                Ok(())
            }
            Some(why) => {
                tracing::warn!(%target, "target refused: {why}");
                Err(AggregatorError::UnknownTarget(why))
            }
        }
    }

    /// Lets in a target the chain confirmed, on a chain with `accept-verified-targets`,
    /// within `max-verified-targets`; stores it.
    fn admit_verified(&self, target: &Target) -> Result<()> {
        let max = self.config.limits.max_verified_targets;
        if self.targets.count(Source::Verified) >= max {
            return Err(AggregatorError::UnknownTarget(format!(
                "target {target} is not served: this aggregator already serves {max} verified targets (limits.max-verified-targets); its operator registers it with POST /targets"
            )));
        }
        self.queue.lock().store_mut().put_target(target, Source::Verified)?;
        if self.targets.insert(target.clone(), Source::Verified).is_none() {
            tracing::info!(%target, "target let in: the chain confirms its handler validates with its manager (accept-verified-targets)");
        }
        Ok(())
    }

    /// Registers `target` as `source` (checked on chain first) and stores it. Returns
    /// how it is known now and whether this call added it. A verified target registered
    /// through the API becomes an API target (no longer counted as verified).
    pub async fn register_target(&self, target: &Target, source: Source) -> Result<(Source, bool)> {
        let target = target.canonical();
        let (_, chain) = self.chain(&target.chain).map_err(|_| {
            AggregatorError::Invalid(format!(
                "chain {:?} is not configured here (served: {:?}): add it with POST /chains or [chains.{}] first",
                target.chain,
                self.chains.names(),
                target.chain
            ))
        })?;
        let before = self.targets.source(&target);
        if let Some(known) = before
            && !(known == Source::Verified && source == Source::Api)
        {
            return Ok((known, false));
        }
        self.ensure_checked(&target, &*chain).await?;
        self.queue.lock().store_mut().put_target(&target, source)?;
        if before.is_some() {
            self.targets.remove(&target);
        }
        self.targets.insert(target.clone(), source);
        self.targets.record_check(&target, None, Instant::now());
        tracing::info!(%target, ?source, "target registered");
        Ok((source, before.is_none()))
    }

    /// Stops serving a registered target. Its open envelopes are no longer submitted and
    /// expire. A configured target can only be removed from the configuration.
    pub fn unregister_target(&self, target: &Target) -> Result<Source> {
        let target = target.canonical();
        match self.targets.source(&target) {
            None => Err(AggregatorError::NotFound(format!("target {target} is not served here"))),
            Some(Source::Config) => Err(AggregatorError::Invalid(format!(
                "target {target} is in the aggregator's configuration: remove it from [[targets]] and restart"
            ))),
            Some(source) => {
                self.queue.lock().store_mut().delete_target(&target)?;
                self.targets.remove(&target);
                tracing::info!(%target, "target removed");
                Ok(source)
            }
        }
    }
}
