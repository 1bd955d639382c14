//! The audit log: `GET /audit` (JSON, or CSV). There is no write, change or delete route:
//! rows are written by the actions they record.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Query},
    payload::{Json, PlainText},
    ApiResponse, Object, OpenApi, ResponseContent,
};
use uuid::Uuid;

use super::{
    csv::{self, Cell},
    ApiTags,
};
use crate::{
    auth::Auth,
    entity::audit_log,
    error::AppResult,
    service::{
        audit::{self, AuditFilter},
        PageRequest,
    },
    state::AppState,
};

pub struct AuditApi;

/// Rows a CSV download holds when it names no `limit`.
pub const MAX_CSV_ROWS: u64 = 10_000;

/// One thing someone did.
#[derive(Object)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    #[oai(nullable)]
    pub outlet_id: Option<Uuid>,
    /// `null` for a failed sign-in with a name that is no account.
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    /// The username (as typed, for a failed sign-in).
    pub actor_name: String,
    /// The MANAGER/OWNER who approved it, when someone did.
    #[oai(nullable)]
    pub approved_by: Option<Uuid>,
    /// Their username as it was.
    #[oai(nullable)]
    pub approved_by_name: Option<String>,
    /// SIGN_IN, SIGN_IN_FAILED, USER_CREATED, USER_CHANGED, ORDER_VOIDED, ITEM_VOIDED,
    /// ITEM_COMPED, DISCOUNT_GIVEN, DISCOUNT_REMOVED, PAYMENT_REFUNDED, DRAWER_OPENED,
    /// RECEIPT_REPRINTED, SHIFT_CLOSED, PRODUCT_CHANGED, PRINTER_ADDED, PRINTER_CHANGED,
    /// PRINTER_REMOVED, PIN_SIGN_IN, PIN_SIGN_IN_FAILED, PIN_CHANGED, DEVICE_ENROLLED,
    /// DEVICE_REVOKED or DEVICE_UNLOCKED.
    pub action: String,
    /// E.g. `order`, `payment`, `user`, `printer`.
    #[oai(nullable)]
    pub object_type: Option<String>,
    #[oai(nullable)]
    pub object_id: Option<String>,
    /// What it was: amounts, reasons, what changed.
    pub details: serde_json::Value,
    #[oai(nullable)]
    pub client_address: Option<String>,
    /// The enrolled tablet it was done on.
    #[oai(nullable)]
    pub device_id: Option<Uuid>,
}

impl From<audit_log::Model> for AuditEntryView {
    fn from(row: audit_log::Model) -> Self {
        AuditEntryView {
            details: serde_json::from_str(&row.details).unwrap_or_default(),
            id: row.id,
            at: row.at,
            outlet_id: row.outlet_id,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            approved_by: row.approved_by,
            approved_by_name: row.approved_by_name,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            client_address: row.client_address,
            device_id: row.device_id,
        }
    }
}

#[derive(Object)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntryView>,
    /// Older entries: pass as `cursor`.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ResponseContent)]
pub enum AuditContent {
    Json(Json<AuditPage>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum AuditResponse {
    #[oai(status = 200)]
    Ok(AuditContent),
}

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// Who did what, newest first: an OWNER sees every outlet's (or `outlet_id`'s), a MANAGER
    /// their own outlet's. JSON, or CSV with `Accept: text/csv` or `format=csv` (without a
    /// `limit`, the CSV holds the newest 10 000 rows that match, not one page).
    #[oai(path = "/audit", method = "get", operation_id = "list_audit")]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        /// One action, e.g. `ITEM_VOIDED`.
        action: Query<Option<String>>,
        /// Only what this staff member did.
        actor: Query<Option<Uuid>>,
        /// From this instant (RFC 3339), inclusive.
        from: Query<Option<DateTime<Utc>>>,
        /// Up to this instant, exclusive.
        to: Query<Option<DateTime<Utc>>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// `csv` or `json` (overrides `Accept`).
        format: Query<Option<String>>,
        #[oai(name = "Accept")] accept: Header<Option<String>>,
    ) -> AppResult<AuditResponse> {
        let wants_csv = match format.0.as_deref() {
            Some(format) => format.eq_ignore_ascii_case("csv"),
            None => accept.0.as_deref().is_some_and(|a| a.contains("text/csv")),
        };
        let mut page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        if wants_csv && limit.0.is_none() {
            // A download is for a spreadsheet: the whole range asked for, within reason.
            page.limit = MAX_CSV_ROWS;
        }
        let filter = AuditFilter {
            outlet_id: outlet_id.0,
            action: action.0,
            actor_id: actor.0,
            from: from.0,
            to: to.0,
        };
        let found = audit::list(&state.db, auth.0.staff()?, filter, page).await?;
        if wants_csv {
            return Ok(AuditResponse::Ok(AuditContent::Csv(PlainText(audit_csv(
                &found.items,
            )?))));
        }
        Ok(AuditResponse::Ok(AuditContent::Json(Json(AuditPage {
            items: found.items.into_iter().map(Into::into).collect(),
            next_cursor: found.next_cursor,
        }))))
    }
}

fn audit_csv(rows: &[audit_log::Model]) -> AppResult<String> {
    let at: Vec<String> = rows.iter().map(|r| r.at.to_rfc3339()).collect();
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.outlet_id.map(|id| id.to_string()).unwrap_or_default())
        .collect();
    let lines = rows.iter().zip(&at).zip(&ids).map(|((row, at), outlet)| {
        vec![
            Cell::Text(at),
            Cell::Text(outlet),
            Cell::Text(&row.actor_name),
            Cell::Text(row.approved_by_name.as_deref().unwrap_or("")),
            Cell::Text(&row.action),
            Cell::Text(row.object_type.as_deref().unwrap_or("")),
            Cell::Text(row.object_id.as_deref().unwrap_or("")),
            Cell::Text(&row.details),
            Cell::Text(row.client_address.as_deref().unwrap_or("")),
        ]
    });
    csv::render(
        &[
            "at",
            "outlet_id",
            "actor",
            "approved_by",
            "action",
            "object_type",
            "object_id",
            "details",
            "client_address",
        ],
        lines,
    )
}
