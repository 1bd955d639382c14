//! The embedded web pages (`web/`), served by the binary itself: no CDN, works offline.

use base64::Engine;
use poem::{
    http::{header, HeaderValue, Method, StatusCode},
    Endpoint, Request, Response, Route,
};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// Pages load scripts, styles and images only from this server, and talk only to it
/// (`'self'` covers its WebSocket too).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; connect-src 'self'; \
     img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The pages (`/` sign-in and first run, `/kitchen`, `/admin`, `/cashier`, `/t/<qr_slug>` for
/// guests: one page for every table) and their files under `/static/`.
pub fn routes() -> Route {
    Route::new()
        .at("/", Embedded::page("index.html"))
        .at("/kitchen", Embedded::page("kitchen.html"))
        .at("/admin", Embedded::page("admin.html"))
        .at("/cashier", Embedded::page("cashier.html"))
        .at("/t/:qr_slug", Embedded::page("table.html"))
        .at("/r/:token", Embedded::page("receipt.html"))
        .at("/static/*path", Embedded(None))
}

/// One embedded file (`Some`), or the one named by the route's `*path` (`None`).
struct Embedded(Option<&'static str>);

impl Embedded {
    fn page(file: &'static str) -> Embedded {
        Embedded(Some(file))
    }
}

impl Endpoint for Embedded {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Err(AppError::Http {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "METHOD_NOT_ALLOWED",
                detail: "pages are read with GET".to_owned(),
                field: None,
            }
            .into());
        }
        let path = self.0.or_else(|| req.raw_path_param("path")).unwrap_or("");
        let file = Assets::get(path).ok_or_else(|| AppError::not_found("file"))?;
        let etag = format!(
            "\"{}\"",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(file.metadata.sha256_hash())
        );
        // Browsers revalidate every time (`no-cache`), so an upgraded binary is picked up at
        // once; an unchanged file costs a 304.
        let unchanged = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| {
                tags.split(',')
                    .any(|tag| tag.trim().trim_start_matches("W/") == etag)
            });
        let response = Response::builder()
            .header(header::ETAG, etag)
            .header(header::CACHE_CONTROL, "no-cache")
            .header(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            );
        if unchanged {
            return Ok(response.status(StatusCode::NOT_MODIFIED).finish());
        }
        Ok(response
            .content_type(content_type(path))
            .body(file.data.into_owned()))
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Swagger UI at `/docs`: poem-openapi's page, which carries its scripts and the spec inline.
/// Its policy allows exactly those scripts (by hash), inline styles and calls to this server.
pub fn swagger_ui(html: String) -> impl Endpoint<Output = Response> {
    use sha2::Digest;
    let script_hashes: Vec<String> = inline_scripts(&html)
        .into_iter()
        .map(|script| {
            let digest = sha2::Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let policy = format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        script_hashes.join(" ")
    );
    poem::endpoint::make_sync(move |_| {
        Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::CONTENT_SECURITY_POLICY, policy.as_str())
            .body(html.clone())
    })
}

/// The text of each inline `<script>…</script>` in `html` (a script may mention `<script` in a
/// string; only `</script>` ends it).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some((_, tag)) = rest.split_once("<script") {
        let Some((_attributes, body)) = tag.split_once('>') else {
            break;
        };
        let Some((script, after)) = body.split_once("</script>") else {
            break;
        };
        scripts.push(script);
        rest = after;
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_end_only_at_a_closing_tag() {
        let html = r#"<head><script charset="UTF-8">let a = "<script>";</script></head>
            <body><script>go()</script></body>"#;
        assert_eq!(inline_scripts(html), vec![r#"let a = "<script>";"#, "go()"]);
    }
}
