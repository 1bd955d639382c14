//! The one error type of Kedai and its rendering as RFC 9457 problem+json.
//!
//! Services return `AppError`; `render` turns it — and every error poem or poem-openapi raise on
//! their own (bad JSON, unknown route, wrong method, body too large, missing token) — into the
//! same `{type, title, status, detail, code}` document. Internal errors are logged with their
//! detail and answered without it.

use poem::{error::ResponseError, http::StatusCode, Endpoint, IntoResponse, Request, Response};
use poem_openapi::{
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::ToJSON,
    ApiResponse, Object,
};
use sea_orm::{DbErr, SqlErr};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is well-formed but a value breaks a rule.
    #[error("{detail}")]
    Validation {
        code: &'static str,
        field: Option<&'static str>,
        detail: String,
    },
    /// 401: no, invalid or expired credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 403: above the caller's role, but allowed with a manager's approval (`X-Approval`).
    #[error("{0}")]
    ApprovalRequired(String),
    /// 404: absent, or not visible to the caller.
    #[error("{0}")]
    NotFound(String),
    /// 409: the current state does not allow it.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 410: the table session is closed or expired.
    #[error("{detail}")]
    Gone { code: &'static str, detail: String },
    /// 413
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 422: well-formed but unusable, e.g. an idempotency key reused with another body.
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 429
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// 503: a dependency (database, Redis) is unreachable.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure. The message is logged, never sent.
    #[error("{0}")]
    Internal(String),
    /// An error poem produced itself, already carrying a suitable status.
    #[error("{detail}")]
    Http {
        status: StatusCode,
        code: &'static str,
        detail: String,
        /// The request field at fault, when poem-openapi's validation names one.
        field: Option<String>,
    },
}

impl AppError {
    /// `replacement` in place of a 404, any other error unchanged: for a lookup whose absence
    /// means something else to the caller (a database failure must stay a failure).
    pub fn when_not_found(self, replacement: impl FnOnce() -> AppError) -> AppError {
        match self {
            AppError::NotFound(_) => replacement(),
            other => other,
        }
    }

    pub fn validation(field: &'static str, detail: impl Into<String>) -> Self {
        AppError::Validation {
            code: "VALIDATION_FAILED",
            field: Some(field),
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Validation {
            code,
            field: None,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::ApprovalRequired(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Gone { .. } => StatusCode::GONE,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Http { status, .. } => *status,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Gone { code, .. }
            | AppError::Unprocessable { code, .. } => code,
            AppError::Unauthorized(_) => "UNAUTHORIZED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::ApprovalRequired(_) => "APPROVAL_REQUIRED",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL_ERROR",
            AppError::Http { code, .. } => code,
        }
    }

    /// Maps an error raised by poem or poem-openapi (not by Kedai's code) onto a problem.
    fn from_poem(err: &poem::Error) -> Self {
        let status = err.status();
        let code = match status {
            StatusCode::BAD_REQUEST => "VALIDATION_FAILED",
            StatusCode::UNAUTHORIZED => "UNAUTHORIZED",
            StatusCode::FORBIDDEN => "FORBIDDEN",
            StatusCode::NOT_FOUND => "NOT_FOUND",
            StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
            StatusCode::NOT_ACCEPTABLE => "NOT_ACCEPTABLE",
            StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
            s if s.is_client_error() => "BAD_REQUEST",
            _ => return AppError::Internal(err.to_string()),
        };
        let detail = match status {
            StatusCode::NOT_FOUND => "no such resource".to_owned(),
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here".to_owned(),
            StatusCode::UNAUTHORIZED => "a valid bearer token is required".to_owned(),
            _ => err.to_string(),
        };
        if status == StatusCode::BAD_REQUEST {
            if let Some((field, detail)) = schema_violation(&detail) {
                return AppError::Http {
                    status,
                    code,
                    detail,
                    field: Some(field),
                };
            }
        }
        AppError::Http {
            status,
            code,
            detail,
            field: None,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let detail = match self {
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "an unexpected error occurred; it has been logged".to_owned()
            }
            other => other.to_string(),
        };
        let code = self.code();
        Problem {
            r#type: format!(
                "urn:kedai:problem:{}",
                code.to_lowercase().replace('_', "-")
            ),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            field: match self {
                AppError::Validation { field, .. } => field.map(str::to_owned),
                AppError::Http { field, .. } => field.clone(),
                _ => None,
            },
        }
    }
}

/// A schema rule broken in the body or a parameter, which poem-openapi reports as
/// "… field `name` verification failed. minLength(1)" or "failed to parse parameter `limit`:
/// verification failed. minimum(1, …)": the field, and the rule in words.
fn schema_violation(detail: &str) -> Option<(String, String)> {
    let (_, rest) = detail
        .rsplit_once("field `")
        .or_else(|| detail.rsplit_once("parameter `"))?;
    let (field, rest) = rest.split_once('`')?;
    let rule = rest
        .trim_start_matches([':', ' '])
        .strip_prefix("verification failed.")?
        .trim();
    let (name, args) = rule.split_once('(')?;
    let n = args.trim_end_matches(')').split(',').next()?.trim();
    let words = match name {
        "minLength" if n == "1" => "must not be empty".to_owned(),
        "minLength" => format!("must be at least {n} characters"),
        "maxLength" => format!("must be at most {n} characters"),
        "minimum" => format!("must be at least {n}"),
        "maximum" => format!("must be at most {n}"),
        "minItems" => format!("needs at least {n} item(s)"),
        "maxItems" => format!("takes at most {n} items"),
        _ => format!("breaks the rule {rule}"),
    };
    Some((field.to_owned(), format!("{field} {words}")))
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err {
            err if crate::db::is_connection_lost(&err) => {
                tracing::warn!(error = %err, "database unavailable");
                AppError::Unavailable("the database is unavailable; try again shortly".into())
            }
            other => match other.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    AppError::conflict("CONFLICT", "this conflicts with an existing record")
                }
                _ => AppError::Internal(format!("database: {other}")),
            },
        }
    }
}

