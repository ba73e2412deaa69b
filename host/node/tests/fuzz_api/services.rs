//! `POST /services` and `DELETE /services/{id}`.

use crate::{Fixture, segment};
use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use wavs_types::fuzzing::{Target, check_contract, fields, mutated, seed, valid_manifest_json};

/// `POST /services` with arbitrary JSON, arbitrary text and mutated manifests (the
/// node's deployable base manifest and the README's, which needs a chain this node
/// lacks). Deploys answer 201 with the id; refusals 400 naming a position or a field.
#[test]
fn services_post() {
    let f = Fixture::new();
    let readme = mutated(seed(&valid_manifest_json()), fields::MANIFEST);
    let bodies = prop_oneof![3 => f.manifest_bodies(), 1 => readme];
    f.fuzz("POST /services", bodies, |f, body| {
        let answer = f.call(Method::POST, "/services", body.clone().into_bytes());
        let error = check_contract(&Method::POST, "/services", &answer)?;
        match answer.status {
            StatusCode::CREATED => {
                let deployed = wavs_types::ServiceManifest::from_json(&body).map_err(TestCaseError::fail)?;
                let id = answer.json().unwrap_or_default()["id"].as_str().map(str::to_string);
                prop_assert_eq!(id, Some(deployed.id.clone()));
                prop_assert!(f.node.services().list().iter().any(|s| **s == deployed), "201 but not deployed");
            }
            StatusCode::BAD_REQUEST => {
                let e = error.unwrap();
                let names_position = e.starts_with("invalid service manifest:") && e.contains(" line ");
                let names_field = ["id ", "workflows", "components."].iter().any(|p| e.starts_with(p));
                prop_assert!(names_position || names_field, "refusal names no position or field: {:?}", e);
            }
            other => prop_assert!(other == StatusCode::SERVICE_UNAVAILABLE, "unexpected {}: {}", other, answer.text()),
        }
        Ok(())
    });
}

/// `DELETE /services/{id}` with arbitrary (UTF-8) ids: 204 or 404 with a reason.
#[test]
fn services_delete() {
    let f = Fixture::new();
    f.fuzz("DELETE /services/{id}", segment(&["svc", "nope", "square"], false), |f, id| {
        let uri = format!("/services/{id}");
        let answer = f.call(Method::DELETE, &uri, vec![]);
        check_contract(&Method::DELETE, &uri, &answer)?;
        prop_assert!(
            [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND, StatusCode::SERVICE_UNAVAILABLE].contains(&answer.status),
            "{} answered {}: {}",
            uri,
            answer.status,
            answer.text()
        );
        Ok(())
    });
}
