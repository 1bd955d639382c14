//! Payments against orders (split tender, cash with change) and their refunds.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    approvals::{self, ApprovalAction},
    audit::{self, AuditAction},
    check_amount, check_positive_amount, clean_optional, clean_text,
    events::{self, Event},
    idempotency::{self, Claim, IdempotencyKey},
    orders, printing, shifts, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Staff},
    db::Db,
    domain::{self, OrderStatus, PaymentMethod, PaymentStatus, ShiftStatus},
    entity::{order, payment, table_session},
    error::{AppError, AppResult},
};

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub method: PaymentMethod,
    /// What counts against the order; never more than is outstanding.
    pub amount: i64,
    /// Cash handed over; the excess is change.
    pub tendered: Option<i64>,
    pub reference: Option<String>,
}

fn no_open_shift() -> AppError {
    AppError::conflict(
        "NO_OPEN_SHIFT",
        "open a shift at this outlet before handling cash",
    )
}

/// Takes a payment. `paid_amount` moves with a conditional update in the same transaction,
/// so racing payments can never pay more than the total.
pub async fn take_payment(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    input: NewPayment,
    key: Option<IdempotencyKey>,
    public_url: &str,
) -> AppResult<payment::Model> {
    actor.authorize(Action::TakePayment)?;
    // A replay answers like reading the order's payments: 404 once the order is out of sight.
    if let Some(earlier) = idempotency::earlier(db, key.as_ref()).await? {
        return visible_payment(db, actor, earlier).await;
    }
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    let change = change_of(&input)?;
    let reference = clean_optional("reference", input.reference, 100)?;

    let payment_id = Uuid::now_v7();
    let txn = match idempotency::claim(db, key.as_ref(), payment_id).await? {
        Claim::Fresh(txn) => txn,
        Claim::Earlier(earlier) => return visible_payment(db, actor, earlier).await,
    };
    let shift = drawer_for(&txn, actor, order.outlet_id, input.method).await?;
    let payment = Tender {
        method: input.method,
        amount: input.amount,
        tendered: input.tendered,
        change,
        reference,
        shift_id: shift,
        batch_id: None,
    };
    let (payment, paid) = match pay_order(&txn, actor, &order, payment_id, payment, None).await {
        Ok(paid) => paid,
        Err(Unpaid::Refused(why)) => return Err(why),
        Err(Unpaid::Missed) => {
            drop(txn);
            return Err(why_unpaid(&orders::find_order(db.conn(), order.id).await?));
        }
    };
    let settled = (paid.payment_status == PaymentStatus::Paid).then_some(paid.id);
    printing::queue_after_payment(
        &txn,
        paid.outlet_id,
        settled.as_slice(),
        input.method == PaymentMethod::Cash,
        &actor.username,
        public_url,
    )
    .await?;
    txn.commit().await?;
    Ok(payment)
}

/// Checks the amount and tendered cash; the change to hand back.
fn change_of(input: &NewPayment) -> AppResult<i64> {
    check_positive_amount("amount", input.amount)?;
    Ok(match (input.method, input.tendered) {
        (PaymentMethod::Cash, Some(tendered)) => {
            check_amount("tendered", tendered)?;
            if tendered < input.amount {
                return Err(AppError::validation(
                    "tendered",
                    "tendered cash is less than the amount",
                ));
            }
            tendered - input.amount
        }
        (PaymentMethod::Cash, None) => 0,
        (_, Some(_)) => {
            return Err(AppError::validation(
                "tendered",
                "tendered applies to cash payments only",
            ))
        }
        (_, None) => 0,
    })
}

/// The actor's open shift at the outlet, which any cash must go through.
async fn drawer_for(
    txn: &DatabaseTransaction,
    actor: &Staff,
    outlet_id: Uuid,
    method: PaymentMethod,
) -> AppResult<Option<Uuid>> {
    let shift = shifts::open_shift_of(txn, actor.user_id, outlet_id).await?;
    if method == PaymentMethod::Cash && shift.is_none() {
        return Err(no_open_shift());
    }
    Ok(shift.map(|s| s.id))
}

/// One payment as it is written.
struct Tender {
    method: PaymentMethod,
    amount: i64,
    tendered: Option<i64>,
    change: i64,
    reference: Option<String>,
    shift_id: Option<Uuid>,
    batch_id: Option<Uuid>,
}

/// Why a payment of an order was not written.
enum Unpaid {
    Refused(AppError),
    /// The conditional update missed: the order changed, is voided or would be overpaid.
    Missed,
}

