//! Targets: the (chain, manager, handler) triples this aggregator submits to, and only
//! those. Whoever posts an envelope names a target; the aggregator serves it only if it
//! knows it already:
//!
//! - from its configuration (`[[targets]]`),
//! - registered at runtime with `POST /targets` and the API token (kept in the store),
//! - or, on a chain with `accept-verified-targets = true`, once the chain confirmed
//!   that the handler validates with the named manager (kept in the store too; this
//!   spends the aggregator's gas for anyone who deploys a manager and a handler).
//!
//! An unknown target is refused before any RPC or WASM call, so a poster's own manager
//! and handler cost the aggregator nothing. Every target is checked on chain before its
//! first use (`handler-info`): a handler that validates with another manager than
//! the named one is refused, naming both. The threshold then comes only from the
//! target's manager on chain (see `crate::quorum`).

mod serve;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// How long a failed on-chain check is remembered, so a misconfigured target does not
/// cost an RPC call per envelope, yet a fixed one is served again soon.
const MISMATCH_TTL: Duration = Duration::from_secs(60);

impl crate::Aggregator {
    /// The managers of the targets served, each with its chain as `family:chain-id` (the
    /// name every configuration shares for it), once each: where a node embedding this
    /// aggregator looks for its peers' addresses.
    pub fn served_managers(&self) -> Vec<(String, String)> {
        let served: BTreeSet<(String, String)> = self
            .targets
            .list()
            .into_iter()
            .filter_map(|(t, _)| self.chains.resolve(&t.chain).map(|(_, c)| (c.entry.spec.caip2(), t.manager)))
            .collect();
        served.into_iter().collect()
    }
}

/// Where envelopes go: a handler contract on a chain, validating with a manager.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Target {
    /// The aggregator's name for the chain (a key of `[chains]`).
    pub chain: String,
    /// The service manager holding the operator set and threshold.
    pub manager: String,
    /// The handler contract that verifies and stores envelopes.
    pub handler: String,
}

impl Target {
    /// A target with its addresses in canonical form (see [`canonical_address`]), so
    /// `0xAbC…` and `0xabc…` name the same target.
    pub fn new(chain: &str, manager: &str, handler: &str) -> Target {
        Target { chain: chain.trim().to_string(), manager: canonical_address(manager), handler: canonical_address(handler) }
    }

    /// The same target with canonical addresses.
    pub fn canonical(&self) -> Target {
        Target::new(&self.chain, &self.manager, &self.handler)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(chain {}, manager {}, handler {})", self.chain, self.manager, self.handler)
    }
}

/// Addresses compare in one form: `0x`-prefixed hex is case-insensitive (EVM checksums
/// are mixed case), so it is lowercased; anything else (bech32 is lowercase already,
/// base58 is case-sensitive) is kept as written, trimmed.
pub fn canonical_address(text: &str) -> String {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("0x{}", digits.to_ascii_lowercase())
        }
        _ => text.to_string(),
    }
}

/// How the aggregator came to know a target (the wire and store type of `wavs_types`).
pub use wavs_types::aggregator_targets::TargetSource as Source;

/// What the on-chain check of a target found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The handler validates with the named manager.
    Matches,
    /// It does not (or the chain says the handler is no handler): the reason, ready to
    /// show, remembered until the instant.
    Refused(String, Instant),
}

/// The targets this aggregator serves, and what the chain said about each.
#[derive(Default)]
pub struct Targets {
    known: parking_lot::RwLock<BTreeMap<Target, Source>>,
    checks: parking_lot::Mutex<HashMap<Target, Check>>,
}

impl Targets {
    /// The configured targets, then the stored ones (a stored target that is also
    /// configured counts as configured).
    pub fn new(configured: &[Target], stored: impl IntoIterator<Item = (Target, Source)>) -> Targets {
        let mut known: BTreeMap<Target, Source> = stored.into_iter().map(|(t, s)| (t.canonical(), s)).collect();
        for target in configured {
            known.insert(target.canonical(), Source::Config);
        }
        Targets { known: parking_lot::RwLock::new(known), checks: Default::default() }
    }

