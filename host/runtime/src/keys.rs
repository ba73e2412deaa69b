//! Where each chain's key comes from. Every configured chain signs with a key of its own,
//! so a signature made for one chain (or by one chain's adapter) is never an operator's
//! signature on another. By default a chain's key is derived from the operator's base
//! key at a path named by the chain's family and id; an operator may set it per chain.
//!
//! Secrets are held as [`SecretString`]: they never print, and are zeroed when dropped.

use crate::error::{Result, RuntimeError};
use crate::signer::Signer;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How a configuration names the base key (`[operator]` in a node, `[submitter]` in the
/// aggregator) and, under `chains`, a chain's own key in place of the derived one.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KeyConfig {
    /// 32-byte private key in hex.
    pub private_key: Option<SecretString>,
    /// BIP-39 mnemonic.
    pub mnemonic: Option<SecretString>,
    /// BIP-32 path used with `mnemonic`. Required: the conventional path names a chain's
    /// coin type, and the host keeps no chain knowledge, so the operator states it.
    pub hd_path: Option<String>,
    /// A chain's own key, by the configuration's name for the chain.
    #[serde(default)]
    pub chains: BTreeMap<String, ChainKeyConfig>,
}

/// One chain's key, set instead of the derived one: a hex `private-key`, a `mnemonic`
/// with its `hd-path`, or just an `hd-path` on the base mnemonic.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChainKeyConfig {
    /// 32-byte private key in hex.
    pub private_key: Option<SecretString>,
    /// BIP-39 mnemonic; without it `hd-path` applies to the base mnemonic.
    pub mnemonic: Option<SecretString>,
    /// BIP-32 path of this chain's key.
    pub hd_path: Option<String>,
}

fn shown(secret: &Option<SecretString>) -> &'static str {
    if secret.is_some() { "<redacted>" } else { "none" }
}

impl std::fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyConfig")
            .field("private_key", &shown(&self.private_key))
            .field("mnemonic", &shown(&self.mnemonic))
            .field("hd_path", &self.hd_path)
            .field("chains", &self.chains)
            .finish()
    }
}

impl std::fmt::Debug for ChainKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKeyConfig")
            .field("private_key", &shown(&self.private_key))
            .field("mnemonic", &shown(&self.mnemonic))
            .field("hd_path", &self.hd_path)
            .finish()
    }
}

/// A chain as key derivation sees it: the configuration's name (for per-chain
/// settings) and the family and chain id the derived path is named by.
#[derive(Debug, Clone, Copy)]
pub struct ChainRef<'a> {
    /// The configuration's name for the chain.
    pub name: &'a str,
    /// The chain family (`evm`, `cosmos`, ...).
    pub family: &'a str,
    /// The chain's own id.
    pub chain_id: &'a str,
}

/// A chain's key and where it came from, for `wavs keys` and the start log.
#[derive(Debug, Clone)]
pub struct ChainKey {
    /// The key.
    pub signer: Signer,
    /// Where it came from, in words (`derived at m/…` or `[… .chains.x] private-key`).
    pub source: String,
}

/// A key error's message without its `key: ` prefix, to be wrapped in another.
fn bare(e: RuntimeError) -> String {
    match e {
        RuntimeError::Key(message) => message,
        other => other.to_string(),
    }
}

/// The hardened BIP-32 index a chain's derived key sits at: 31 bits of
/// sha256 over the family and chain id, each length-prefixed. The same chain gets the same
/// index on every machine; the operator's name for it does not matter.
pub fn chain_index(family: &str, chain_id: &str) -> u32 {
    let mut h = Sha256::new();
    for field in [&b"wavs/chain-key/v1"[..], family.as_bytes(), chain_id.as_bytes()] {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field);
    }
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0x7fff_ffff
}

impl KeyConfig {
    /// A config holding just a hex private key.
    pub fn from_private_key(key: String) -> Self {
        KeyConfig { private_key: Some(SecretString::from(key)), ..KeyConfig::default() }
    }

