//! `POST /components`: the body is read here rather than by axum's `Bytes` extractor, so
//! that the cap is the operator's `[storage] max-component-bytes`, a declared
//! `Content-Length` over it is refused before anything is kept, and a body without one
//! is kept only up to the cap.

use super::ApiResult;
use crate::error::NodeError;
use super::ApiState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use wavs_types::ApiError;
use wavs_types::health::CompileState;
use wavs_types::node_api::{ComponentAccepted, ComponentStatus, ComponentUploaded};
use std::sync::Arc;
use std::time::Duration;

/// How much of a refused body is still read (and dropped) so that a client that is
/// still sending gets the 413 instead of a reset connection. Past this, or past
/// [`DRAIN_TIME`], the connection is closed unread.
const DRAIN_BYTES: u64 = 256 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(30);

/// Whether to answer only once the component is compiled.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct UploadQuery {
    /// `false`: answer 202 at once and compile in the background; follow it with
    /// GET /components/{digest}. The CLI's `service deploy` does this.
    #[param(default = true)]
    wait: Option<bool>,
}

/// A service component's `.wasm` file.
// Named only to give the document its schema: the handler reads the body as a stream
// (`read_capped`), never as this type.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub(super) struct WasmFile(Vec<u8>);

/// An upload's answer: 201 once compiled, or 202 with the compile under way.
pub(super) enum Uploaded {
    Compiled(ComponentUploaded),
    Accepted(ComponentAccepted),
}

impl IntoResponse for Uploaded {
    fn into_response(self) -> Response {
        match self {
            Uploaded::Compiled(answer) => (StatusCode::CREATED, Json(answer)).into_response(),
            Uploaded::Accepted(answer) => (StatusCode::ACCEPTED, Json(answer)).into_response(),
        }
    }
}

/// Upload a service component (`.wasm`, at most `[storage] max-component-bytes`, 32 MiB
/// by default, sent as `Content-Type: application/wasm`); answers its digest.
///
/// A component no deployed service uses is removed `unused-component-grace-secs` (24 h by
/// default) after its upload or its last use.
#[utoipa::path(post, path = "/components", tag = "services", operation_id = "uploadComponent",
    params(UploadQuery),
    request_body(content = inline(WasmFile), content_type = "application/wasm"),
    responses(
        (status = 201, description = "Stored and compiled (or found in the cache).", body = ComponentUploaded),
        (status = 202, description = "Accepted (`?wait=false`): compiling in the background.", body = ComponentAccepted),
        (status = 400, description = "Not a valid component.", body = ApiError),
        (status = 413, description = "Over a storage cap: larger than `[storage] max-component-bytes` (refused before it \
            is compiled), or storing it would take all stored components over `max-total-component-bytes`. The message \
            names the cap, the size and what to do.", body = ApiError),
        (status = 429, description = "`?wait=false` only: `max-concurrent-compiles` background compiles are running \
            already and this component is neither compiling nor compiled. The message says how many run; `retryable` is \
            true: the same upload passes once one finishes (GET /health lists them under `compiling`). An upload of a \
            component already compiling or compiled is never refused.", body = ApiError)))]
pub(super) async fn upload_component(
    State(api): State<Arc<ApiState>>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Uploaded> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(len) = declared {
        if let Err(refused) = api.components.check_component_size(Some(len)) {
            drain(body, len).await;
            return Err(refused);
        }
    }
    let cap = api.components.storage().max_component_bytes;
    let body = match read_capped(body, cap).await? {
        Some(bytes) => bytes,
        None => return Err(api.components.check_component_size(None).unwrap_err()),
    };
    let bytes = body.len();
    if query.wait == Some(false) {
        let digest = api.components.upload_in_background(body.to_vec())?;
        let compile = api.components.compile_state(&digest);
        return Ok(Uploaded::Accepted(ComponentAccepted { digest, bytes, compile }));
    }
    let started = std::time::Instant::now();
    let (digest, source) = api.components.upload_and_wait(body.to_vec()).await?;
    let ms = started.elapsed().as_millis() as u64;
    Ok(Uploaded::Compiled(ComponentUploaded { digest, source: source.to_string(), ms, bytes }))
}

/// Whether a component is stored, or where its background compile is (`compiling` with
/// `elapsed-ms`, `ready` with `ms` and `source`, `failed` with `reason` and `retryable`).
/// Finished compiles are listed for 10 minutes.
#[utoipa::path(get, path = "/components/{digest}", tag = "services", operation_id = "componentStatus",
    params(("digest" = String, Path, description = "sha256 of the component, hex.")),
    responses(
        (status = 200, description = "Its state.", body = ComponentStatus),
        (status = 404, description = "Neither stored nor compiling here.", body = ApiError)))]
pub(super) async fn component_status(State(api): State<Arc<ApiState>>, Path(digest): Path<String>) -> ApiResult<Json<ComponentStatus>> {
    let digest = digest.trim_start_matches("0x").to_ascii_lowercase();
    if let Some(compile) = api.components.compile_state(&digest) {
        return Ok(Json(ComponentStatus { digest, compile }));
    }
    match api.store.component_size(&digest) {
        // Stored before the compiles still listed: nothing was compiled for this answer.
        Some(bytes) => {
            let compile = CompileState::Ready { bytes: bytes as usize, ms: 0, source: "stored".into() };
            Ok(Json(ComponentStatus { digest, compile }))
        }
        None => Err(NodeError::NotFound(format!("no component {digest} is stored or compiling here; upload it with POST /components"))),
    }
}

/// The body if it is at most `cap` bytes; `None` (the rest drained) if it is longer.
/// Never holds more than `cap` bytes.
async fn read_capped(mut body: Body, cap: u64) -> ApiResult<Option<Bytes>> {
    let mut kept = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| NodeError::Invalid(format!("cannot read the uploaded component: {e}")))?;
        let Ok(data) = frame.into_data() else { continue };
        if (kept.len() + data.len()) as u64 > cap {
            drain(body, u64::MAX).await;
            return Ok(None);
        }
        kept.extend_from_slice(&data);
    }
    Ok(Some(kept.into()))
}

/// Reads and drops what is left of `body` when that is at most [`DRAIN_BYTES`] (by
/// its declared length; a body without one is cut there), for at most [`DRAIN_TIME`].
async fn drain(mut body: Body, declared: u64) {
    if declared != u64::MAX && declared > DRAIN_BYTES {
        return;
    }
    let read = async {
        let mut seen = 0u64;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len() as u64);
            if seen > DRAIN_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}
