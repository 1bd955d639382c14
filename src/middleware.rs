//! Request guards around every route: body size, overload shedding, request timeouts, and the
//! security headers every response carries.

use std::{sync::Arc, time::Duration};

use poem::{
    http::{header, HeaderValue, StatusCode},
    Endpoint, IntoResponse, Request, Response,
};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Bounds on the work the server takes on at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests served at the same time (WebSocket connections not counted); more get a fast
    /// 503 instead of queueing without bound.
    pub max_in_flight: usize,
    /// A request still running after this is answered 503 (its transaction rolls back).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_flight: 512,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Request bodies above `limit` bytes are refused with 413 — also when the client sends no
/// `Content-Length` (chunked), which poem's own size limit does not see.
pub async fn limit_body<E: Endpoint>(
    next: E,
    mut req: Request,
    limit: usize,
) -> poem::Result<E::Output> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(AppError::PayloadTooLarge { limit }.into());
    }
    // GET, HEAD, OPTIONS (and TRACE, which no route answers) neither carry nor change data.
    let may_have_body = !req.method().is_safe();
    if may_have_body && declared != Some(0) {
        let body = req
            .take_body()
            .into_bytes_limit(limit)
            .await
            .map_err(|err| match err {
                poem::error::ReadBodyError::PayloadTooLarge => AppError::PayloadTooLarge { limit },
                other => AppError::bad_request(
                    "BAD_REQUEST",
                    format!("could not read the body: {other}"),
                ),
            })?;
        req.set_body(body);
    }
    next.call(req).await
}

/// Sheds load: beyond `max_in_flight` concurrent requests, or past `request_timeout`, the
/// answer is a quick 503 problem. This holds for every request, WebSocket upgrades included:
/// the upgrade handshake is answered at once and the socket then lives in a task of its own,
/// outside this bound (the listener's connection cap counts it).
pub async fn shed_load<E: Endpoint>(
    next: E,
    req: Request,
    permits: Arc<Semaphore>,
    timeout: Duration,
) -> poem::Result<E::Output> {
    let Ok(_permit) = permits.try_acquire() else {
        return Err(AppError::Http {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "OVERLOADED",
            detail: "the server is busy; try again in a moment".into(),
            field: None,
        }
        .into());
    };
    match tokio::time::timeout(timeout, next.call(req)).await {
        Ok(result) => result,
        Err(_) => Err(AppError::Http {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "TIMEOUT",
            detail: "the request took too long and was abandoned; check before repeating a change, or retry it with the same Idempotency-Key".into(),
            field: None,
        }
        .into()),
    }
}

/// What a response that sets no policy of its own may do in a browser: nothing. API answers,
/// images and problems are data, never a document to run or to frame.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Every response — pages, `/docs`, the API, errors — is never sniffed into another type,
/// never framed by another site and never names its URL (which may hold a table's QR slug) to
/// another site. Pages and `/docs` set their own Content-Security-Policy; the rest gets
/// `DATA_POLICY`.
pub async fn security_headers<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let mut response = next.call(req).await?.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DATA_POLICY));
    Ok(response)
}
