//! HTTP fetch: GETs the URL in config var `url` and returns the body (at most 64 KiB)
//! as the payload. If config var `bearer-secret` names a secret (declared in the
//! manifest entry's `secrets`), the request carries `Authorization: Bearer <its value>`;
//! the value itself is never in the manifest. The host lets the request through only if
//! the manifest grants the URL's host; a refusal comes back as this execution's error.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use std::io::Read;
use wasi::http::outgoing_handler;
use wasi::http::types::{ErrorCode, Fields, Method, OutgoingRequest, Scheme};
use wavs::service::host::{config_var, secret};

const MAX_BODY: u64 = 64 << 10;

struct HttpFetch;

fn get(url: &str, bearer: Option<String>) -> Result<Vec<u8>, String> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("http://") {
        (Scheme::Http, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (Scheme::Https, r)
    } else {
        return Err(format!("url {url:?} must start with http:// or https://"));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let headers = Fields::new();
    if let Some(token) = bearer {
        headers
            .append("authorization", format!("Bearer {token}").as_bytes())
            .map_err(|e| format!("cannot set the authorization header: {e:?}"))?;
    }
    let request = OutgoingRequest::new(headers);
    let ok = request.set_method(&Method::Get).is_ok()
        && request.set_scheme(Some(&scheme)).is_ok()
        && request.set_authority(Some(authority)).is_ok()
        && request.set_path_with_query(Some(path)).is_ok();
    if !ok {
        return Err(format!("cannot build a request for {url}"));
    }
    let refused = |e: ErrorCode| match e {
        ErrorCode::HttpRequestDenied => format!("request to {url} refused: host not granted (HttpRequestDenied)"),
        other => format!("request to {url} failed: {other:?}"),
    };
    let pending = outgoing_handler::handle(request, None).map_err(refused)?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(e))) => return Err(refused(e)),
        _ => return Err(format!("request to {url}: no response")),
    };
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(format!("request to {url} answered HTTP {status}"));
    }
    let body = response.consume().map_err(|_| "response body unavailable".to_string())?;
    let stream = body.stream().map_err(|_| "response stream unavailable".to_string())?;
    let mut bytes = Vec::new();
    stream.take(MAX_BODY + 1).read_to_end(&mut bytes).map_err(|e| format!("reading {url}: {e}"))?;
    if bytes.len() as u64 > MAX_BODY {
        return Err(format!("response from {url} exceeds {MAX_BODY} bytes"));
    }
    Ok(bytes)
}

impl Guest for HttpFetch {
    fn run(_action: TriggerAction) -> Result<Vec<Response>, String> {
        let url = config_var("url").ok_or("config var `url` is not set")?;
        // The secret's value never goes into an error message: only its name.
        let bearer = match config_var("bearer-secret") {
            Some(name) => Some(secret(&name).ok_or_else(|| {
                format!("secret {name:?} (config var `bearer-secret`) is not available: declare it in the manifest entry's `secrets`")
            })?),
            None => None,
        };
        let body = get(&url, bearer)?;
        Ok(vec![Response { payload: body, ordering: None }])
    }
}

export!(HttpFetch);