    /// Checks the base key and every per-chain key, naming the section at fault.
    /// `section` is how the config calls this table (`operator`, `submitter`).
    pub fn validate(&self, section: &str, chain_names: &[&str]) -> Result<()> {
        self.base().map_err(|e| RuntimeError::Key(format!("[{section}]: {}", bare(e))))?;
        for (name, chain) in &self.chains {
            if !chain_names.contains(&name.as_str()) {
                return Err(RuntimeError::Key(format!(
                    "[{section}.chains.{name}]: no chain {name:?} is configured (chains: {chain_names:?})"
                )));
            }
            self.own_key(chain).map_err(|e| RuntimeError::Key(format!("[{section}.chains.{name}]: {}", bare(e))))?;
        }
        Ok(())
    }

    /// The key `chain` signs with: its own, if configured, else derived from the base key.
    pub fn chain_key(&self, chain: ChainRef<'_>) -> Result<ChainKey> {
        if let Some(own) = self.chains.get(chain.name) {
            let signer = self.own_key(own)?;
            let source = match (&own.private_key, &own.hd_path) {
                (Some(_), _) => format!("chains.{} private-key", chain.name),
                (None, Some(path)) => format!("chains.{} hd-path {path}", chain.name),
                (None, None) => format!("chains.{}", chain.name),
            };
            return Ok(ChainKey { signer, source });
        }
        let index = chain_index(chain.family, chain.chain_id);
        match (&self.private_key, &self.mnemonic, &self.hd_path) {
            (None, Some(phrase), Some(path)) => {
                let path = format!("{}/{index}'", path.trim_end_matches('/'));
                let signer = Signer::from_mnemonic(phrase.expose_secret(), &path)?;
                Ok(ChainKey { signer, source: format!("derived at {path}") })
            }
            (Some(key), None, _) => {
                let signer = Signer::from_seed_child(&Signer::hex_secret(key.expose_secret())?, index)?;
                Ok(ChainKey { signer, source: format!("derived from private-key at m/{index}'") })
            }
            _ => Err(self.base().err().unwrap_or_else(|| RuntimeError::Key("no key configured".into()))),
        }
    }

    /// Just the signer of [`KeyConfig::chain_key`].
    pub fn chain_signer(&self, chain_name: &str, family: &str, chain_id: &str) -> Result<Signer> {
        Ok(self.chain_key(ChainRef { name: chain_name, family, chain_id })?.signer)
    }

    /// The key set for `chain_name`, else the base key itself, not derived: for tools
    /// (the conformance kit's deployer) whose key is a funded account as configured.
    pub fn account_signer(&self, chain_name: &str) -> Result<Signer> {
        match self.chains.get(chain_name) {
            Some(own) => self.own_key(own),
            None => self.base(),
        }
    }

    /// The base key. A node or aggregator signs nothing with it: each chain signs with
    /// a key derived from it (or its own).
    fn base(&self) -> Result<Signer> {
        match (&self.private_key, &self.mnemonic) {
            (Some(key), None) => Signer::from_hex(key.expose_secret()),
            (None, Some(phrase)) => match &self.hd_path {
                Some(path) => Signer::from_mnemonic(phrase.expose_secret(), path),
                None => Err(RuntimeError::Key(
                    "mnemonic given without hd-path: add hd-path, e.g. \"m/44'/60'/0'/0/0\"".into(),
                )),
            },
            (Some(_), Some(_)) => Err(RuntimeError::Key("set either private-key or mnemonic, not both".into())),
            (None, None) => Err(RuntimeError::Key("no key configured: set private-key or mnemonic".into())),
        }
    }

