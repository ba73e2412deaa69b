//! The sections of the chain team's guide (`adapters/README.md`) a failure points at,
//! as GitHub names their anchors.

pub const WORLD: &str = "the-world";
pub const ERRORS: &str = "errors";
pub const DIGEST_BINDS: &str = "what-a-digest-must-bind";
pub const LIMITS: &str = "limits-and-failures";
pub const CONFORMANCE: &str = "conformance";
pub const STEP1: &str = "step-1-copy-and-rename";
pub const STEP2: &str = "step-2-open";
pub const STEP3: &str = "step-3-head-and-block-hash";
pub const STEP4: &str = "step-4-events";
pub const STEP5: &str = "step-5-envelope-digest-and-the-contracts";
pub const STEP6: &str = "step-6-operator-id";
pub const STEP7: &str = "step-7-operator-set";
pub const STEP8: &str = "step-8-submit";
pub const STEP9: &str = "step-9-is-handled-and-handler-info";
pub const STEP10: &str = "step-10-optional-the-testing-interface";
pub const STEP11: &str = "step-11-optional-the-services-interface";
pub const STEP12: &str = "step-12-optional-the-signing-keys-interface";
pub const STEP13: &str = "step-13-optional-the-peers-interface";

/// The section that implements the adapter call `what` names (its first word, as
/// `Kit::check` is given it: `head`, `deploy-service (second chain)`, ...).
pub fn for_call(what: &str) -> Option<&'static str> {
    let method = what.split([' ', '(']).next().unwrap_or(what);
    Some(match method {
        "open" => STEP2,
        "head" | "block-hash" | "block-time" => STEP3,
        "events" | "check-filter" => STEP4,
        "envelope-digest" => STEP5,
        "operator-id" | "verify" => STEP6,
        "operator-set" => STEP7,
        "submit" | "submission-limits" => STEP8,
        "is-handled" | "handler-info" => STEP9,
        "deploy-service" | "fire-trigger" | "handled-payload" | "deploy-handler" | "set-operator" | "fund" => STEP10,
        "service-uri" | "service-uri-filter" | "set-service-uri" => STEP11,
        "register-signing-key" | "signing-key-operator" => STEP12,
        "announce-peer" | "peer-addresses" => STEP13,
        _ => return None,
    })
}

/// Whether a call of this name reads or writes the chain (a pure one, such as
/// `operator-id` or `envelope-digest`, proves nothing about RPC, time or memory use).
pub fn reaches_chain(what: &str) -> bool {
    !matches!(for_call(what), None | Some(STEP5) | Some(STEP6))
        && !matches!(what, "check-filter" | "submission-limits" | "service-uri-filter")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's anchor of a markdown heading: lowercase, punctuation dropped, spaces to `-`.
    fn anchor(heading: &str) -> String {
        let text = heading.trim_start_matches('#').trim().to_lowercase();
        text.chars().filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-').map(|c| if c == ' ' { '-' } else { c }).collect()
    }

    #[test]
    fn every_section_a_failure_names_is_a_heading_of_the_guide() {
        let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../adapters/README.md")).unwrap();
        let anchors: Vec<String> = guide.lines().filter(|l| l.starts_with('#')).map(anchor).collect();
        let sections =
            [WORLD, ERRORS, DIGEST_BINDS, LIMITS, CONFORMANCE, STEP1, STEP2, STEP3, STEP4, STEP5, STEP6, STEP7, STEP8, STEP9, STEP10, STEP11, STEP12, STEP13];
        for section in sections {
            assert!(anchors.iter().any(|a| a == section), "no heading of adapters/README.md has the anchor {section}: {anchors:?}");
        }
    }

    #[test]
    fn calls_point_at_the_step_that_implements_them() {
        assert_eq!(for_call("head"), Some(STEP3));
        assert_eq!(for_call("deploy-service (second chain)"), Some(STEP10));
        assert_eq!(for_call("submit (signed for the second handler)"), Some(STEP8));
        assert_eq!(for_call("set-service-uri"), Some(STEP11));
        assert_eq!(for_call("register-signing-key"), Some(STEP12));
        assert_eq!(for_call("peer-addresses"), Some(STEP13));
        assert_eq!(for_call("signing"), None);
        assert!(reaches_chain("events") && !reaches_chain("operator-id") && !reaches_chain("envelope-digest"));
    }
}
