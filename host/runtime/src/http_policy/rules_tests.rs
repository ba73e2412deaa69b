//! The manifest rules of issue 12: each forbidden entry is refused with its reason, the
//! operator's explicit allowances open exactly what they name.

use super::*;

const API: &str = "127.0.0.1:8000";

/// A node with its API on 127.0.0.1:8000, an aggregator and an RPC on loopback, and
/// the operator's `allow`.
fn node_rules(allow: &[&str]) -> HttpRules {
    let rules = HttpRules::new(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    rules.set_own_services("api", vec![OwnService::socket("the node's API (api-addr)", API.parse().unwrap())]);
    let aggregator = OwnService::url("the node's aggregator (aggregator-url)", "http://127.0.0.1:8100/").unwrap();
    rules.set_own_services("aggregator", vec![aggregator]);
    let rpc = OwnService::url("chain anvil's RPC endpoint (rpc-urls)", "http://localhost:8545").unwrap();
    rules.set_own_services("chains", vec![rpc]);
    rules
}

fn refusal(rules: &HttpRules, entry: &str) -> String {
    rules.check_grant(entry).expect_err(entry)
}

#[test]
fn forbidden_entries_are_refused_with_their_reason() {
    let rules = node_rules(&[]);
    assert!(refusal(&rules, "*").contains("wildcards are not allowed"));
    assert!(refusal(&rules, "localhost").contains("localhost:80 is a name of this machine (loopback)"));
    assert!(refusal(&rules, "127.0.0.1").contains("127.0.0.1:80 is a loopback address"));
    assert!(refusal(&rules, "[::1]:8080").contains("[::1]:8080 is a loopback address"));
    assert!(refusal(&rules, "10.0.0.1").contains("10.0.0.1:80 is a private-network address"));
    assert!(refusal(&rules, "169.254.1.1").contains("169.254.1.1:80 is a link-local address"));
    assert!(refusal(&rules, "0.0.0.0:9000").contains("0.0.0.0:9000 is an unspecified address"));
    let api = refusal(&rules, API);
    assert!(api.contains("127.0.0.1:8000 is the node's API (api-addr)"), "{api}");
    assert!(refusal(&rules, "127.0.0.1:8100").contains("the node's aggregator"));
    assert!(refusal(&rules, "localhost:8545").contains("chain anvil's RPC endpoint"));
    for message in [refusal(&rules, "10.0.0.1"), api] {
        assert!(message.contains("http-allow-private"), "says what would allow it: {message}");
    }
    rules.check_grant("example.com").unwrap();
    rules.check_grant("93.184.216.34:8443").unwrap();
}

#[test]
fn the_operator_allows_private_hosts_explicitly_but_not_the_nodes_own_services_by_host() {
    let rules = node_rules(&["10.0.0.5", "127.0.0.1:18080", "localhost"]);
    rules.check_grant("10.0.0.5").unwrap();
    rules.check_grant("10.0.0.5:9000").unwrap();
    rules.check_grant("127.0.0.1:18080").unwrap();
    rules.check_grant("localhost:3000").unwrap();
    assert!(refusal(&rules, "10.0.0.6").contains("private-network"));
    assert!(refusal(&rules, "127.0.0.1:18081").contains("loopback"));
    // Allowing a host is not allowing the node's own services on it.
    assert!(refusal(&rules, "localhost:8545").contains("RPC endpoint"));
    let rules = node_rules(&["127.0.0.1", "127.0.0.1:8000"]);
    rules.check_grant("127.0.0.1:8000").unwrap();
    assert!(refusal(&rules, "127.0.0.1:8100").contains("aggregator"));
}

#[test]
fn an_api_on_the_wildcard_address_is_reached_on_every_local_address() {
    let rules = HttpRules::new(&["127.0.0.1".into()]).unwrap();
    rules.set_own_services("api", vec![OwnService::socket("the node's API (api-addr)", "0.0.0.0:8000".parse().unwrap())]);
    assert!(refusal(&rules, "127.0.0.1:8000").contains("the node's API"));
    rules.check_grant("127.0.0.1:8001").unwrap();
    let local = "127.0.0.1".parse().unwrap();
    let err = rules.check_address(&Host::Name("myhost".into()), 8000, local, &[]).unwrap_err();
    assert!(err.contains("myhost:8000 (resolved to 127.0.0.1) is the node's API"), "{err}");
}

#[test]
fn resolved_addresses_are_checked_like_literals() {
    let rules = node_rules(&["127.0.0.1:18080"]);
    let name = Host::Name("innocent.example".into());
    let loopback = "127.0.0.1".parse().unwrap();
    let err = rules.check_address(&name, 18081, loopback, &[]).unwrap_err();
    assert!(err.contains("innocent.example:18081 (resolved to 127.0.0.1) is a loopback address"), "{err}");
    // The operator allowed that address and port: by whatever name, it is allowed.
    rules.check_address(&name, 18080, loopback, &[]).unwrap();
    let mapped = "::ffff:10.1.2.3".parse().unwrap();
    assert!(rules.check_address(&name, 80, mapped, &[]).unwrap_err().contains("resolved to 10.1.2.3"));
    rules.check_address(&name, 443, "93.184.216.34".parse().unwrap(), &[]).unwrap();
    // An own service named by DNS is recognised by the address it resolves to.
    let rules = node_rules(&["10.0.0.5"]);
    let own = vec![("10.0.0.5".parse().unwrap(), "the node's aggregator (aggregator-url)".to_string())];
    let err = rules.check_address(&name, 8100, "10.0.0.5".parse().unwrap(), &own).unwrap_err();
    assert!(err.contains("is the node's aggregator"), "{err}");
}

#[test]
fn own_services_named_by_dns_are_listed_for_resolution_by_port() {
    let rules = HttpRules::default();
    let rpc = OwnService::url("chain x's RPC endpoint (rpc-urls)", "https://rpc.internal/v1").unwrap();
    rules.set_own_services("chains", vec![rpc]);
    assert_eq!(rules.own_names(443), vec![("rpc.internal".to_string(), "chain x's RPC endpoint (rpc-urls)".to_string())]);
    assert!(rules.own_names(80).is_empty());
}

#[test]
fn bad_operator_entries_are_named() {
    let err = HttpRules::new(&["10.0.0.5".into(), "*".into()]).unwrap_err();
    assert!(err.contains("\"*\"") && err.contains("wildcards"), "{err}");
}
