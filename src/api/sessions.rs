//! Table sessions: opening and closing a table, guests' QR scan and token check, the bill.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{orders::OrderView, text::Text, ApiTags};
use crate::{
    auth::Auth,
    domain::SessionStatus,
    entity::table_session,
    error::AppResult,
    qr,
    service::{
        orders,
        sessions::{self, SessionDetails, SessionFilter},
        PageRequest,
    },
    state::AppState,
};

pub struct SessionsApi;

/// A sitting at a table.
#[derive(Object)]
pub struct SessionView {
    pub id: Uuid,
    /// The guest token (`Authorization: Bearer ts_…`): only in the answer to opening the table,
    /// for the floor staff who open it; `null` everywhere else. Guests' phones get it by
    /// scanning the table's QR code, so nobody else needs to see it.
    #[oai(nullable)]
    pub token: Option<String>,
    pub table_id: Uuid,
    pub outlet_id: Uuid,
    pub status: SessionStatus,
    pub opened_at: DateTime<Utc>,
    /// The guest token stops working at this instant.
    pub expires_at: DateTime<Utc>,
    #[oai(nullable)]
    pub closed_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub close_reason: Option<String>,
    /// The session it was merged into (its orders are there now).
    #[oai(nullable)]
    pub merged_into: Option<Uuid>,
}

impl From<table_session::Model> for SessionView {
    fn from(s: table_session::Model) -> Self {
        SessionView {
            id: s.id,
            token: None,
            table_id: s.table_id,
            outlet_id: s.outlet_id,
            status: s.status,
            opened_at: s.opened_at,
            expires_at: s.expires_at,
            closed_at: s.closed_at,
            close_reason: s.close_reason,
            merged_into: s.merged_into,
        }
    }
}

/// What a guest's page needs to show where it is.
#[derive(Object)]
pub struct GuestSessionView {
    /// The table session's id.
    pub id: Uuid,
    pub token: String,
    pub status: SessionStatus,
    pub expires_at: DateTime<Utc>,
    pub table_id: Uuid,
    pub table_name: String,
    pub outlet_id: Uuid,
    pub outlet_name: String,
    pub currency: String,
    /// The outlet's language (`id` or `en`): the page's fallback.
    pub language: String,
    /// The table's QR URL (what the printed code opens).
    pub table_url: String,
}

impl GuestSessionView {
    fn new(d: SessionDetails, public_url: &str) -> Self {
        GuestSessionView {
            id: d.session.id,
            token: d.session.token,
            status: d.session.status,
            expires_at: d.session.expires_at,
            table_id: d.table.id,
            table_url: qr::table_url(public_url, &d.table.qr_slug),
            table_name: d.table.name,
            outlet_id: d.outlet.id,
            outlet_name: d.outlet.name,
            currency: d.outlet.currency,
            language: d.outlet.language,
        }
    }
}

