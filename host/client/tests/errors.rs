//! What a caller learns from a failed call: the node's `ApiError` and whether to try
//! again, from a stub server that answers one canned response per connection.

use std::io::{Read, Write};
use std::net::TcpListener;
use wavs_client::{AggregatorClient, ClientError, NodeClient};

/// A node stub answering every request with `status` and `body`; its base URL.
fn stub(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let answer = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

#[tokio::test]
async fn a_refusal_keeps_the_nodes_api_error() {
    let base = stub("503 Service Unavailable", r#"{"error":"compiling","retryable":true}"#);
    let e = NodeClient::new(&base).health().await.unwrap_err();
    assert!(matches!(&e, ClientError::Refused { error, .. } if error.error == "compiling"), "{e:?}");
    assert_eq!((e.status().map(|s| s.as_u16()), e.retryable()), (Some(503), true));
    assert_eq!(e.to_string(), format!("{base} answered 503 Service Unavailable: compiling"));

    let node = NodeClient::new(&stub("409 Conflict", r#"{"error":"already served","retryable":false}"#));
    assert!(!node.add_chain(&serde_json::json!({})).await.unwrap_err().retryable());
}

#[tokio::test]
async fn an_unreachable_node_may_be_tried_again_and_a_wrong_body_may_not() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let e = NodeClient::new(&format!("http://{closed}")).health().await.unwrap_err();
    assert!(matches!(e, ClientError::Unreachable { .. }) && e.retryable(), "{e:?}");

    let e = NodeClient::new(&stub("200 OK", r#"{"status":"ok"}"#)).health().await.unwrap_err();
    assert!(matches!(e, ClientError::Unexpected { .. }) && !e.retryable(), "{e:?}");
}

#[tokio::test]
async fn an_aggregator_refusal_names_the_aggregator_and_keeps_its_api_error() {
    let base = stub("403 Forbidden", r#"{"error":"0x09 is not an operator","retryable":false}"#);
    let e = AggregatorClient::new(&base).submit_batch(&[]).await.unwrap_err();
    assert!(matches!(&e, ClientError::Refused { error, .. } if error.error == "0x09 is not an operator"), "{e:?}");
    assert_eq!((e.status().map(|s| s.as_u16()), e.retryable()), (Some(403), false));
    assert_eq!(e.to_string(), format!("{base} answered 403 Forbidden: 0x09 is not an operator"));
    // An older aggregator without the batch endpoint: a 404 the sender reads as "post one by one".
    let old = stub("404 Not Found", "");
    assert_eq!(AggregatorClient::new(&old).submit_batch(&[]).await.unwrap_err().status().map(|s| s.as_u16()), Some(404));
}
