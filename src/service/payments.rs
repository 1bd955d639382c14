//! Payments against orders (split tender, cash with change) and their refunds.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{
    check_amount, check_positive_amount, clean_optional, clean_text,
    events::{self, Event},
    idempotency::{self, Claim, IdempotencyKey},
    orders, shifts, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Staff},
    db::Db,
    domain::{self, OrderStatus, PaymentMethod, ShiftStatus},
    entity::{order, payment},
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
) -> AppResult<payment::Model> {
    actor.authorize(Action::TakePayment)?;
    // A replay answers like reading the order's payments: 404 once the order is out of sight.
    if let Some(earlier) = idempotency::earlier(db, key.as_ref()).await? {
        return visible_payment(db, actor, earlier).await;
    }
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    check_positive_amount("amount", input.amount)?;
    let change = match (input.method, input.tendered) {
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
    };
    let reference = clean_optional("reference", input.reference, 100)?;

    let payment_id = Uuid::now_v7();
    let txn = match idempotency::claim(db, key.as_ref(), payment_id).await? {
        Claim::Fresh(txn) => txn,
        Claim::Earlier(earlier) => return visible_payment(db, actor, earlier).await,
    };
    let shift = shifts::open_shift_of(&txn, actor.user_id, order.outlet_id).await?;
    if input.method == PaymentMethod::Cash && shift.is_none() {
        return Err(no_open_shift());
    }

    let paid = order::Entity::update_many()
        .col_expr(
            order::Column::PaidAmount,
            Expr::col(order::Column::PaidAmount).add(input.amount),
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
                .add(input.amount)
                .lte(Expr::col(order::Column::TotalAmount)),
        )
        .exec(&txn)
        .await?;
    if paid.rows_affected != 1 {
        drop(txn);
        let now_is = orders::find_order(db.conn(), order.id).await?;
        return Err(if now_is.status == OrderStatus::Voided {
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
        });
    }
    let order = settle_status(&txn, order.id).await?;
    let payment = payment::ActiveModel {
        id: Set(payment_id),
        order_id: Set(order.id),
        outlet_id: Set(order.outlet_id),
        shift_id: Set(shift.map(|s| s.id)),
        method: Set(input.method),
        amount: Set(input.amount),
        tendered: Set(input.tendered),
        change_amount: Set(change),
        reference: Set(reference),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        refunded_at: Set(None),
        refunded_by: Set(None),
        refund_reason: Set(None),
        refund_shift_id: Set(None),
    }
    .insert(&txn)
    .await?;
    paid_event(&txn, &order, &payment, false).await?;
    txn.commit().await?;
    Ok(payment)
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
) -> AppResult<payment::Model> {
    let payment = load(db, payment_id).await?;
    if !actor.sees_outlet(payment.outlet_id) {
        return Err(AppError::not_found("payment"));
    }
    actor.authorize(Action::Refund)?;
    let reason = clean_text("reason", reason, MAX_NOTE_LEN)?;
    if reason.is_empty() {
        return Err(AppError::validation("reason", "a refund needs a reason"));
    }

    let txn = db.begin().await?;
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
        .col_expr(payment::Column::RefundReason, Expr::value(reason))
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
