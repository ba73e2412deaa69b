//! The `[storage]` section of the node configuration: caps on stored components and how
//! long an unused one is kept (`components/caps.rs` enforces them).

use serde::Deserialize;
use std::time::Duration;

/// The `[storage]` section of the node config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StorageConfig {
    /// Largest component accepted by `POST /components`, in bytes. Default 32 MiB: a
    /// component bundling a Python interpreter is about 18 MB; a Rust one is well under 1 MB.
    #[serde(default = "default_max_component")]
    pub max_component_bytes: u64,
    /// Largest total of all stored component files, in bytes. Default 1 GiB: about fifty
    /// Python-sized components or thousands of Rust ones, small next to any operator's
    /// disk. Compiled artifacts (`<data-dir>/cache`) come in addition, a few times the
    /// size of the components compiled.
    #[serde(default = "default_max_total")]
    pub max_total_component_bytes: u64,
    /// How long a component no deployed service uses is kept (from its upload, or from
    /// the removal of the last service using it) before it is removed. Default 24 h:
    /// time to deploy what was uploaded, or to roll a removal back.
    #[serde(default = "default_grace")]
    pub unused_component_grace_secs: u64,
}

fn default_max_component() -> u64 {
    32 << 20
}
fn default_max_total() -> u64 {
    1 << 30
}
fn default_grace() -> u64 {
    24 * 3600
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            max_component_bytes: default_max_component(),
            max_total_component_bytes: default_max_total(),
            unused_component_grace_secs: default_grace(),
        }
    }
}

impl StorageConfig {
    /// Refuses values that parse but cannot work.
    pub fn validate(&self) -> std::result::Result<(), String> {
        for (key, value) in [
            ("max-component-bytes", self.max_component_bytes),
            ("max-total-component-bytes", self.max_total_component_bytes),
            ("unused-component-grace-secs", self.unused_component_grace_secs),
        ] {
            if value == 0 {
                return Err(format!("storage.{key} must be greater than 0 (0 would refuse every upload or remove components before they can be deployed)"));
            }
        }
        if self.max_component_bytes > self.max_total_component_bytes {
            return Err(format!(
                "storage.max-component-bytes ({}) is larger than storage.max-total-component-bytes ({}): no component that large could be stored",
                size(self.max_component_bytes),
                size(self.max_total_component_bytes)
            ));
        }
        Ok(())
    }

    pub(crate) fn grace_ms(&self) -> u64 {
        self.unused_component_grace_secs.saturating_mul(1000)
    }

    /// How often the sweep runs: a quarter of the grace period (a component is removed
    /// at most that late), between 1 s and 10 min.
    pub fn sweep_every(&self) -> Duration {
        Duration::from_secs(self.unused_component_grace_secs / 4).clamp(Duration::from_secs(1), Duration::from_secs(600))
    }
}

/// `12.3 MiB (12897484 bytes)`: a size readable at a glance and exact.
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    let short = match bytes {
        n if n >= 1 << 30 => format!("{:.1} GiB", b / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", b / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", b / 1024.0),
        _ => return format!("{bytes} bytes"),
    };
    format!("{short} ({bytes} bytes)")
}

/// `24 h`, `90 min`, `5 s`: a whole number of the largest unit that fits.
pub(crate) fn secs(s: u64) -> String {
    match s {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_validated_and_named() {
        StorageConfig::default().validate().unwrap();
        let zero = StorageConfig { max_component_bytes: 0, ..Default::default() };
        assert!(zero.validate().unwrap_err().contains("storage.max-component-bytes must be greater than 0"));
        let zero = StorageConfig { unused_component_grace_secs: 0, ..Default::default() };
        assert!(zero.validate().unwrap_err().contains("unused-component-grace-secs"));
        let inverted = StorageConfig { max_total_component_bytes: 1 << 20, ..Default::default() };
        assert!(inverted.validate().unwrap_err().contains("larger than storage.max-total-component-bytes"));
        assert_eq!(size(50 << 20), "50.0 MiB (52428800 bytes)");
        assert_eq!(size(1 << 30), "1.0 GiB (1073741824 bytes)");
        assert_eq!(size(10), "10 bytes");
        assert_eq!((secs(86_400), secs(5_400), secs(2)), ("24 h".into(), "90 min".into(), "2 s".into()));
        assert_eq!(StorageConfig::default().sweep_every(), Duration::from_secs(600));
        let quick = StorageConfig { unused_component_grace_secs: 2, ..Default::default() };
        assert_eq!(quick.sweep_every(), Duration::from_secs(1));
    }
}