#[derive(Object)]
pub struct SessionPage {
    pub items: Vec<SessionView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct OpenSessionRequest {
    pub table_id: Uuid,
}

#[derive(Object)]
pub struct TokenRequest {
    #[oai(validator(max_length = 64))]
    pub token: Text,
}

#[derive(Object)]
pub struct ScanRequest {
    /// The last part of the table's QR URL `…/t/<qr_slug>`.
    #[oai(validator(max_length = 64))]
    pub qr_slug: Text,
}

#[derive(Object)]
pub struct CloseSessionRequest {
    /// Close although orders are unpaid (MANAGER, OWNER; needs `reason`).
    #[oai(nullable)]
    pub force: Option<bool>,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub reason: Option<Text>,
}

#[derive(Object)]
pub struct SessionOrders {
    pub items: Vec<OrderView>,
}

/// A table's bill. Sums leave voided orders out.
#[derive(Object)]
pub struct BillView {
    pub table_session_id: Uuid,
    pub status: SessionStatus,
    pub orders: Vec<OrderView>,
    pub subtotal: i64,
    pub discount_amount: i64,
    pub service_charge_amount: i64,
    pub tax_amount: i64,
    pub total_amount: i64,
    pub paid_amount: i64,
    /// `total_amount − paid_amount`.
    pub outstanding: i64,
}

#[derive(ApiResponse)]
pub enum OpenSessionResponse {
    /// The table was opened.
    #[oai(status = 201)]
    Opened(Json<SessionView>),
    /// The table was already open: its session.
    #[oai(status = 200)]
    AlreadyOpen(Json<SessionView>),
}

#[derive(ApiResponse)]
pub enum ScanResponse {
    /// The table's open session.
    #[oai(status = 200)]
    Open(Json<GuestSessionView>),
    /// The outlet allows self-service and the guest just opened the table.
    #[oai(status = 201)]
    Opened(Json<GuestSessionView>),
}

#[OpenApi(tag = "ApiTags::TableSessions")]
impl SessionsApi {
    /// Open a table. If it is already open, its session
    /// comes back with 200 (and the guest token's lifetime is renewed).
    #[oai(
        path = "/table-sessions",
        method = "post",
        operation_id = "open_table_session"
    )]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<OpenSessionRequest>,
    ) -> AppResult<OpenSessionResponse> {
        let (session, created) =
            sessions::open_session(&state.db, auth.0.staff()?, body.0.table_id).await?;
        let token = session.token.clone();
        let view = Json(SessionView {
            token: Some(token),
            ..session.into()
        });
        Ok(if created {
            OpenSessionResponse::Opened(view)
        } else {
            OpenSessionResponse::AlreadyOpen(view)
        })
    }

    /// Check a guest token: 404 unknown, 410 closed or expired.
    #[oai(
        path = "/table-sessions/validate",
        method = "post",
        operation_id = "validate_table_session"
    )]
    async fn validate(
        &self,
        state: Data<&AppState>,
        body: Json<TokenRequest>,
    ) -> AppResult<Json<GuestSessionView>> {
        let details = sessions::validate(&state.db, &body.0.token).await?;
        Ok(Json(GuestSessionView::new(details, &state.public_url)))
    }

    /// A guest scanned a table's QR code: the open session's token; or, when the
    /// outlet allows self-service, a new session; otherwise `409 TABLE_NOT_OPEN`.
    #[oai(
        path = "/table-sessions/scan",
        method = "post",
        operation_id = "scan_table_qr"
    )]
    async fn scan(
        &self,
        state: Data<&AppState>,
        body: Json<ScanRequest>,
    ) -> AppResult<ScanResponse> {
        let (details, created) = sessions::scan(&state.db, body.0.qr_slug.trim()).await?;
        let view = Json(GuestSessionView::new(details, &state.public_url));
        Ok(if created {
            ScanResponse::Opened(view)
        } else {
            ScanResponse::Open(view)
        })
    }

    /// Table sessions, oldest first (staff of the outlet).
    #[oai(
        path = "/table-sessions",
        method = "get",
        operation_id = "list_table_sessions"
    )]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        table_id: Query<Option<Uuid>>,
        status: Query<Option<SessionStatus>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<SessionPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let filter = SessionFilter {
            outlet_id: outlet_id.0,
            table_id: table_id.0,
            status: status.0,
        };
        let page = sessions::list_sessions(&state.db, auth.0.staff()?, filter, page).await?;
        Ok(Json(SessionPage {
            items: page.items.into_iter().map(SessionView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One table session (staff of its outlet, or its own guest).
    #[oai(
        path = "/table-sessions/:id",
        method = "get",
        operation_id = "get_table_session"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<SessionView>> {
        Ok(Json(
            sessions::get_session(&state.db, &auth.0, id.0)
                .await?
                .into(),
        ))
    }

    /// The session's orders, oldest first.
    #[oai(
        path = "/table-sessions/:id/orders",
        method = "get",
        operation_id = "list_table_session_orders"
    )]
    async fn orders(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<SessionOrders>> {
        let orders = orders::session_order_details(&state.db, &auth.0, id.0).await?;
        Ok(Json(SessionOrders {
            items: orders.into_iter().map(OrderView::from).collect(),
        }))
    }

    /// The table's bill: orders, totals, paid and outstanding.
    #[oai(
        path = "/table-sessions/:id/bill",
        method = "get",
        operation_id = "get_table_session_bill"
    )]
    async fn bill(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<BillView>> {
        let bill = sessions::bill(&state.db, &auth.0, id.0).await?;
        Ok(Json(BillView {
            table_session_id: bill.session.id,
            status: bill.session.status,
            orders: bill.orders.into_iter().map(OrderView::from).collect(),
            subtotal: bill.subtotal,
            discount_amount: bill.discount_amount,
            service_charge_amount: bill.service_charge_amount,
            tax_amount: bill.tax_amount,
            total_amount: bill.total_amount,
            paid_amount: bill.paid_amount,
            outstanding: bill.outstanding,
        }))
    }

    /// Close the table: `409 SESSION_HAS_UNPAID_ORDERS` while an
    /// order is neither paid nor voided, unless a MANAGER/OWNER sends `force` with a `reason`.
    /// Its guest token stops working (410).
    #[oai(
        path = "/table-sessions/:id/close",
        method = "post",
        operation_id = "close_table_session"
    )]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<CloseSessionRequest>,
    ) -> AppResult<Json<SessionView>> {
        let actor = auth.0.staff()?;
        let force = body.0.force.unwrap_or(false);
        let reason = body.0.reason.map(String::from);
        let session = sessions::close_session(&state.db, actor, id.0, force, reason).await?;
        Ok(Json(session.into()))
    }

    /// Move the guests to a free table: its QR code opens this session from now on, the old
    /// table is free, guest tokens keep working. `409 TABLE_OCCUPIED` when the table is open
    /// (merge instead).
    #[oai(
        path = "/table-sessions/:id/move",
        method = "post",
        operation_id = "move_table_session"
    )]
    async fn move_session(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<MoveSessionRequest>,
    ) -> AppResult<Json<SessionView>> {
        let session =
            sessions::move_session(&state.db, auth.0.staff()?, id.0, body.0.table_id).await?;
        Ok(Json(session.into()))
    }

    /// Merge another open table into this one: its orders move here and it closes (its guest
    /// token then answers `410 SESSION_MERGED`). Answers this session.
    #[oai(
        path = "/table-sessions/:id/merge",
        method = "post",
        operation_id = "merge_table_sessions"
    )]
    async fn merge(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<MergeSessionsRequest>,
    ) -> AppResult<Json<SessionView>> {
        let session =
            sessions::merge_sessions(&state.db, auth.0.staff()?, id.0, body.0.session_id).await?;
        Ok(Json(session.into()))
    }
}

#[derive(Object)]
pub struct MoveSessionRequest {
    /// A free table of the same outlet.
    pub table_id: Uuid,
}

#[derive(Object)]
pub struct MergeSessionsRequest {
    /// The open session to bring into this one.
    pub session_id: Uuid,
}
