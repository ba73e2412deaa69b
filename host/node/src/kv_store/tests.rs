//! The redb backend keeps what a builder stored across restarts, per service, with the
//! quota accounted exactly.

use super::*;
use std::sync::Arc;
use wavs_runtime::service::kv::{MAX_STORE_BYTES, ServiceKv};

#[test]
fn a_fresh_database_reads_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.get("s", "count").unwrap(), None);
    assert_eq!(store.list_keys("s", "", None, 10).unwrap(), Vec::<String>::new());
    store.delete("s", "count").unwrap();
}

#[test]
fn values_and_totals_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.set("a", "count", &3u64.to_be_bytes(), MAX_STORE_BYTES).unwrap(), SetOutcome::Stored);
        assert_eq!(store.set("a", "name", b"alpha", MAX_STORE_BYTES).unwrap(), SetOutcome::Stored);
        assert_eq!(store.set("b", "count", &1u64.to_be_bytes(), MAX_STORE_BYTES).unwrap(), SetOutcome::Stored);
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.get("a", "count").unwrap(), Some(3u64.to_be_bytes().to_vec()));
    assert_eq!(store.get("b", "count").unwrap(), Some(1u64.to_be_bytes().to_vec()));
    assert_eq!(store.list_keys("a", "", None, 10).unwrap(), vec!["count", "name"]);
    // "a" holds count (5 + 8) and name (4 + 5) = 22 bytes; the total was kept on disk.
    assert_eq!(store.set("a", "x", b"y", 23).unwrap(), SetOutcome::OverQuota { total: 24 });
    assert_eq!(store.set("a", "x", b"", 23).unwrap(), SetOutcome::Stored);
}

#[test]
fn services_whose_ids_share_a_prefix_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let (a, ab) = (ServiceKv::new(store.clone(), "a"), ServiceKv::new(store.clone(), "ab"));
    a.set("b-key", b"from a").unwrap();
    ab.set("key", b"from ab").unwrap();
    assert_eq!(a.get("key").unwrap(), None);
    assert_eq!(ab.get("b-key").unwrap(), None);
    assert_eq!(a.list_keys("", None).unwrap(), vec!["b-key"]);
    assert_eq!(ab.list_keys("", None).unwrap(), vec!["key"]);
    a.delete("key").unwrap();
    assert_eq!(ab.get("key").unwrap(), Some(b"from ab".to_vec()), "a delete in one service leaves the other alone");
}

#[test]
fn the_quota_counts_overwrites_and_deletes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // Quota 20: "k1" + 8 bytes is 10, twice is 20, exactly full.
    assert_eq!(store.set("s", "k1", &[0; 8], 20).unwrap(), SetOutcome::Stored);
    assert_eq!(store.set("s", "k2", &[0; 8], 20).unwrap(), SetOutcome::Stored);
    assert_eq!(store.set("s", "k3", b"", 20).unwrap(), SetOutcome::OverQuota { total: 22 });
    assert_eq!(store.get("s", "k3").unwrap(), None, "a refused write leaves nothing behind");
    assert_eq!(store.set("s", "k1", &[0; 9], 20).unwrap(), SetOutcome::OverQuota { total: 21 });
    assert_eq!(store.set("s", "k1", &[1; 4], 20).unwrap(), SetOutcome::Stored, "shrinking a full store works");
    assert_eq!(store.get("s", "k1").unwrap(), Some(vec![1; 4]));
    store.delete("s", "k2").unwrap();
    store.delete("s", "k2").unwrap();
    assert_eq!(store.set("s", "k3", &[0; 12], 20).unwrap(), SetOutcome::Stored, "a delete frees its bytes once");
    assert_eq!(store.set("other", "k", &[0; 18], 20).unwrap(), SetOutcome::Stored, "quotas are per service");
}

#[test]
fn listing_filters_by_prefix_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for key in ["item/1", "item/2", "item/3", "items", "other"] {
        store.set("s", key, b"", MAX_STORE_BYTES).unwrap();
    }
    store.set("t", "item/0", b"", MAX_STORE_BYTES).unwrap();
    assert_eq!(store.list_keys("s", "item/", None, 2).unwrap(), vec!["item/1", "item/2"]);
    assert_eq!(store.list_keys("s", "item/", Some("item/2"), 2).unwrap(), vec!["item/3"]);
    assert_eq!(store.list_keys("s", "", Some("items"), 10).unwrap(), vec!["other"]);
    assert_eq!(store.list_keys("s", "item/", Some("a"), 1).unwrap(), vec!["item/1"]);
    assert_eq!(store.list_keys("t", "", None, 10).unwrap(), vec!["item/0"]);
}
