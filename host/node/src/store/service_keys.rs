//! Each service's key index: which child of a chain's key the service signs with
//! (`wavs_runtime::service_keys`). Indexes come from a counter that only grows, so a new
//! service, or one removed and deployed again, never signs with a key another service
//! (or its own earlier self) registered; a redeployed service keeps its index, so its
//! registered keys stay valid. An index is assigned when a service is first deployed
//! or when the operator first asks for its keys, whichever comes first.

use super::{META, SERVICES, Store};
use crate::error::Result;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use wavs_runtime::service_keys::{CHAIN_KEY_INDEX, MAX_SERVICE_KEY_INDEX};

const SERVICE_KEYS: TableDefinition<&str, u64> = TableDefinition::new("service-key-index");

/// The counter's name in the meta table: the next index to hand out.
const NEXT_INDEX: &str = "next-service-key-index";

/// Creates the table. A service already deployed when it is first created was deployed
/// before per-service keys, and signed with its chain's key: it keeps signing with it
/// (index 0), so what its operators registered keeps verifying.
pub(super) fn create_tables(txn: &WriteTransaction) -> Result<()> {
    let mut indexes = txn.open_table(SERVICE_KEYS)?;
    let mut meta = txn.open_table(META)?;
    if meta.get(NEXT_INDEX)?.is_some() {
        return Ok(());
    }
    for row in txn.open_table(SERVICES)?.iter()? {
        let (id, _) = row?;
        indexes.insert(id.value(), CHAIN_KEY_INDEX)?;
    }
    meta.insert(NEXT_INDEX, CHAIN_KEY_INDEX + 1)?;
    Ok(())
}

/// The index of service `id`, assigned in `txn` if it has none yet.
pub(super) fn assign(txn: &WriteTransaction, id: &str) -> Result<u64> {
    let mut indexes = txn.open_table(SERVICE_KEYS)?;
    if let Some(index) = indexes.get(id)? {
        return Ok(index.value());
    }
    let mut meta = txn.open_table(META)?;
    let index = meta.get(NEXT_INDEX)?.map_or(CHAIN_KEY_INDEX + 1, |v| v.value());
    if index > MAX_SERVICE_KEY_INDEX {
        return Err(crate::error::NodeError::Invalid(format!(
            "this node handed out all {MAX_SERVICE_KEY_INDEX} service key indexes; no new service can get a key"
        )));
    }
    meta.insert(NEXT_INDEX, index + 1)?;
    indexes.insert(id, index)?;
    Ok(index)
}

/// Forgets service `id`'s index in `txn` (it was removed): deployed again, it gets a new one.
pub(super) fn forget(txn: &WriteTransaction, id: &str) -> Result<()> {
    txn.open_table(SERVICE_KEYS)?.remove(id)?;
    Ok(())
}

impl Store {
    /// The key index of service `id`, assigned now if the service has none yet (so an
    /// operator can register its keys before deploying it).
    pub fn service_key_index(&self, id: &str) -> Result<u64> {
        self.with_db(|db| {
            let read = db.begin_read()?;
            if let Some(index) = read.open_table(SERVICE_KEYS)?.get(id)? {
                return Ok(index.value());
            }
            drop(read);
            let txn = db.begin_write()?;
            let index = assign(&txn, id)?;
            txn.commit()?;
            Ok(index)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wavs_types::ServiceManifest;

    fn manifest(id: &str) -> ServiceManifest {
        ServiceManifest::from_json(&format!(r#"{{"id":"{id}","components":{{}},"workflows":{{}}}}"#)).unwrap()
    }

    #[test]
    fn indexes_are_kept_across_restarts_and_redeploys_and_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, asked) = {
            let store = Store::open(dir.path()).unwrap();
            store.put_service(&manifest("a")).unwrap();
            let asked = store.service_key_index("not-yet-deployed").unwrap();
            store.put_service(&manifest("b")).unwrap();
            (store.service_key_index("a").unwrap(), store.service_key_index("b").unwrap(), asked)
        };
        assert_eq!((a, asked, b), (1, 2, 3));
        let store = Store::open(dir.path()).unwrap();
        // A restart and a redeploy keep each index; asking before deploying reserved one.
        store.put_service(&manifest("a")).unwrap();
        store.put_service(&manifest("not-yet-deployed")).unwrap();
        assert_eq!(store.service_key_index("a").unwrap(), 1);
        assert_eq!(store.service_key_index("not-yet-deployed").unwrap(), 2);
        // Removed and deployed again, a service gets an index never used before.
        store.remove_service("b").unwrap();
        store.put_service(&manifest("b")).unwrap();
        assert_eq!(store.service_key_index("b").unwrap(), 4);
    }

    #[test]
    fn services_deployed_before_per_service_keys_keep_the_chain_key() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A store as the release before wrote it: services, no index table, no counter.
            let db = redb::Database::create(dir.path().join("node.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(SERVICES).unwrap().insert("old", "{}").unwrap();
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.service_key_index("old").unwrap(), CHAIN_KEY_INDEX);
        assert_eq!(store.service_key_index("new").unwrap(), 1);
        drop(store);
        // Reopening does not hand index 0 to services deployed since.
        let store = Store::open(dir.path()).unwrap();
        store.put_service(&manifest("newer")).unwrap();
        assert_eq!(store.service_key_index("newer").unwrap(), 2);
    }
}
