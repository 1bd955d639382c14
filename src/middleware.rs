//! Request guards around every route: body size, overload shedding, request timeouts, and the
//! security headers every response carries.

use std::{sync::Arc, time::Duration};

use poem::{
    http::{header, HeaderValue, StatusCode},
    Endpoint, IntoResponse, Request, Response,
};
use tokio::sync::Semaphore;

use crate::{error::AppError, service::text::forbidden_char};

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

/// Refuses text that `service::text::forbidden_char` forbids — NUL, other control characters
/// but line breaks, bidirectional overrides — in any JSON string of a request body, any query
/// parameter and the path, with one 400 naming the field. One gate for every text input, so no
/// such character reaches a rule, a log line or the database (PostgreSQL cannot store NUL).
pub async fn refuse_control_text<E: Endpoint>(
    next: E,
    mut req: Request,
) -> poem::Result<E::Output> {
    let uri = req.uri();
    if let Some((field, c)) = forbidden_in_target(uri.path(), uri.query().unwrap_or("")) {
        return Err(control_text(field, c).into());
    }
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json {
        // `limit_body` has read the body into memory already.
        let body = req.take_body().into_bytes().await?;
        // Malformed JSON is left for the API to refuse in its own words.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some((field, c)) = forbidden_in_json(&value) {
                return Err(control_text(field, c).into());
            }
        }
        req.set_body(body);
    }
    next.call(req).await
}

fn control_text(field: String, c: char) -> AppError {
    AppError::Http {
        status: StatusCode::BAD_REQUEST,
        code: "VALIDATION_FAILED",
        detail: format!(
            "{field} must not contain control or text-direction characters (U+{:04X})",
            u32::from(c)
        ),
        field: Some(field),
    }
}

/// The first string in `value` holding a forbidden character: its field path (`items.note`;
/// array positions are left out, as in the API's other field names) and the character.
fn forbidden_in_json(value: &serde_json::Value) -> Option<(String, char)> {
    use serde_json::Value;
    let found = |text: &str| text.chars().find(|&c| forbidden_char(c));
    match value {
        Value::String(text) => found(text).map(|c| (String::new(), c)),
        Value::Array(items) => items.iter().find_map(forbidden_in_json),
        Value::Object(fields) => fields.iter().find_map(|(key, value)| {
            if let Some(c) = found(key) {
                return Some((key.clone(), c));
            }
            let (inner, c) = forbidden_in_json(value)?;
            Some((
                if inner.is_empty() {
                    key.clone()
                } else {
                    format!("{key}.{inner}")
                },
                c,
            ))
        }),
        _ => None,
    }
}

/// A forbidden character in the percent-decoded path or a query parameter (even a line break:
/// neither holds a note).
fn forbidden_in_target(path: &str, query: &str) -> Option<(String, char)> {
    let bad = |text: &str| {
        percent_decode(text)
            .chars()
            .find(|&c| forbidden_char(c) || c.is_control())
    };
    if let Some(c) = bad(path) {
        return Some(("path".to_owned(), c));
    }
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let c = bad(name).or_else(|| bad(value))?;
        Some((percent_decode(name), c))
    })
}

/// `%XX` escapes (and `+` as a space) decoded; invalid UTF-8 becomes U+FFFD, which is allowed
/// here and refused later by whatever expected text.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(value) => {
                decoded.push(value);
                i += 3;
            }
            None => {
                decoded.push(if byte == b'+' { b' ' } else { byte });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_text_is_found_with_its_field() {
        // As a client sends it: JSON escapes, decoded by the parser.
        let body: serde_json::Value = serde_json::from_str(
            r#"{"name": "ok", "items": [{"note": "fine\nline"}, {"note": "a\u0000b"}]}"#,
        )
        .unwrap();
        assert_eq!(
            forbidden_in_json(&body),
            Some(("items.note".to_owned(), '\0'))
        );
        assert_eq!(forbidden_in_json(&json!({"note": "pedas\r\nsekali"})), None);
        assert_eq!(
            forbidden_in_json(&json!({"reason": "x\u{202E}y"})),
            Some(("reason".to_owned(), '\u{202E}'))
        );
        assert_eq!(
            forbidden_in_json(&json!(["\u{1b}"])),
            Some((String::new(), '\u{1b}'))
        );
    }

    #[test]
    fn control_text_in_the_path_or_query_is_found() {
        assert_eq!(forbidden_in_target("/api/v1/ping", "a=1&b=x+y%20z"), None);
        assert_eq!(
            forbidden_in_target("/api/v1/ws", "token=ts_%00"),
            Some(("token".to_owned(), '\0'))
        );
        assert_eq!(
            forbidden_in_target("/api/v1/orders", "cursor=a%0Ab"),
            Some(("cursor".to_owned(), '\n'))
        );
        assert_eq!(
            forbidden_in_target("/t/%E2%80%AE", ""),
            Some(("path".to_owned(), '\u{202E}'))
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
