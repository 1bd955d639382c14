//! Realtime: `GET /ws` (WebSocket) and `GET /events` (the same stream as JSON, for catch-up).

use poem::{
    web::{
        websocket::{BoxWebSocketUpgraded, WebSocket},
        Data,
    },
    Request,
};
use poem_openapi::{auth::ApiKey, param::Query, payload::Json, Object, OpenApi, SecurityScheme};
use uuid::Uuid;

use super::ApiTags;
use crate::{
    auth::{principal::authenticate_token, Auth, Principal},
    error::{AppError, AppResult},
    realtime::{frames::EventFrame, ws},
    service::events::{self, Audience},
    state::AppState,
};

pub struct RealtimeApi;

/// The same token as the bearer scheme, in the `token` query parameter: browsers cannot set
/// headers on a WebSocket.
#[derive(SecurityScheme)]
#[oai(
    rename = "query_token",
    ty = "api_key",
    key_name = "token",
    key_in = "query",
    checker = "authenticate_query"
)]
pub struct QueryToken(pub Principal);

async fn authenticate_query(req: &poem::Request, key: ApiKey) -> poem::Result<Principal> {
    authenticate_token(req, &key.key).await
}

/// Header or query token.
#[derive(SecurityScheme)]
pub enum StreamAuth {
    Bearer(Auth),
    Query(QueryToken),
}

impl StreamAuth {
    fn principal(self) -> Principal {
        match self {
            StreamAuth::Bearer(auth) => auth.0,
            StreamAuth::Query(token) => token.0,
        }
    }
}

#[derive(Object)]
pub struct EventPage {
    /// Each frame's `type` says which payload it carries.
    pub items: Vec<EventFrame>,
    /// Pass as `since` next time (the last id here, or the `since` you sent).
    pub next_since: i64,
}

/// The token `StreamAuth` accepted, read with the same decoders (the header's scheme in any
/// case, the query parameter percent-decoded), for the socket's re-checks.
fn raw_token(req: &Request) -> Option<String> {
    use poem::web::headers::{authorization::Bearer, Authorization, HeaderMapExt};
    #[derive(serde::Deserialize)]
    struct TokenParam {
        token: Option<String>,
    }
    req.headers()
        .typed_get::<Authorization<Bearer>>()
        .map(|header| header.token().to_owned())
        .or_else(|| req.params::<TokenParam>().ok()?.token)
}

#[OpenApi(tag = "ApiTags::Realtime")]
impl RealtimeApi {
    /// Live events over a WebSocket. Authenticate with `?token=` (staff JWT or guest `ts_…`) or
    /// the Authorization header. `since=<id>` first replays every later event you may see, then
    /// continues live with no gap and no duplicate; if `since` is older than the 7-day retention
    /// the first frame is `{"type":"RESYNC_REQUIRED"}`. Staff get their outlet's events (OWNER:
    /// all, or `outlet_id`); guests their table's orders and the outlet's menu changes. Server
    /// pings every 25 s; a client that falls too far behind is closed with 1013.
    #[oai(path = "/ws", method = "get", operation_id = "realtime_ws")]
    async fn ws(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: StreamAuth,
        /// Replay events after this id first.
        since: Query<Option<i64>>,
        /// OWNER: only this outlet.
        outlet_id: Query<Option<Uuid>>,
        websocket: WebSocket,
    ) -> AppResult<BoxWebSocketUpgraded> {
        let principal = auth.principal();
        let audience = Audience::of(&principal, outlet_id.0)?;
        let token =
            raw_token(req).ok_or_else(|| AppError::Unauthorized("a token is required".into()))?;
        let client = ws::Client {
            state: state.0.clone(),
            audience,
            role: principal.role(),
            outlet_id: outlet_id.0,
            token,
            since: since.0,
        };
        Ok(websocket
            .config(ws::socket_config())
            .on_upgrade(move |socket| ws::serve(socket, client))
            .boxed())
    }

    /// The WebSocket's stream as JSON pages, for catch-up: events after `since` that you may
    /// see, oldest first. `409 RESYNC_REQUIRED` when `since` is older than the retention.
    #[oai(path = "/events", method = "get", operation_id = "list_events")]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        since: Query<Option<i64>>,
        /// 1–500 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        outlet_id: Query<Option<Uuid>>,
    ) -> AppResult<Json<EventPage>> {
        let audience = Audience::of(&auth.0, outlet_id.0)?;
        let limit = limit.0.unwrap_or(100);
        let conn = state.db.conn();
        let since = match since.0 {
            Some(since) => {
                if since < 0 || !events::can_resume_from(conn, since).await? {
                    return Err(AppError::conflict(
                        "RESYNC_REQUIRED",
                        "events after this id are no longer kept; reload the current state",
                    ));
                }
                since
            }
            None => events::pruned_through(conn).await?,
        };
        let rows = events::events_after(conn, audience, since, limit).await?;
        let next_since = rows.last().map_or(since, |e| e.id);
        let items = rows.iter().filter_map(EventFrame::from_event).collect();
        Ok(Json(EventPage { items, next_since }))
    }
}
