//! Cashier shifts: `POST /shifts/open`, `POST /shifts/close`, `GET /shifts/current`,
//! `GET /shifts`, `GET /shifts/{id}`, `POST /shifts/{id}/cash-movements`, `GET /shifts/{id}/report`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    types::ToJSON,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{payments::PaymentView, text::Text, ApiTags};
use crate::{
    auth::Auth,
    domain::{CashMovementKind, PaymentMethod, ShiftStatus},
    entity::{cash_movement, shift},
    error::AppResult,
    service::{
        idempotency::IdempotencyKey,
        reports,
        shifts::{self, OpenShift, ShiftFilter},
        PageRequest,
    },
    state::AppState,
};

pub struct ShiftsApi;

/// A cashier's drawer session. Money in the smallest currency unit.
#[derive(Object)]
pub struct ShiftView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub user_id: Uuid,
    pub status: ShiftStatus,
    pub start_cash: i64,
    /// Counted at close.
    #[oai(nullable)]
    pub end_cash: Option<i64>,
    /// start + cash payments − cash refunds + pay-ins − pay-outs (set at close).
    #[oai(nullable)]
    pub expected_cash: Option<i64>,
    /// `end_cash − expected_cash` (negative: cash is missing).
    #[oai(nullable)]
    pub cash_difference: Option<i64>,
    #[oai(nullable)]
    pub note: Option<String>,
    pub opened_by: Uuid,
    pub opened_at: DateTime<Utc>,
    #[oai(nullable)]
    pub closed_by: Option<Uuid>,
    #[oai(nullable)]
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<shift::Model> for ShiftView {
    fn from(s: shift::Model) -> Self {
        ShiftView {
            id: s.id,
            outlet_id: s.outlet_id,
            user_id: s.user_id,
            status: s.status,
            start_cash: s.start_cash,
            end_cash: s.end_cash,
            expected_cash: s.expected_cash,
            cash_difference: s.cash_difference,
            note: s.note,
            opened_by: s.opened_by,
            opened_at: s.opened_at,
            closed_by: s.closed_by,
            closed_at: s.closed_at,
        }
    }
}

