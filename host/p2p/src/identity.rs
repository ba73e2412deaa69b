//! The node's transport identity (its peer id), kept in a file so the address an operator
//! publishes on chain (`/…/p2p/<peer id>`) stays valid across restarts. It proves nothing
//! about envelopes (their signatures do) and is no operator key.

use crate::P2pError;
use libp2p::identity::Keypair;
use std::path::Path;

/// The keypair in `path`, or a fresh one written there (owner-only on Unix).
pub(crate) fn load_or_create(path: &Path) -> Result<Keypair, P2pError> {
    let invalid = |what: String| P2pError::InvalidConfig(format!("p2p identity {}: {what}", path.display()));
    if path.exists() {
        let bytes = std::fs::read(path).map_err(|e| invalid(format!("cannot read: {e}")))?;
        return Keypair::from_protobuf_encoding(&bytes).map_err(|e| invalid(format!("not a libp2p keypair ({e}); delete it for a new peer id")));
    }
    let key = Keypair::generate_ed25519();
    let bytes = key.to_protobuf_encoding().map_err(|e| invalid(e.to_string()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| invalid(format!("cannot create its directory: {e}")))?;
    }
    write_private(path, &bytes).map_err(|e| invalid(format!("cannot write: {e}")))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_peer_id_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("wavs-p2p-identity-{}", std::process::id()));
        let path = dir.join("identity");
        let first = super::load_or_create(&path).unwrap().public().to_peer_id();
        let again = super::load_or_create(&path).unwrap().public().to_peer_id();
        assert_eq!(first, again);
        std::fs::write(&path, b"junk").unwrap();
        assert!(super::load_or_create(&path).unwrap_err().to_string().contains("delete it for a new peer id"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
