//! Payments: `POST/GET /orders/{id}/payments`, `POST /table-sessions/{id}/payments` (the
//! whole table at once), `POST /payments/{id}/refund`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path},
    payload::Json,
    types::ToJSON,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{orders::OrderView, text::Text, ApiTags};
use crate::{
    auth::Auth,
    domain::PaymentMethod,
    entity::payment,
    error::AppResult,
    service::{
        idempotency::IdempotencyKey,
        payments::{self, NewPayment},
    },
    state::AppState,
};

pub struct PaymentsApi;

#[derive(Object)]
pub struct PaymentView {
    pub id: Uuid,
    pub order_id: Uuid,
    /// The shift (drawer) it was taken on.
    #[oai(nullable)]
    pub shift_id: Option<Uuid>,
    pub method: PaymentMethod,
    /// What counts against the order.
    pub amount: i64,
    /// Cash handed over.
    #[oai(nullable)]
    pub tendered: Option<i64>,
    /// Cash given back: `tendered − amount`.
    pub change: i64,
    #[oai(nullable)]
    pub reference: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub refunded_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub refund_reason: Option<String>,
    /// The drawer a cash refund came out of.
    #[oai(nullable)]
    pub refund_shift_id: Option<Uuid>,
}

impl From<payment::Model> for PaymentView {
    fn from(p: payment::Model) -> Self {
        PaymentView {
            id: p.id,
            order_id: p.order_id,
            shift_id: p.shift_id,
            method: p.method,
            amount: p.amount,
            tendered: p.tendered,
            change: p.change_amount,
            reference: p.reference,
            created_by: p.created_by,
            created_at: p.created_at,
            refunded_at: p.refunded_at,
            refund_reason: p.refund_reason,
            refund_shift_id: p.refund_shift_id,
        }
    }
}

#[derive(Object)]
pub struct PaymentRequest {
    /// CASH | CARD | QRIS | TRANSFER | OTHER
    pub method: PaymentMethod,
    /// More than 0 and at most what is outstanding.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000000")))]
    pub amount: i64,
    /// CASH only: what the customer handed over (≥ amount); the rest is change.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub tendered: Option<i64>,
    /// Card slip or transfer reference.
    #[oai(validator(max_length = 100))]
    #[oai(nullable)]
    pub reference: Option<Text>,
}

impl From<PaymentRequest> for NewPayment {
    fn from(b: PaymentRequest) -> Self {
        NewPayment {
            method: b.method,
            amount: b.amount,
            tendered: b.tendered,
            reference: b.reference.map(String::from),
        }
    }
}

#[derive(Object)]
pub struct RefundRequest {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: Text,
}

#[derive(Object)]
pub struct PaymentList {
    pub items: Vec<PaymentView>,
}

/// What paying a whole table did.
#[derive(Object)]
pub struct TablePaymentView {
    /// Shared by these payments.
    pub batch_id: Uuid,
    pub amount: i64,
    /// Cash to hand back.
    pub change_amount: i64,
    /// One per order paid, oldest order first.
    pub payments: Vec<PaymentView>,
    /// The orders paid, as they are now.
    pub orders: Vec<OrderView>,
}

#[derive(ApiResponse)]
pub enum TablePaymentResponse {
    /// Recorded (also for a retry with the same `Idempotency-Key`).
    #[oai(status = 201)]
    Created(Json<TablePaymentView>),
}

#[derive(ApiResponse)]
pub enum PaymentResponse {
    /// Recorded (also for a retry with the same `Idempotency-Key`).
    #[oai(status = 201)]
    Created(Json<PaymentView>),
}

#[OpenApi(tag = "ApiTags::Payments")]
impl PaymentsApi {
    /// Take a payment. Cash needs your open shift at the order's outlet
    /// (`409 NO_OPEN_SHIFT`); split tender is several payments. Paying a voided or fully paid
    /// order is 409; more than is outstanding is 400.
    #[oai(
        path = "/orders/:id/payments",
        method = "post",
        operation_id = "create_payment"
    )]
    async fn pay(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Any unique string per payment attempt; a retry reuses it.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<PaymentRequest>,
    ) -> AppResult<PaymentResponse> {
        let actor = auth.0.staff()?;
        let key = IdempotencyKey::from_header(
            "create_payment",
            actor.user_id,
            idempotency_key.0.as_deref(),
            || format!("{}:{}", id.0, body.0.to_json_string()),
        )?;
        let input = NewPayment::from(body.0);
        let payment =
            payments::take_payment(&state.db, actor, id.0, input, key, &state.public_url).await?;
        Ok(PaymentResponse::Created(Json(payment.into())))
    }

    /// Pay the whole table at once: `amount` settles the session's unpaid orders oldest first
    /// (the last may stay partly paid), one payment per order, in one transaction. Cash needs
    /// your open shift; more than the table's outstanding is 400, nothing left is
    /// `409 NOTHING_TO_PAY`. Send an `Idempotency-Key`: a retry answers the same payments.
    #[oai(
        path = "/table-sessions/:id/payments",
        method = "post",
        operation_id = "pay_table_session"
    )]
    async fn pay_table(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Any unique string per payment attempt; a retry reuses it.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<PaymentRequest>,
    ) -> AppResult<TablePaymentResponse> {
        let actor = auth.0.staff()?;
        let key = IdempotencyKey::from_header(
            "pay_table_session",
            actor.user_id,
            idempotency_key.0.as_deref(),
            || format!("{}:{}", id.0, body.0.to_json_string()),
        )?;
        let input = NewPayment::from(body.0);
        let paid =
            payments::pay_session(&state.db, actor, id.0, input, key, &state.public_url).await?;
        Ok(TablePaymentResponse::Created(Json(TablePaymentView {
            batch_id: paid.batch_id,
            amount: paid.amount,
            change_amount: paid.change,
            payments: paid.payments.into_iter().map(PaymentView::from).collect(),
            orders: paid.orders.into_iter().map(OrderView::from).collect(),
        })))
    }

    /// The order's payments, oldest first.
    #[oai(
        path = "/orders/:id/payments",
        method = "get",
        operation_id = "list_payments"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<PaymentList>> {
        let items = payments::list_payments(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(PaymentList {
            items: items.into_iter().map(PaymentView::from).collect(),
        }))
    }

    /// Refund a payment once. Cash is paid out of the payment's shift while
    /// open, else out of your open shift at that outlet. MANAGER/OWNER, or anyone with a
    /// manager's `X-Approval` for `REFUND` of this order (`403 APPROVAL_REQUIRED`).
    #[oai(
        path = "/payments/:id/refund",
        method = "post",
        operation_id = "refund_payment"
    )]
    async fn refund(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RefundRequest>,
        #[oai(name = "X-Approval")] approval: Header<Option<String>>,
    ) -> AppResult<Json<PaymentView>> {
        let actor = auth.0.staff()?;
        let approval = approval.0.as_deref();
        let refunded = payments::refund(&state.db, actor, id.0, &body.0.reason, approval).await?;
        Ok(Json(refunded.into()))
    }
}
