//! What a builder relies on: services never see each other's keys, and each limit
//! refuses a call with the error naming it, exact sizes included, changing nothing.

use super::*;

fn store(backend: &Arc<MemoryKv>, service: &str) -> ServiceKv {
    ServiceKv::new(backend.clone(), service)
}

fn limit(err: KvError) -> (&'static str, u64, u64) {
    match err {
        KvError::KeyTooLarge(l) => ("key-too-large", l.size, l.limit),
        KvError::ValueTooLarge(l) => ("value-too-large", l.size, l.limit),
        KvError::StoreFull(l) => ("store-full", l.size, l.limit),
        KvError::Unavailable(m) => panic!("unexpected unavailable: {m}"),
    }
}

#[test]
fn services_never_see_each_others_keys() {
    let backend = Arc::new(MemoryKv::new());
    // "a" is a prefix of "ab": a naive "ns/key" concatenation would mix these up.
    let (a, ab) = (store(&backend, "a"), store(&backend, "ab"));
    a.set("count", b"1").unwrap();
    a.set("b/count", b"x").unwrap();
    assert_eq!(ab.get("count").unwrap(), None, "a new service starts empty");
    ab.set("count", b"2").unwrap();
    assert_eq!(a.get("count").unwrap(), Some(b"1".to_vec()));
    assert_eq!(ab.get("count").unwrap(), Some(b"2".to_vec()));
    assert_eq!(ab.list_keys("", None).unwrap(), vec!["count"], "listing shows only the service's own keys");
    assert_eq!(a.list_keys("", None).unwrap(), vec!["b/count", "count"]);
    ab.delete("count").unwrap();
    assert_eq!(a.get("count").unwrap(), Some(b"1".to_vec()), "deleting in one service leaves the other alone");
    assert_eq!(ab.get("count").unwrap(), None);
    ab.delete("never-set").unwrap();
}

#[test]
fn keys_over_1_kib_are_refused_with_their_size() {
    let kv = store(&Arc::new(MemoryKv::new()), "s");
    let at_limit = "k".repeat(1024);
    kv.set(&at_limit, b"v").unwrap();
    assert_eq!(kv.get(&at_limit).unwrap(), Some(b"v".to_vec()));
    let over = "k".repeat(1025);
    assert_eq!(limit(kv.set(&over, b"v").unwrap_err()), ("key-too-large", 1025, 1024));
    assert_eq!(limit(kv.get(&over).unwrap_err()), ("key-too-large", 1025, 1024));
    assert_eq!(limit(kv.delete(&over).unwrap_err()), ("key-too-large", 1025, 1024));
    assert_eq!(limit(kv.list_keys(&over, None).unwrap_err()), ("key-too-large", 1025, 1024));
    // The limit counts UTF-8 bytes, not characters: 513 two-byte characters is 1026.
    assert_eq!(limit(kv.set(&"é".repeat(513), b"v").unwrap_err()), ("key-too-large", 1026, 1024));
}

#[test]
fn values_over_1_mib_are_refused_and_the_old_value_kept() {
    let kv = store(&Arc::new(MemoryKv::new()), "s");
    kv.set("v", &vec![7; 1 << 20]).unwrap();
    assert_eq!(kv.get("v").unwrap().map(|v| v.len()), Some(1 << 20));
    let err = kv.set("v", &vec![8; (1 << 20) + 1]).unwrap_err();
    assert_eq!(limit(err), ("value-too-large", (1 << 20) + 1, 1 << 20));
    assert_eq!(kv.get("v").unwrap(), Some(vec![7; 1 << 20]), "a refused write changes nothing");
}

#[test]
fn a_full_store_refuses_growth_but_accepts_shrinking_and_deletes() {
    let backend = Arc::new(MemoryKv::new());
    let kv = store(&backend, "s");
    // 64 entries of exactly 1 MiB each (3-byte key + value) fill 64 MiB to the byte.
    let value = vec![1u8; (1 << 20) - 3];
    for i in 0..64 {
        kv.set(&format!("k{i:02}"), &value).unwrap();
    }
    assert_eq!(backend.namespace_bytes("s"), 64 << 20);
    let err = kv.set("x", b"1").unwrap_err();
    assert_eq!(limit(err), ("store-full", (64 << 20) + 2, 64 << 20), "size is the total had the write gone through");
    assert_eq!(kv.get("x").unwrap(), None);
    let err = kv.set("k00", &vec![1u8; 1 << 20]).unwrap_err();
    assert_eq!(limit(err), ("store-full", (64 << 20) + 3, 64 << 20), "growing an existing value counts only the growth");

    kv.set("k00", b"small").unwrap();
    kv.set("x", b"1").unwrap();
    kv.delete("k01").unwrap();
    kv.set("k01", &value).unwrap();
    // Another service's quota is its own.
    store(&backend, "other").set("k", &vec![0u8; 1 << 20]).unwrap();
}

#[test]
fn list_keys_filters_by_prefix_and_pages_by_1000() {
    let kv = store(&Arc::new(MemoryKv::new()), "s");
    for i in 0..2500 {
        kv.set(&format!("item/{i:04}"), b"").unwrap();
    }
    kv.set("other", b"").unwrap();
    let first = kv.list_keys("item/", None).unwrap();
    assert_eq!(first.len(), 1000);
    assert_eq!((first[0].as_str(), first[999].as_str()), ("item/0000", "item/0999"));
    let second = kv.list_keys("item/", first.last().map(String::as_str)).unwrap();
    assert_eq!((second.len(), second[0].as_str()), (1000, "item/1000"));
    let third = kv.list_keys("item/", second.last().map(String::as_str)).unwrap();
    assert_eq!((third.len(), third[499].as_str()), (500, "item/2499"), "a short page is the last");
    assert_eq!(kv.list_keys("item/", third.last().map(String::as_str)).unwrap(), Vec::<String>::new());
    assert_eq!(kv.list_keys("oth", None).unwrap(), vec!["other"]);
    assert_eq!(kv.list_keys("item/", Some("a")).unwrap()[0], "item/0000", "a start-after before the prefix starts at the prefix");
}

/// A backend whose disk has failed.
struct Broken;

impl KvBackend for Broken {
    fn get(&self, _: &str, _: &str) -> Result<Option<Vec<u8>>, String> {
        Err("I/O error: disk gone".into())
    }
    fn set(&self, _: &str, _: &str, _: &[u8], _: u64) -> Result<SetOutcome, String> {
        Err("I/O error: disk gone".into())
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), String> {
        Err("I/O error: disk gone".into())
    }
    fn list_keys(&self, _: &str, _: &str, _: Option<&str>, _: usize) -> Result<Vec<String>, String> {
        Err("I/O error: disk gone".into())
    }
}

#[test]
fn storage_failures_are_unavailable_not_missing_keys() {
    let kv = ServiceKv::new(Arc::new(Broken), "s");
    // A failed read must not look like "no value": a counter would restart at zero.
    match kv.get("count") {
        Err(KvError::Unavailable(message)) => {
            assert!(message.contains("disk gone") && message.contains("retry later"), "{message}")
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert!(matches!(kv.set("count", b"1"), Err(KvError::Unavailable(_))));
    assert!(matches!(kv.delete("count"), Err(KvError::Unavailable(_))));
    assert!(matches!(kv.list_keys("", None), Err(KvError::Unavailable(_))));
}