    /// How `target` is known, if it is.
    pub fn source(&self, target: &Target) -> Option<Source> {
        self.known.read().get(target).copied()
    }

    /// Adds `target` (in memory; the caller stores it). Returns how it was known
    /// before, if it was.
    pub fn insert(&self, target: Target, source: Source) -> Option<Source> {
        let mut known = self.known.write();
        match known.get(&target) {
            Some(before) => Some(*before),
            None => {
                known.insert(target, source);
                None
            }
        }
    }

    /// Forgets `target`; returns how it was known.
    pub fn remove(&self, target: &Target) -> Option<Source> {
        self.checks.lock().remove(target);
        self.known.write().remove(target)
    }

    /// Every known target with its source.
    pub fn list(&self) -> Vec<(Target, Source)> {
        self.known.read().iter().map(|(t, s)| (t.clone(), *s)).collect()
    }

    /// How many targets came from `source`.
    pub fn count(&self, source: Source) -> usize {
        self.known.read().values().filter(|s| **s == source).count()
    }

    /// The remembered on-chain check of `target`, if any is still valid.
    pub fn check(&self, target: &Target, now: Instant) -> Option<Check> {
        let mut checks = self.checks.lock();
        match checks.get(target) {
            Some(Check::Refused(_, until)) if *until <= now => {
                checks.remove(target);
                None
            }
            other => other.cloned(),
        }
    }

    /// Remembers what the chain said: a match for the process's lifetime (until
    /// [`Targets::forget_check`]), a refusal for a minute.
    pub fn record_check(&self, target: &Target, refusal: Option<String>, now: Instant) {
        let check = match refusal {
            None => Check::Matches,
            Some(reason) => Check::Refused(reason, now + MISMATCH_TTL),
        };
        self.checks.lock().insert(target.clone(), check);
    }

    /// Drops the remembered check, so the next use asks the chain again (after the chain
    /// refused a submission: the handler may have moved to another manager).
    pub fn forget_check(&self, target: &Target) {
        self.checks.lock().remove(target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_addresses_compare_case_insensitively_and_others_exactly() {
        assert_eq!(canonical_address(" 0xAbCd "), "0xabcd");
        assert_eq!(canonical_address("0XABCD"), "0xabcd");
        assert_eq!(canonical_address("wasm1qqxyz"), "wasm1qqxyz");
        assert_eq!(canonical_address("So1anaBase58"), "So1anaBase58", "not hex: kept as written");
        assert_eq!(canonical_address("0xnothex"), "0xnothex");
        assert_eq!(Target::new("anvil", "0xAA", "0xBB"), Target::new(" anvil", "0xaa", "0xbb"));
        assert_ne!(Target::new("anvil", "0xaa", "0xbb"), Target::new("anvil", "0xaa", "0xbc"));
    }

    #[test]
    fn configured_targets_win_over_stored_and_refusals_are_forgotten_after_a_while() {
        let t = Target::new("anvil", "0xaa", "0xbb");
        let targets = Targets::new(std::slice::from_ref(&t), [(t.clone(), Source::Api), (Target::new("anvil", "0xaa", "0xcc"), Source::Verified)]);
        assert_eq!(targets.source(&t), Some(Source::Config));
        assert_eq!(targets.count(Source::Verified), 1);
        assert_eq!(targets.insert(t.clone(), Source::Api), Some(Source::Config), "inserting a known target changes nothing");
        let now = Instant::now();
        targets.record_check(&t, Some("manager 0xdd, not 0xaa".into()), now);
        assert!(matches!(targets.check(&t, now), Some(Check::Refused(..))));
        assert_eq!(targets.check(&t, now + MISMATCH_TTL), None, "asked again after the TTL");
        targets.record_check(&t, None, now);
        assert_eq!(targets.check(&t, now + Duration::from_secs(86_400)), Some(Check::Matches));
        assert_eq!(targets.remove(&t), Some(Source::Config));
        assert_eq!((targets.source(&t), targets.check(&t, now)), (None, None));
    }
}
