//! What bounds the queue: caps per target on open entries and their bytes, expiry of
//! entries that do not land, and retention of final statuses.

use super::{Key, Queue};
use wavs_types::EnvelopeState;

/// Limits of the queue, per target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Open entries per target.
    pub entries: usize,
    /// Bytes of open entries per target (see [`super::Entry::charged_bytes`]).
    pub bytes: u64,
    /// An open entry not landed this long after its first signature ends as failed.
    pub expiry_ms: u64,
    /// A final entry is forgotten this long after it settled.
    pub retention_ms: u64,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps { entries: 10_000, bytes: 64 << 20, expiry_ms: 48 * 3_600_000, retention_ms: 7 * 24 * 3_600_000 }
    }
}

/// Open entries and their bytes, for one target or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Open entries.
    pub entries: usize,
    /// Their charged bytes.
    pub bytes: u64,
}

impl Queue {
    /// Ends every open entry, not in flight, whose first signature is at least
    /// `caps.expiry_ms` old, as failed with the weight it reached. Returns how many.
    pub fn expire(&mut self, caps: &Caps, now_ms: u64) -> usize {
        let due: Vec<Key> = self
            .entries
            .iter()
            .filter(|(_, e)| e.is_open() && !e.in_flight && now_ms.saturating_sub(e.created_ms) >= caps.expiry_ms)
            .map(|(k, _)| k.clone())
            .collect();
        let after = humanize(caps.expiry_ms);
        for key in &due {
            self.mutate(key, |entry| {
                let reached = match &entry.state {
                    EnvelopeState::Pending { signed_weight, threshold, signers } => {
                        format!("it reached weight {signed_weight} of {threshold} ({signers} signer{})", if *signers == 1 { "" } else { "s" })
                    }
                    _ => match &entry.last_error {
                        Some(error) => format!("quorum was reached but it did not land; last attempt: {error}"),
                        None => "quorum was reached but it did not land".into(),
                    },
                };
                let reason = format!("expired: not landed within {after} of its first signature; {reached}");
                entry.settle(EnvelopeState::Failed { reason }, now_ms);
            });
        }
        due.len()
    }

    /// Forgets final entries settled at least `caps.retention_ms` ago. Returns how many.
    pub fn prune(&mut self, caps: &Caps, now_ms: u64) -> usize {
        let due: Vec<Key> = self
            .entries
            .iter()
            .filter(|(_, e)| e.settled_ms.is_some_and(|at| now_ms.saturating_sub(at) >= caps.retention_ms))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &due {
            self.remove(key);
            if self.finished.get(&key.event()) == Some(key) {
                self.finished.remove(&key.event());
                self.finished_touched.insert(key.event());
            }
        }
        due.len()
    }

}

/// `ms` in the largest whole unit: "48 h", "90 s".
fn humanize(ms: u64) -> String {
    match ms {
        ms if ms >= 3_600_000 && ms % 3_600_000 == 0 => format!("{} h", ms / 3_600_000),
        ms if ms >= 1_000 && ms % 1_000 == 0 => format!("{} s", ms / 1_000),
        ms => format!("{ms} ms"),
    }
}

