use super::*;

const DIGEST: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn manifest_json(extra_component_field: &str, trigger_chain: &str) -> String {
    format!(
        r#"{{
        "id": "square",
        "components": {{ "sq": {{ "digest": "{DIGEST}" {extra_component_field} }} }},
        "workflows": {{ "main": {{
            "trigger": {{ "chain-event": {{ "chain": "{trigger_chain}", "contract": "0x01", "event": "E()" }} }},
            "component": "sq",
            "submit": {{ "aggregator": {{ "chain": "anvil", "handler": "0x02", "manager": "0x03" }} }}
        }} }}
    }}"#
    )
}

#[test]
fn a_good_manifest_parses_and_validates() {
    let m = ServiceManifest::from_json(&manifest_json("", "anvil")).unwrap();
    m.validate(|c| c == "anvil").unwrap();
    assert_eq!(m.workflows["main"].trigger.chain(), Some("anvil"));
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let err = ServiceManifest::from_json(&manifest_json(r#", "fuel": 5"#, "anvil")).unwrap_err();
    assert!(err.contains("unknown field `fuel`"), "{err}");
}

#[test]
fn unknown_chain_and_missing_component_are_named() {
    let m = ServiceManifest::from_json(&manifest_json("", "mars")).unwrap();
    let err = m.validate(|c| c == "anvil").unwrap_err();
    assert!(err.contains("workflows.main.trigger.chain") && err.contains("mars"), "{err}");

    let mut m = ServiceManifest::from_json(&manifest_json("", "anvil")).unwrap();
    m.workflows.get_mut("main").unwrap().component = "nope".into();
    let err = m.validate(|_| true).unwrap_err();
    assert!(err.contains("no component named \"nope\""), "{err}");
}

#[test]
fn bad_digest_is_refused() {
    let mut m = ServiceManifest::from_json(&manifest_json("", "anvil")).unwrap();
    m.components.get_mut("sq").unwrap().digest = "xyz".into();
    assert!(m.validate(|_| true).unwrap_err().contains("components.sq.digest"));
}

#[test]
fn deterministic_is_off_unless_asked_and_must_be_a_boolean() {
    let m = ServiceManifest::from_json(&manifest_json("", "anvil")).unwrap();
    assert!(!m.workflows["main"].deterministic);
    assert!(!serde_json::to_string(&m).unwrap().contains("deterministic"), "an unset flag is not written");

    let on = manifest_json("", "anvil").replace(r#""component": "sq","#, r#""component": "sq", "deterministic": true,"#);
    let m = ServiceManifest::from_json(&on).unwrap();
    assert!(m.workflows["main"].deterministic);
    assert_eq!(ServiceManifest::from_json(&serde_json::to_string(&m).unwrap()).unwrap(), m);

    let bad = manifest_json("", "anvil").replace(r#""component": "sq","#, r#""component": "sq", "deterministic": "yes","#);
    let err = ServiceManifest::from_json(&bad).unwrap_err();
    assert!(err.contains("expected a boolean"), "{err}");
}