    fn own_key(&self, own: &ChainKeyConfig) -> Result<Signer> {
        match (&own.private_key, &own.mnemonic, &own.hd_path) {
            (Some(key), None, None) => Signer::from_hex(key.expose_secret()),
            (None, Some(phrase), Some(path)) => Signer::from_mnemonic(phrase.expose_secret(), path),
            (None, None, Some(path)) => match &self.mnemonic {
                Some(phrase) => Signer::from_mnemonic(phrase.expose_secret(), path),
                None => Err(RuntimeError::Key("hd-path alone needs a base mnemonic; set private-key instead".into())),
            },
            (None, Some(_), None) => Err(RuntimeError::Key("mnemonic given without hd-path".into())),
            (None, None, None) => Err(RuntimeError::Key("empty: set private-key, hd-path, or mnemonic with hd-path".into())),
            _ => Err(RuntimeError::Key("set private-key, or mnemonic/hd-path, not both".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str = "test test test test test test test test test test test junk";
    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    fn mnemonic_config() -> KeyConfig {
        KeyConfig {
            mnemonic: Some(SecretString::from(PHRASE)),
            hd_path: Some("m/44'/60'/0'/0/2".into()),
            ..KeyConfig::default()
        }
    }

    fn chain<'a>(name: &'a str, family: &'a str, id: &'a str) -> ChainRef<'a> {
        ChainRef { name, family, chain_id: id }
    }

    #[test]
    fn each_chain_gets_its_own_key_the_same_on_every_machine() {
        let config = mnemonic_config();
        let anvil = config.chain_key(chain("anvil", "evm", "31337")).unwrap();
        let other = config.chain_key(chain("anvil2", "evm", "31338")).unwrap();
        let cosmos = config.chain_key(chain("wasmd", "cosmos", "31337")).unwrap();
        let base = config.base().unwrap().public_key();
        let keys = [anvil.signer.public_key(), other.signer.public_key(), cosmos.signer.public_key(), base];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b, "two chains share a key");
            }
        }
        // The operator's name for a chain does not change its key; its id does.
        let renamed = config.chain_key(chain("local", "evm", "31337")).unwrap();
        assert_eq!(renamed.signer.public_key(), anvil.signer.public_key());
        assert!(anvil.source.starts_with("derived at m/44'/60'/0'/0/2/"), "{}", anvil.source);
        let expected = Signer::from_mnemonic(PHRASE, &format!("m/44'/60'/0'/0/2/{}'", chain_index("evm", "31337"))).unwrap();
        assert_eq!(anvil.signer.public_key(), expected.public_key());
    }

    #[test]
    fn a_private_key_base_derives_per_chain_too() {
        let config = KeyConfig::from_private_key(KEY.into());
        let a = config.chain_signer("a", "evm", "1").unwrap().public_key();
        let b = config.chain_signer("b", "evm", "2").unwrap().public_key();
        assert_ne!(a, b);
        assert_ne!(a, Signer::from_hex(KEY).unwrap().public_key());
        assert_eq!(a, config.chain_signer("renamed", "evm", "1").unwrap().public_key());
    }

    #[test]
    fn a_chain_may_have_its_own_key() {
        let mut config = mnemonic_config();
        config.chains.insert("anvil".into(), ChainKeyConfig { private_key: Some(SecretString::from(KEY)), ..Default::default() });
        config.chains.insert("wasmd".into(), ChainKeyConfig { hd_path: Some("m/44'/118'/0'/0/0".into()), ..Default::default() });
        config.validate("operator", &["anvil", "wasmd"]).unwrap();
        let anvil = config.chain_key(chain("anvil", "evm", "31337")).unwrap();
        assert_eq!(anvil.signer.public_key(), Signer::from_hex(KEY).unwrap().public_key());
        let wasmd = config.chain_signer("wasmd", "cosmos", "wavs-local-1").unwrap();
        assert_eq!(wasmd.public_key(), Signer::from_mnemonic(PHRASE, "m/44'/118'/0'/0/0").unwrap().public_key());
        let err = config.validate("operator", &["anvil"]).unwrap_err().to_string();
        assert!(err.contains("[operator.chains.wasmd]: no chain \"wasmd\" is configured"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let mut config = mnemonic_config();
        config.private_key = Some(SecretString::from(KEY));
        config.chains.insert("x".into(), ChainKeyConfig { private_key: Some(SecretString::from(KEY)), ..Default::default() });
        let printed = format!("{config:?}");
        assert!(!printed.contains("ac0974") && !printed.contains("junk"), "{printed}");
        assert!(printed.contains("<redacted>"));
        let signer = config.chain_signer("x", "evm", "1").unwrap();
        assert!(!format!("{signer:?}").contains("ac0974"));
    }

    #[test]
    fn bad_keys_are_named() {
        let no_path = KeyConfig { mnemonic: Some(SecretString::from(PHRASE)), ..KeyConfig::default() };
        let err = no_path.validate("operator", &[]).unwrap_err().to_string();
        assert!(err.contains("[operator]") && err.contains("add hd-path"), "{err}");
        let mut config = KeyConfig::from_private_key(KEY.into());
        config.chains.insert("a".into(), ChainKeyConfig { hd_path: Some("m/0".into()), ..Default::default() });
        let err = config.validate("submitter", &["a"]).unwrap_err().to_string();
        assert!(err.contains("[submitter.chains.a]: hd-path alone needs a base mnemonic"), "{err}");
    }
}
