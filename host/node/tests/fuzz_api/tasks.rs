//! `POST /services/{id}/workflows/{wf}/tasks` and `GET /executions`.

use crate::{Fixture, SERVICES, WORKFLOWS, segment};
use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use serde_json::json;
use wavs_types::fuzzing::{Target, arb_text, check_contract, fields, inputs, mutated, seed};

/// `POST /services/{id}/workflows/{wf}/tasks` with mutated and arbitrary tasks on the
/// deployed service and on arbitrary ids. Runs answer 200 with an execution record.
#[test]
fn tasks_post() {
    let f = Fixture::new();
    let task = (arb_text(), prop::collection::vec(any::<u8>(), 0..512))
        .prop_map(|(id, payload)| json!({ "task-id": id, "payload": format!("0x{}", hex::encode(payload)) }));
    let body = prop_oneof![
        3 => task.clone().prop_map(|t| t.to_string()),
        3 => mutated(task, fields::TASK),
        1 => inputs(seed("{}"), fields::TASK),
    ];
    let target = prop_oneof![
        4 => Just(("svc".to_string(), "main".to_string())),
        1 => (segment(SERVICES, false), segment(WORKFLOWS, false)),
    ];
    f.fuzz("POST /services/{id}/workflows/{wf}/tasks", (target, body), |f, ((service, workflow), body)| {
        let uri = format!("/services/{service}/workflows/{workflow}/tasks");
        let answer = f.call(Method::POST, &uri, body.into_bytes());
        check_contract(&Method::POST, &uri, &answer)?;
        if answer.status == StatusCode::OK {
            let record = answer.json().unwrap_or_default();
            prop_assert!(record.get("outcome").is_some(), "200 without an execution record: {}", answer.text());
        } else {
            prop_assert!(
                [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND, StatusCode::SERVICE_UNAVAILABLE].contains(&answer.status),
                "{} answered {}: {}",
                uri,
                answer.status,
                answer.text()
            );
        }
        Ok(())
    });
}

/// `GET /executions` with numeric limits (any size) and arbitrary service filters:
/// 200 with at most `limit` records.
#[test]
fn executions_get() {
    let f = Fixture::new();
    if f.echo.is_some() {
        for i in 0..3 {
            let task = json!({ "task-id": format!("t{i}"), "payload": "0x01" }).to_string();
            let answer = f.call(Method::POST, "/services/svc/workflows/main/tasks", task.into_bytes());
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        }
    }
    let limit = prop_oneof![Just(None), (0usize..5).prop_map(Some), any::<u64>().prop_map(|n| Some(n as usize))];
    let service = prop::option::of(segment(&["svc", "nope"], false));
    f.fuzz("GET /executions?limit=N", (limit, service), |f, (limit, service)| {
        let mut query = vec![];
        if let Some(l) = limit {
            query.push(format!("limit={l}"));
        }
        if let Some(s) = &service {
            query.push(format!("service={s}"));
        }
        let uri = format!("/executions?{}", query.join("&"));
        let answer = f.call(Method::GET, &uri, vec![]);
        check_contract(&Method::GET, &uri, &answer)?;
        prop_assert_eq!(answer.status, StatusCode::OK, "{}: {}", uri, answer.text());
        let records = answer.json().and_then(|v| v.as_array().cloned());
        prop_assert!(records.is_some(), "{}: not a JSON array: {}", uri, answer.text());
        prop_assert!(records.unwrap().len() <= limit.unwrap_or(50), "{}: more records than the limit", uri);
        Ok(())
    });
}
