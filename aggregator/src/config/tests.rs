use super::*;

const GOOD: &str = r#"
    data-dir = "/tmp/agg"
    adapters-dir = "/tmp/adapters"
    [submitter]
    private-key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    [chains.anvil]
    family = "evm"
    chain-id = "31337"
    rpc-urls = ["http://127.0.0.1:8545"]
"#;

#[test]
fn parses_defaults_and_env() {
    let mut c = AggregatorConfig::parse(GOOD).unwrap();
    c.validate().unwrap();
    assert_eq!((c.max_batch, c.api_addr.port()), (100, 8100));
    assert_eq!(c.limits.caps(), Caps::default());
    assert_eq!(c.limits.caps().expiry_ms, 48 * 3_600_000, "48 h by default");
    assert_eq!((c.api_token.as_ref(), c.targets.len()), (None, 0));
    assert!(!c.chains["anvil"].accept_verified_targets, "off unless asked for");
    c.apply_env(|k| match k {
        "WAVS_AGGREGATOR_API_ADDR" => Some("127.0.0.1:9100".into()),
        "WAVS_AGGREGATOR_API_TOKEN" => Some("s3cret".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!((c.api_addr.port(), c.api_token.as_ref()), (9100, Some(&ApiToken::secret_of("s3cret"))));
    let err = c.apply_env(|k| (k == "WAVS_AGGREGATOR_API_ADDR").then(|| "0.0.0.0".into())).unwrap_err().to_string();
    assert!(err.contains("WAVS_AGGREGATOR_API_ADDR=\"0.0.0.0\" is not an address"), "{err}");
    assert_eq!(c.api_addr.port(), 9100, "unchanged");
}

#[test]
fn unknown_fields_and_missing_keys_are_named() {
    let err = AggregatorConfig::parse(&GOOD.replace("max-batch", "x").replace("data-dir", "data-dri")).unwrap_err();
    assert!(err.to_string().contains("data-dri"), "{err}");
    let c = AggregatorConfig::parse(&GOOD.replace("private-key", "mnemonic")).unwrap();
    assert!(c.validate().unwrap_err().to_string().contains("[submitter]"));
    // A misspelt key inside a chain is still named, though the chain is read by hand.
    let err = AggregatorConfig::parse(&GOOD.replace("rpc-urls", "rpc-url")).unwrap_err();
    assert!(err.to_string().contains("rpc-url"), "{err}");
    let err = AggregatorConfig::parse(&format!("{GOOD}accept-verified-targets = \"yes\"\n")).unwrap_err();
    assert!(err.to_string().contains("must be true or false"), "{err}");
}

#[test]
fn targets_chain_options_and_queue_limits_parse_and_are_checked() {
    let text = format!(
        "{GOOD}accept-verified-targets = true\n\
         [limits]\nmax-pending-entries = 5\nmax-pending-bytes = 4096\npending-expiry-secs = 60\n\
         [[targets]]\nchain = \"anvil\"\nmanager = \"0xAA\"\nhandler = \"0xBB\"\n"
    );
    let c = AggregatorConfig::parse(&text).unwrap();
    c.validate().unwrap();
    assert!(c.chains["anvil"].accept_verified_targets);
    assert_eq!(c.targets, vec![Target { chain: "anvil".into(), manager: "0xAA".into(), handler: "0xBB".into() }]);
    let caps = c.limits.caps();
    assert_eq!((caps.entries, caps.bytes, caps.expiry_ms), (5, 4096, 60_000));

    let elsewhere = AggregatorConfig::parse(&text.replace("chain = \"anvil\"", "chain = \"sepolia\"")).unwrap();
    let err = elsewhere.validate().unwrap_err().to_string();
    assert!(err.contains("targets[0]: chain \"sepolia\" is not configured"), "{err}");
    let zero = AggregatorConfig::parse(&text.replace("max-pending-entries = 5", "max-pending-entries = 0")).unwrap();
    assert!(zero.validate().unwrap_err().to_string().contains("max-pending-entries"));
}

#[test]
fn only_the_exact_word_none_opens_the_api() {
    let with = |token: &str| AggregatorConfig::parse(&GOOD.replace("[submitter]", &format!("api-token = {token:?}\n[submitter]"))).unwrap();
    with("none").validate().unwrap();
    with("s3cret").validate().unwrap();
    for bad in ["None", " ", ""] {
        let err = with(bad).validate().unwrap_err().to_string();
        assert!(err.contains("api-token"), "{bad:?}: {err}");
    }
}

#[test]
fn chains_are_found_by_local_name_or_shared_id() {
    let c = AggregatorConfig::parse(GOOD).unwrap();
    assert_eq!(c.chain_name("anvil"), Some("anvil"));
    assert_eq!(c.chain_name("evm:31337"), Some("anvil"), "an operator who calls it otherwise names it so");
    assert_eq!(c.chain_name("evm:1"), None);
    assert_eq!(c.chain_name("cosmos:31337"), None, "the family is part of the id");
    // A target may name its chain by the shared id too.
    let target = "[[targets]]\nchain = \"evm:31337\"\nmanager = \"0x01\"\nhandler = \"0x02\"\n[submitter]";
    AggregatorConfig::parse(&GOOD.replace("[submitter]", target)).unwrap().validate().unwrap();
    let wrong = AggregatorConfig::parse(&GOOD.replace("[submitter]", &target.replace("31337", "1"))).unwrap();
    assert!(wrong.validate().unwrap_err().to_string().contains("\"evm:1\" is not configured"));
}