impl From<AppError> for Unpaid {
    fn from(e: AppError) -> Self {
        Unpaid::Refused(e)
    }
}

impl From<sea_orm::DbErr> for Unpaid {
    fn from(e: sea_orm::DbErr) -> Self {
        Unpaid::Refused(e.into())
    }
}

/// Pays `tender.amount` on the order, inside `txn`. `paid_amount` moves with an update
/// conditional on what is outstanding (and on `version`, when given), so racing payments can
/// never pay more than the total.
async fn pay_order(
    txn: &DatabaseTransaction,
    actor: &Staff,
    order: &order::Model,
    payment_id: Uuid,
    tender: Tender,
    version: Option<i32>,
) -> Result<(payment::Model, order::Model), Unpaid> {
    let mut paid = order::Entity::update_many()
        .col_expr(
            order::Column::PaidAmount,
            Expr::col(order::Column::PaidAmount).add(tender.amount),
        )
        .col_expr(
            order::Column::Version,
            Expr::col(order::Column::Version).add(1),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(order::Column::Id.eq(order.id))
        .filter(order::Column::Status.ne(OrderStatus::Voided))
        .filter(
            Expr::col(order::Column::PaidAmount)
                .add(tender.amount)
                .lte(Expr::col(order::Column::TotalAmount)),
        );
    if let Some(version) = version {
        paid = paid.filter(order::Column::Version.eq(version));
    }
    if paid.exec(txn).await?.rows_affected != 1 {
        return Err(Unpaid::Missed);
    }
    let order = settle_status(txn, order.id).await?;
    printing::give_receipt_token(txn, &order).await?;
    let payment = payment::ActiveModel {
        id: Set(payment_id),
        order_id: Set(order.id),
        outlet_id: Set(order.outlet_id),
        shift_id: Set(tender.shift_id),
        method: Set(tender.method),
        amount: Set(tender.amount),
        tendered: Set(tender.tendered),
        change_amount: Set(tender.change),
        reference: Set(tender.reference),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        refunded_at: Set(None),
        refunded_by: Set(None),
        refund_reason: Set(None),
        refund_shift_id: Set(None),
        batch_id: Set(tender.batch_id),
    }
    .insert(txn)
    .await?;
    paid_event(txn, &order, &payment, false).await?;
    Ok((payment, order))
}

/// Why a payment found the order unpayable, as it is now.
fn why_unpaid(now_is: &order::Model) -> AppError {
    if now_is.status == OrderStatus::Voided {
        AppError::conflict("ORDER_VOIDED", "a voided order cannot be paid")
    } else if now_is.paid_amount >= now_is.total_amount {
        AppError::conflict("ORDER_ALREADY_PAID", "this order is fully paid")
    } else {
        AppError::validation(
            "amount",
            format!(
                "amount exceeds the outstanding {}",
                now_is.total_amount - now_is.paid_amount
            ),
        )
    }
}

/// What paying a whole table did.
#[derive(Debug, Clone)]
pub struct TablePayment {
    pub batch_id: Uuid,
    /// One per order paid, oldest order first.
    pub payments: Vec<payment::Model>,
    pub amount: i64,
    pub change: i64,
    /// The orders paid, as they are now.
    pub orders: Vec<orders::OrderDetails>,
}

/// Pays a table at once: `amount` settles the session's unpaid orders oldest first (the last
/// one may stay partly paid), one payment per order sharing a `batch_id`, in one transaction.
/// With an `Idempotency-Key` a retry answers the same payments and pays nothing more.
pub async fn pay_session(
    db: &Db,
    actor: &Staff,
    session_id: Uuid,
    input: NewPayment,
    key: Option<IdempotencyKey>,
    public_url: &str,
) -> AppResult<TablePayment> {
    actor.authorize(Action::TakePayment)?;
    if let Some(earlier) = idempotency::earlier(db, key.as_ref()).await? {
        return table_payment(db, actor, earlier).await;
    }
    let session = table_session::Entity::find_by_id(session_id)
        .one(db.conn())
        .await?
        .filter(|s| actor.sees_outlet(s.outlet_id))
        .ok_or_else(|| AppError::not_found("table session"))?;
    let change = change_of(&input)?;
    let reference = clean_optional("reference", input.reference, 100)?;

    let batch_id = Uuid::now_v7();
    let txn = match idempotency::claim(db, key.as_ref(), batch_id).await? {
        Claim::Fresh(txn) => txn,
        Claim::Earlier(earlier) => return table_payment(db, actor, earlier).await,
    };
    let shift_id = drawer_for(&txn, actor, session.outlet_id, input.method).await?;
    // Locks the session: a second "pay the table" waits for this one, and the table cannot
    // close or merge meanwhile.
    table_session::Entity::find_by_id(session.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let unpaid: Vec<order::Model> = super::sessions::session_orders(&txn, session.id)
        .await?
        .into_iter()
        .filter(|o| o.status != OrderStatus::Voided && o.paid_amount < o.total_amount)
        .collect();
    let outstanding: i64 = unpaid.iter().map(|o| o.total_amount - o.paid_amount).sum();
    if outstanding == 0 {
        return Err(AppError::conflict(
            "NOTHING_TO_PAY",
            "every order of this table is paid or voided",
        ));
    }
    if input.amount > outstanding {
        return Err(AppError::validation(
            "amount",
            format!("amount exceeds the table's outstanding {outstanding}"),
        ));
    }
    let mut left = input.amount;
    let mut payments = Vec::new();
    let mut settled = Vec::new();
    for order in &unpaid {
        if left == 0 {
            break;
        }
        let part = std::cmp::min(left, order.total_amount - order.paid_amount);
        left -= part;
        let last = left == 0;
        // The cash handed over and the change belong to the whole table: on the last payment.
        let tender = Tender {
            method: input.method,
            amount: part,
            tendered: input.tendered.filter(|_| last).map(|_| part + change),
            change: if last { change } else { 0 },
            reference: reference.clone(),
            shift_id,
            batch_id: Some(batch_id),
        };
        match pay_order(
            &txn,
            actor,
            order,
            Uuid::now_v7(),
            tender,
            Some(order.version),
        )
        .await
        {
            Ok((payment, paid)) => {
                if paid.payment_status == PaymentStatus::Paid {
                    settled.push(paid.id);
                }
                payments.push(payment);
            }
            Err(Unpaid::Refused(why)) => return Err(why),
            Err(Unpaid::Missed) => {
                return Err(AppError::conflict(
                    "ORDER_VERSION_CONFLICT",
                    format!(
                        "order #{} changed meanwhile; reload the table and retry",
                        order.number
                    ),
                ))
            }
        }
    }
    printing::queue_after_payment(
        &txn,
        session.outlet_id,
        &settled,
        input.method == PaymentMethod::Cash,
        &actor.username,
        public_url,
    )
    .await?;
    txn.commit().await?;
    let orders = orders_of(db, &payments).await?;
    Ok(TablePayment {
        batch_id,
        amount: input.amount,
        change,
        payments,
        orders,
    })
}

/// A table payment made earlier, read again (its payments share the batch id).
async fn table_payment(db: &Db, actor: &Staff, batch_id: Uuid) -> AppResult<TablePayment> {
    let payments = payment::Entity::find()
        .filter(payment::Column::BatchId.eq(batch_id))
        .order_by_asc(payment::Column::Id)
        .all(db.conn())
        .await?;
    let first = payments
        .first()
        .ok_or_else(|| AppError::not_found("payment"))?;
    orders::staff_order(db.conn(), actor, first.order_id).await?;
    Ok(TablePayment {
        batch_id,
        amount: payments.iter().map(|p| p.amount).sum(),
        change: payments.iter().map(|p| p.change_amount).sum(),
        orders: orders_of(db, &payments).await?,
        payments,
    })
}

/// The paid orders with their items, oldest first (as they were paid), in one read each of
/// orders and their parts.
async fn orders_of(db: &Db, payments: &[payment::Model]) -> AppResult<Vec<orders::OrderDetails>> {
    let paid = order::Entity::find()
        .filter(order::Column::Id.is_in(payments.iter().map(|p| p.order_id)))
        .order_by_asc(order::Column::Id)
        .all(db.conn())
        .await?;
    orders::with_items(db.conn(), paid).await
}

/// Recomputes the order's payment status from its paid amount (inside the transaction).
async fn settle_status(txn: &DatabaseTransaction, order_id: Uuid) -> AppResult<order::Model> {
    let current = order::Entity::find_by_id(order_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("order"))?;
    // Refunds only tell REFUNDED from UNPAID once nothing stays paid; skip the query otherwise.
    let any_refund = current.paid_amount <= 0
        && payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order_id))
            .filter(payment::Column::RefundedAt.is_not_null())
            .one(txn)
            .await?
            .is_some();
    let status = domain::payment_status(current.paid_amount, current.total_amount, any_refund);
    if status == current.payment_status {
        return Ok(current);
    }
    let mut model: order::ActiveModel = current.into();
    model.payment_status = Set(status);
    Ok(model.update(txn).await?)
}