/// RFC 9457 problem details, with Kedai's stable `code`.
#[derive(Debug, Object)]
pub struct Problem {
    /// URI naming the problem type.
    pub r#type: String,
    /// Short summary of the status.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// Stable machine-readable code, e.g. `VALIDATION_FAILED`, `ORDER_TRANSITION_INVALID`.
    pub code: String,
    /// The request field at fault, when there is one.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
}

const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }

    fn as_response(&self) -> Response {
        let problem = self.problem();
        let body = problem.to_json_string();
        let mut response = Response::builder()
            .status(self.status())
            .content_type(PROBLEM_JSON)
            .body(body);
        if let AppError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(
                poem::http::header::RETRY_AFTER,
                poem::http::HeaderValue::from(*retry_after_secs),
            );
        }
        response
    }
}

/// Every operation documents the problem responses it may give.
impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        let problem = |status: u16, description: &'static str| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: PROBLEM_JSON,
                schema: <Problem as poem_openapi::types::Type>::schema_ref(),
            }],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                problem(400, "Invalid input"),
                problem(401, "Missing, invalid or expired token"),
                problem(403, "The caller's role may not do this"),
                problem(404, "Not found or not visible to the caller"),
                problem(409, "The current state does not allow this"),
                problem(410, "The table session is closed or expired"),
                problem(413, "Request body too large"),
                problem(415, "The body is not JSON (missing or wrong Content-Type)"),
                problem(422, "Idempotency key reused with a different request"),
                problem(429, "Rate limited"),
                problem(503, "A dependency is unavailable"),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        <Problem as poem_openapi::types::Type>::register(registry);
    }
}

/// Outermost middleware: whatever error reaches the top becomes problem+json.
pub async fn render_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    Ok(match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(err) => {
            let mut response = match err.downcast_ref::<AppError>() {
                Some(app_error) => app_error.as_response(),
                None => AppError::from_poem(&err).as_response(),
            };
            // RFC 9110: a 405 names the methods the resource does support.
            if response.status() == StatusCode::METHOD_NOT_ALLOWED {
                if let Ok(allow) = poem::http::HeaderValue::from_str(&allowed_methods(&path)) {
                    response
                        .headers_mut()
                        .insert(poem::http::header::ALLOW, allow);
                }
            }
            response
        }
    })
}

/// The methods `path` answers to: from the OpenAPI spec for `/api/v1/…`, else GET for pages.
fn allowed_methods(path: &str) -> String {
    static OPERATIONS: std::sync::OnceLock<Vec<(Vec<String>, String)>> = std::sync::OnceLock::new();
    let operations = OPERATIONS.get_or_init(|| {
        let spec: serde_json::Value =
            serde_json::from_str(&crate::api::spec_json()).unwrap_or_default();
        let paths = spec
            .get("paths")
            .and_then(|p| p.as_object())
            .cloned()
            .unwrap_or_default();
        paths
            .into_iter()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_owned).collect();
                let mut methods: Vec<String> = item
                    .as_object()
                    .map(|ops| ops.keys().map(|m| m.to_uppercase()).collect())
                    .unwrap_or_default();
                methods.sort();
                (segments, methods.join(", "))
            })
            .collect()
    });
    let Some(rest) = path.strip_prefix(crate::api::BASE_PATH) else {
        return "GET, HEAD".to_owned();
    };
    let wanted: Vec<&str> = rest.split('/').collect();
    operations
        .iter()
        .find(|(segments, _)| {
            segments.len() == wanted.len()
                && segments
                    .iter()
                    .zip(&wanted)
                    .all(|(s, w)| s.starts_with('{') || s == w)
        })
        .map_or_else(String::new, |(_, methods)| methods.clone())
}

#[cfg(test)]
mod tests {
    use super::schema_violation;

    #[test]
    fn schema_violations_name_the_field_in_words() {
        let violation = schema_violation;
        assert_eq!(
            violation("parse request payload error: failed to parse \"NewOutletRequest\": field `name` verification failed. minLength(1)"),
            Some(("name".into(), "name must not be empty".into()))
        );
        assert_eq!(
            violation("failed to parse \"NewOrderItemRequest\": field `quantity` verification failed. maximum(999, exclusive: false)"),
            Some(("quantity".into(), "quantity must be at most 999".into()))
        );
        assert_eq!(
            violation("failed to parse parameter `limit`: verification failed. minimum(1, exclusive: false)"),
            Some(("limit".into(), "limit must be at least 1".into()))
        );
        assert_eq!(
            violation("Expected input type \"integer_int32\", found \"x\"."),
            None
        );
    }
}
