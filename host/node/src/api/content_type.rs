//! The `Content-Type` every request that changes the node must declare.
//!
//! A web page can make a browser send a "simple" cross-site request (`text/plain`,
//! a form, or no type at all) without asking the target first. Requiring
//! `application/json` (and `application/wasm` for component uploads) makes every such
//! request one the browser must ask permission for, which this API never grants.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use wavs_types::ApiError;

/// The type of a component upload (`POST /components`).
pub const WASM: &str = "application/wasm";

/// The type of every other request that changes the node.
pub const JSON: &str = "application/json";

/// The type a mutating request on `path` must declare.
pub fn expected(path: &str) -> &'static str {
    if path == "/components" { WASM } else { JSON }
}

/// The media type of a `Content-Type` value, without parameters, lowercase.
fn essence(value: &str) -> String {
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Middleware: refuses (415) a request but GET/HEAD whose `Content-Type` is not the
/// one its path takes.
pub(super) async fn require(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let want = expected(request.uri().path());
    let given = request.headers().get(header::CONTENT_TYPE).map(|v| essence(v.to_str().unwrap_or("?")));
    if given.as_deref() == Some(want) {
        return next.run(request).await;
    }
    let got = match given {
        Some(t) => format!("got {t:?}"),
        None => "none was sent".to_string(),
    };
    let error = format!(
        "{} {} needs `Content-Type: {want}` ({got}); every request that changes the node declares its type \
         (application/wasm for POST /components, application/json for the rest)",
        request.method(),
        request.uri().path()
    );
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(ApiError { error, retryable: false })).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_and_case_do_not_matter() {
        assert_eq!(super::essence("Application/JSON; charset=utf-8"), "application/json");
        assert_eq!(super::expected("/components"), super::WASM);
        assert_eq!(super::expected("/services/x/pause"), super::JSON);
    }
}
