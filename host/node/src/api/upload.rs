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
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// How much of a refused body is still read (and dropped) so that a client that is
/// still sending gets the 413 instead of a reset connection. Past this, or past
/// [`DRAIN_TIME`], the connection is closed unread.
const DRAIN_BYTES: u64 = 256 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(30);

/// `?wait=false`: answer 202 once the body is stored in memory, compile in the background.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct UploadQuery {
    wait: Option<bool>,
}

pub(super) async fn upload_component(
    State(api): State<Arc<ApiState>>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
        let state = api.components.compile_state(&digest);
        return Ok((StatusCode::ACCEPTED, Json(json!({ "digest": digest, "bytes": bytes, "compile": state }))));
    }
    let started = std::time::Instant::now();
    let (digest, source) = api.components.upload_and_wait(body.to_vec()).await?;
    let ms = started.elapsed().as_millis() as u64;
    Ok((StatusCode::CREATED, Json(json!({ "digest": digest, "source": source, "ms": ms, "bytes": bytes }))))
}

/// `GET /components/{digest}`: whether the component is stored (and loaded), or where its
/// background compile is.
pub(super) async fn component_status(State(api): State<Arc<ApiState>>, Path(digest): Path<String>) -> ApiResult<Json<Value>> {
    let digest = digest.trim_start_matches("0x").to_ascii_lowercase();
    if let Some(state) = api.components.compile_state(&digest) {
        return Ok(Json(json!({ "digest": digest, "compile": state })));
    }
    match api.store.component_size(&digest) {
        Some(bytes) => Ok(Json(json!({ "digest": digest, "compile": { "state": "ready", "bytes": bytes } }))),
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