#[derive(Object)]
pub struct ShiftPage {
    pub items: Vec<ShiftView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct OpenShiftRequest {
    pub outlet_id: Uuid,
    /// Cash in the drawer at the start (0 is fine).
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub start_cash: i64,
    /// Open for another cashier. Default: yourself.
    #[oai(nullable)]
    pub user_id: Option<Uuid>,
}

#[derive(Object)]
pub struct CloseShiftRequest {
    pub shift_id: Uuid,
    /// Cash counted in the drawer.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub end_cash: i64,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub note: Option<Text>,
}

#[derive(Object)]
pub struct CashMovementRequest {
    pub kind: CashMovementKind,
    /// More than 0.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000000")))]
    pub amount: i64,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: Text,
}

#[derive(Object)]
pub struct CashMovementView {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub kind: CashMovementKind,
    pub amount: i64,
    pub reason: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<cash_movement::Model> for CashMovementView {
    fn from(m: cash_movement::Model) -> Self {
        CashMovementView {
            id: m.id,
            shift_id: m.shift_id,
            kind: m.kind,
            amount: m.amount,
            reason: m.reason,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

#[derive(Object)]
pub struct MethodTotalView {
    pub method: PaymentMethod,
    pub count: i64,
    pub amount: i64,
}

#[derive(Object)]
pub struct VoidView {
    pub order_id: Uuid,
    pub number: i32,
    pub total_amount: i64,
    #[oai(nullable)]
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// The Z-report: what went through one drawer.
#[derive(Object)]
pub struct ZReportView {
    pub shift: ShiftView,
    pub cashier: String,
    /// Payments taken on this shift by method (refunded ones included).
    pub payments_by_method: Vec<MethodTotalView>,
    /// Refunds of this shift's payments, and cash refunds paid from its drawer.
    pub refunds: Vec<PaymentView>,
    pub cash_movements: Vec<CashMovementView>,
    /// Orders the cashier voided during the shift.
    pub voids: Vec<VoidView>,
    /// Items the cashier voided or comped, and discounts they gave, during the shift.
    pub corrections: Vec<super::reports::CorrectionView>,
    pub start_cash: i64,
    pub cash_payments: i64,
    pub cash_refunds: i64,
    pub pay_ins: i64,
    pub pay_outs: i64,
    pub expected_cash: i64,
    /// `null` while the shift is open.
    #[oai(nullable)]
    pub counted_cash: Option<i64>,
    #[oai(nullable)]
    pub cash_difference: Option<i64>,
}

#[derive(ApiResponse)]
pub enum OpenShiftResponse {
    #[oai(status = 201)]
    Opened(Json<ShiftView>),
}

#[derive(ApiResponse)]
pub enum CashMovementResponse {
    #[oai(status = 201)]
    Recorded(Json<CashMovementView>),
}

#[OpenApi(tag = "ApiTags::Shifts")]
impl ShiftsApi {
    /// Open a shift with the drawer's starting cash. One open shift per
    /// user (409). Opening for another user needs MANAGER/OWNER.
    #[oai(path = "/shifts/open", method = "post", operation_id = "open_shift")]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: Json<OpenShiftRequest>,
    ) -> AppResult<OpenShiftResponse> {
        let actor = auth.0.staff()?;
        let key = IdempotencyKey::from_header(
            "open_shift",
            actor.user_id,
            idempotency_key.0.as_deref(),
            || body.0.to_json_string(),
        )?;
        let input = OpenShift {
            outlet_id: body.0.outlet_id,
            start_cash: body.0.start_cash,
            user_id: body.0.user_id,
        };
        let shift = shifts::open_shift(&state.db, actor, input, key).await?;
        Ok(OpenShiftResponse::Opened(Json(shift.into())))
    }

    /// Close a shift with the counted cash; answers with expected cash and the difference.
    /// Its cashier or a MANAGER/OWNER; closing twice is 409.
    #[oai(path = "/shifts/close", method = "post", operation_id = "close_shift")]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: Json<CloseShiftRequest>,
    ) -> AppResult<Json<ShiftView>> {
        let actor = auth.0.staff()?;
        let key = IdempotencyKey::from_header(
            "close_shift",
            actor.user_id,
            idempotency_key.0.as_deref(),
            || body.0.to_json_string(),
        )?;
        let b = body.0;
        let note = b.note.map(String::from);
        let shift =
            shifts::close_shift(&state.db, actor, b.shift_id, b.end_cash, note, key).await?;
        Ok(Json(shift.into()))
    }

    /// Your open shift at your outlet, or 404.
    #[oai(
        path = "/shifts/current",
        method = "get",
        operation_id = "current_shift"
    )]
    async fn current(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<ShiftView>> {
        Ok(Json(
            shifts::current_shift(&state.db, auth.0.staff()?)
                .await?
                .into(),
        ))
    }

    /// Shifts, oldest first: MANAGER/OWNER see their outlet's, others their own at their outlet.
    #[oai(path = "/shifts", method = "get", operation_id = "list_shifts")]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        user_id: Query<Option<Uuid>>,
        status: Query<Option<ShiftStatus>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<ShiftPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let filter = ShiftFilter {
            outlet_id: outlet_id.0,
            user_id: user_id.0,
            status: status.0,
        };
        let page = shifts::list_shifts(&state.db, auth.0.staff()?, filter, page).await?;
        Ok(Json(ShiftPage {
            items: page.items.into_iter().map(ShiftView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One shift of your outlet: your own, or any for MANAGER/OWNER.
    #[oai(path = "/shifts/:id", method = "get", operation_id = "get_shift")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<ShiftView>> {
        Ok(Json(
            shifts::get_shift(&state.db, auth.0.staff()?, id.0)
                .await?
                .into(),
        ))
    }

    /// Record cash put into (PAY_IN) or taken out of (PAY_OUT) an open shift's drawer.
    #[oai(
        path = "/shifts/:id/cash-movements",
        method = "post",
        operation_id = "add_cash_movement"
    )]
    async fn cash_movement(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<CashMovementRequest>,
    ) -> AppResult<CashMovementResponse> {
        let b = body.0;
        let movement = shifts::add_cash_movement(
            &state.db,
            auth.0.staff()?,
            id.0,
            b.kind,
            b.amount,
            &b.reason,
        )
        .await?;
        Ok(CashMovementResponse::Recorded(Json(movement.into())))
    }

    /// The Z-report: payments by method, refunds, pay-ins/outs, voids, expected vs counted cash.
    #[oai(
        path = "/shifts/:id/report",
        method = "get",
        operation_id = "shift_report"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<ZReportView>> {
        let r = reports::z_report(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(ZReportView {
            start_cash: r.shift.start_cash,
            cash_payments: r.drawer.cash_payments,
            cash_refunds: r.drawer.cash_refunds,
            pay_ins: r.drawer.pay_ins,
            pay_outs: r.drawer.pay_outs,
            expected_cash: r.expected_cash,
            counted_cash: r.shift.end_cash,
            cash_difference: r.shift.cash_difference,
            cashier: r.cashier,
            payments_by_method: r
                .payments
                .into_iter()
                .map(|m| MethodTotalView {
                    method: m.method,
                    count: m.count,
                    amount: m.amount,
                })
                .collect(),
            refunds: r.refunds.into_iter().map(PaymentView::from).collect(),
            cash_movements: r
                .cash_movements
                .into_iter()
                .map(CashMovementView::from)
                .collect(),
            voids: r
                .voids
                .into_iter()
                .map(|v| VoidView {
                    order_id: v.order_id,
                    number: v.number,
                    total_amount: v.total_amount,
                    reason: v.reason,
                    at: v.at,
                })
                .collect(),
            corrections: r
                .corrections
                .into_iter()
                .map(super::reports::CorrectionView::from)
                .collect(),
            shift: r.shift.into(),
        }))
    }
}