async fn paid_event(
    txn: &DatabaseTransaction,
    order: &order::Model,
    payment: &payment::Model,
    refund: bool,
) -> AppResult<()> {
    events::record(
        txn,
        Event::OrderPaid {
            order,
            payment,
            refund,
        },
    )
    .await?;
    Ok(())
}

/// Refunds a payment once (MANAGER, OWNER). Cash comes out of the payment's shift while it is
/// open, else out of the refunder's open shift at that outlet.
pub async fn refund(
    db: &Db,
    actor: &Staff,
    payment_id: Uuid,
    reason: &str,
    approval: Option<&str>,
) -> AppResult<payment::Model> {
    let payment = load(db, payment_id).await?;
    if !actor.sees_outlet(payment.outlet_id) {
        return Err(AppError::not_found("payment"));
    }
    // Money goes back through a till: only those who take it may refund, with approval.
    actor.authorize(Action::TakePayment)?;
    approvals::precheck(actor, ApprovalAction::Refund, approval)?;
    let reason = clean_text("reason", reason, MAX_NOTE_LEN)?;
    if reason.is_empty() {
        return Err(AppError::validation("reason", "a refund needs a reason"));
    }

    let txn = db.begin().await?;
    let approver = approvals::authorize(
        &txn,
        actor,
        ApprovalAction::Refund,
        Some(payment.order_id),
        approval,
    )
    .await?;
    let refund_shift = if payment.method == PaymentMethod::Cash {
        let original = match payment.shift_id {
            Some(id) => {
                Some(shifts::lock_shift(&txn, id).await?).filter(|s| s.status == ShiftStatus::Open)
            }
            None => None,
        };
        let drawer = match original {
            Some(shift) => Some(shift),
            None => shifts::open_shift_of(&txn, actor.user_id, payment.outlet_id).await?,
        };
        Some(drawer.ok_or_else(no_open_shift)?.id)
    } else {
        None
    };
    let now = Utc::now();
    let marked = payment::Entity::update_many()
        .col_expr(payment::Column::RefundedAt, Expr::value(now))
        .col_expr(payment::Column::RefundedBy, Expr::value(actor.user_id))
        .col_expr(payment::Column::RefundReason, Expr::value(reason.clone()))
        .col_expr(payment::Column::RefundShiftId, Expr::value(refund_shift))
        .filter(payment::Column::Id.eq(payment.id))
        .filter(payment::Column::RefundedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Err(AppError::conflict(
            "PAYMENT_ALREADY_REFUNDED",
            "this payment was already refunded",
        ));
    }
    let entry = audit::Entry::by(actor, Some(payment.outlet_id), AuditAction::PaymentRefunded)
        .approved(approver.as_ref())
        .on("payment", payment.id)
        .details(serde_json::json!({
            "order_id": payment.order_id,
            "number": orders::find_order(&txn, payment.order_id).await?.number,
            "method": payment.method.as_str(),
            "amount": payment.amount,
            "reason": reason,
        }));
    audit::record(&txn, entry).await?;
    order::Entity::update_many()
        .col_expr(
            order::Column::PaidAmount,
            Expr::col(order::Column::PaidAmount).sub(payment.amount),
        )
        .col_expr(
            order::Column::Version,
            Expr::col(order::Column::Version).add(1),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(payment.order_id))
        .exec(&txn)
        .await?;
    let order = settle_status(&txn, payment.order_id).await?;
    let refunded = payment::Entity::find_by_id(payment.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("payment"))?;
    paid_event(&txn, &order, &refunded, true).await?;
    txn.commit().await?;
    Ok(refunded)
}

/// The order's payments, oldest first (staff of its outlet).
pub async fn list_payments(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
) -> AppResult<Vec<payment::Model>> {
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    Ok(payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order.id))
        .order_by_asc(payment::Column::Id)
        .all(db.conn())
        .await?)
}

/// A payment as `GET /orders/{id}/payments` shows it: only if the actor sees its order (404
/// "order not found" otherwise, as that read answers).
async fn visible_payment(db: &Db, actor: &Staff, id: Uuid) -> AppResult<payment::Model> {
    let payment = load(db, id).await?;
    orders::staff_order(db.conn(), actor, payment.order_id).await?;
    Ok(payment)
}

async fn load(db: &Db, id: Uuid) -> AppResult<payment::Model> {
    payment::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("payment"))
}
