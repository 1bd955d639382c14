//! Cashier shifts: open with a float, take cash through the day, pay in / pay out, close by
//! counting the drawer against what is expected (README, "Money: shifts, payments, refunds").

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    check_amount, check_positive_amount, clean_optional, clean_text,
    events::{self, Event},
    idempotency::{self, Claim, IdempotencyKey},
    unique_to, Page, PageRequest, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Staff, Who},
    db::Db,
    domain::{self, CashMovementKind, PaymentMethod, ShiftStatus},
    entity::{cash_movement, payment, shift, user},
    error::{AppError, AppResult},
};

#[derive(Debug, Clone)]
pub struct OpenShift {
    pub outlet_id: Uuid,
    pub start_cash: i64,
    /// Open for someone else (MANAGER, OWNER); default: yourself.
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct ShiftFilter {
    pub outlet_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub status: Option<ShiftStatus>,
}

/// The drawer's money movements during a shift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawer {
    /// Cash payments taken on this shift (amounts, not tendered), refunded or not.
    pub cash_payments: i64,
    /// Cash refunds paid out of this drawer.
    pub cash_refunds: i64,
    pub pay_ins: i64,
    pub pay_outs: i64,
}

impl Drawer {
    pub fn expected_cash(&self, start_cash: i64) -> i64 {
        domain::expected_cash(
            start_cash,
            self.cash_payments,
            self.cash_refunds,
            self.pay_ins,
            self.pay_outs,
        )
    }
}

fn shift_already_open() -> AppError {
    AppError::conflict(
        "SHIFT_ALREADY_OPEN",
        "this user already has an open shift; close it first",
    )
}

pub async fn open_shift(
    db: &Db,
    actor: &Staff,
    input: OpenShift,
    key: Option<IdempotencyKey>,
) -> AppResult<shift::Model> {
    actor.authorize(Action::KeepDrawer)?;
    check_amount("start_cash", input.start_cash)?;
    // A replay answers like reading the shift: 404 once the caller no longer sees it.
    if let Some(earlier) = idempotency::earlier(db, key.as_ref()).await? {
        return get_shift(db, actor, earlier).await;
    }
    let outlet = super::outlets::get_outlet(db, actor, input.outlet_id)
        .await
        .map_err(|err| {
            err.when_not_found(|| AppError::validation("outlet_id", "outlet not found"))
        })?;
    let user_id = match input.user_id {
        Some(id) if id != actor.user_id => {
            actor.authorize(Action::ManageShifts)?;
            let cashier = user::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .filter(|u| {
                    u.active
                        && (u.outlet_id == Some(outlet.id)
                            || Action::SeeAllOutlets.allows(Who::Staff(u.role)))
                })
                .ok_or_else(|| {
                    AppError::validation("user_id", "no such active user at this outlet")
                })?;
            if !Action::KeepDrawer.allows(Who::Staff(cashier.role)) {
                return Err(AppError::validation(
                    "user_id",
                    "this user's role does not keep a drawer",
                ));
            }
            cashier.id
        }
        _ => actor.user_id,
    };

    let shift_id = Uuid::now_v7();
    let txn = match idempotency::claim(db, key.as_ref(), shift_id).await? {
        Claim::Fresh(txn) => txn,
        Claim::Earlier(earlier) => return get_shift(db, actor, earlier).await,
    };
    let now = Utc::now();
    let shift = shift::ActiveModel {
        id: Set(shift_id),
        outlet_id: Set(outlet.id),
        user_id: Set(user_id),
        open_user_id: Set(Some(user_id)),
        status: Set(ShiftStatus::Open),
        start_cash: Set(input.start_cash),
        end_cash: Set(None),
        expected_cash: Set(None),
        cash_difference: Set(None),
        note: Set(None),
        opened_by: Set(actor.user_id),
        opened_at: Set(now),
        closed_by: Set(None),
        closed_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(unique_to(shift_already_open))?;
    events::record(&txn, Event::ShiftOpened(&shift)).await?;
    txn.commit().await?;
    Ok(shift)
}

/// A shift at an outlet the actor works at (else 404); the caller checks what they may do with it.
async fn shift_at_my_outlet(db: &Db, actor: &Staff, id: Uuid) -> AppResult<shift::Model> {
    let shift = load(db, id).await?;
    if !actor.sees_outlet(shift.outlet_id) {
        return Err(AppError::not_found("shift"));
    }
    Ok(shift)
}

async fn load(db: &Db, id: Uuid) -> AppResult<shift::Model> {
    shift::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("shift"))
}

/// Closes a shift: counts `end_cash` against the expected drawer. Its user or a MANAGER/OWNER.
pub async fn close_shift(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    end_cash: i64,
    note: Option<String>,
    key: Option<IdempotencyKey>,
) -> AppResult<shift::Model> {
    check_amount("end_cash", end_cash)?;
    let note = clean_optional("note", note, MAX_NOTE_LEN)?;
    if let Some(earlier) = idempotency::earlier(db, key.as_ref()).await? {
        return get_shift(db, actor, earlier).await;
    }
    let current = shift_at_my_outlet(db, actor, id).await?;
    if current.user_id != actor.user_id {
        actor.authorize(Action::ManageShifts)?;
    }

    let txn = match idempotency::claim(db, key.as_ref(), id).await? {
        Claim::Fresh(txn) => txn,
        Claim::Earlier(earlier) => return get_shift(db, actor, earlier).await,
    };
    // The row lock makes payments on this drawer wait until the count is done.
    let shift = lock_shift(&txn, id).await?;
    if shift.status != ShiftStatus::Open {
        return Err(AppError::conflict(
            "SHIFT_CLOSED",
            "this shift is already closed",
        ));
    }
    let expected = drawer(&txn, shift.id)
        .await?
        .expected_cash(shift.start_cash);
    let now = Utc::now();
    let mut model: shift::ActiveModel = shift.into();
    model.status = Set(ShiftStatus::Closed);
    model.open_user_id = Set(None);
    model.end_cash = Set(Some(end_cash));
    model.expected_cash = Set(Some(expected));
    model.cash_difference = Set(Some(end_cash - expected));
    model.note = Set(note);
    model.closed_by = Set(Some(actor.user_id));
    model.closed_at = Set(Some(now));
    let closed = model.update(&txn).await?;
    let entry = audit::Entry::by(actor, Some(closed.outlet_id), AuditAction::ShiftClosed)
        .on("shift", closed.id)
        .details(serde_json::json!({
            "cashier_id": closed.user_id,
            "expected_cash": expected,
            "end_cash": end_cash,
            "cash_difference": end_cash - expected,
        }));
    audit::record(&txn, entry).await?;
    events::record(&txn, Event::ShiftClosed(&closed)).await?;
    txn.commit().await?;
    Ok(closed)
}

pub async fn lock_shift(txn: &DatabaseTransaction, id: Uuid) -> AppResult<shift::Model> {
    shift::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("shift"))
}

/// The caller's open shift at `outlet_id`, locked for the transaction.
pub async fn open_shift_of(
    txn: &DatabaseTransaction,
    user_id: Uuid,
    outlet_id: Uuid,
) -> AppResult<Option<shift::Model>> {
    Ok(shift::Entity::find()
        .filter(shift::Column::OpenUserId.eq(user_id))
        .filter(shift::Column::OutletId.eq(outlet_id))
        .lock_exclusive()
        .one(txn)
        .await?)
}

/// The actor's open shift, if it is at an outlet they work at (a cashier moved to another
/// outlet no longer sees the old outlet's drawer).
pub async fn current_shift(db: &Db, actor: &Staff) -> AppResult<shift::Model> {
    shift::Entity::find()
        .filter(shift::Column::OpenUserId.eq(actor.user_id))
        .one(db.conn())
        .await?
        .filter(|shift| actor.sees_outlet(shift.outlet_id))
        .ok_or_else(|| AppError::not_found("open shift"))
}

/// A shift the actor may see: at an outlet they work at, their own or (MANAGER/OWNER) anyone's.
pub async fn get_shift(db: &Db, actor: &Staff, id: Uuid) -> AppResult<shift::Model> {
    let shift = load(db, id).await?;
    let visible = actor.sees_outlet(shift.outlet_id)
        && (shift.user_id == actor.user_id || actor.may(Action::ManageShifts));
    if !visible {
        return Err(AppError::not_found("shift"));
    }
    Ok(shift)
}

pub async fn list_shifts(
    db: &Db,
    actor: &Staff,
    filter: ShiftFilter,
    page: PageRequest,
) -> AppResult<Page<shift::Model>> {
    let mut query = shift::Entity::find().order_by_asc(shift::Column::Id);
    if !actor.may(Action::SeeAllOutlets) {
        query = query.filter(shift::Column::OutletId.eq(actor.outlet_id));
    }
    if !actor.may(Action::ManageShifts) {
        query = query.filter(shift::Column::UserId.eq(actor.user_id));
    }
    if let Some(outlet_id) = filter.outlet_id {
        query = query.filter(shift::Column::OutletId.eq(outlet_id));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(shift::Column::UserId.eq(user_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(shift::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(shift::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |s| s.id))
}

/// Records a PAY_IN or PAY_OUT on an open shift (its cashier or a MANAGER/OWNER).
pub async fn add_cash_movement(
    db: &Db,
    actor: &Staff,
    shift_id: Uuid,
    kind: CashMovementKind,
    amount: i64,
    reason: &str,
) -> AppResult<cash_movement::Model> {
    let current = shift_at_my_outlet(db, actor, shift_id).await?;
    if current.user_id != actor.user_id {
        actor.authorize(Action::ManageShifts)?;
    }
    check_positive_amount("amount", amount)?;
    let reason = clean_text("reason", reason, MAX_NOTE_LEN)?;
    if reason.is_empty() {
        return Err(AppError::validation("reason", "say why the cash moved"));
    }

    let txn = db.begin().await?;
    let shift = lock_shift(&txn, shift_id).await?;
    if shift.status != ShiftStatus::Open {
        return Err(AppError::conflict("SHIFT_CLOSED", "this shift is closed"));
    }
    let movement = cash_movement::ActiveModel {
        id: Set(Uuid::now_v7()),
        shift_id: Set(shift.id),
        kind: Set(kind),
        amount: Set(amount),
        reason: Set(reason.to_owned()),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(movement)
}

/// Sums the drawer's cash flows for a shift.
pub async fn drawer(conn: &impl ConnectionTrait, shift_id: Uuid) -> AppResult<Drawer> {
    let taken = payments_taken(conn, shift_id).await?;
    let refunded = refunded_from_drawer(conn, shift_id).await?;
    let movements = movements_of(conn, shift_id).await?;
    Ok(drawer_of(&taken, &refunded, &movements))
}

/// The drawer's cash flows, from the shift's payments (any method), the payments refunded
/// from its drawer and its cash movements.
pub fn drawer_of(
    taken: &[payment::Model],
    refunded: &[payment::Model],
    movements: &[cash_movement::Model],
) -> Drawer {
    let cash = |payments: &[payment::Model]| {
        payments
            .iter()
            .filter(|p| p.method == PaymentMethod::Cash)
            .map(|p| p.amount)
            .sum()
    };
    Drawer {
        cash_payments: cash(taken),
        cash_refunds: cash(refunded),
        pay_ins: movements
            .iter()
            .filter(|m| m.kind == CashMovementKind::PayIn)
            .map(|m| m.amount)
            .sum(),
        pay_outs: movements
            .iter()
            .filter(|m| m.kind == CashMovementKind::PayOut)
            .map(|m| m.amount)
            .sum(),
    }
}

/// Payments taken on the shift, oldest first.
pub async fn payments_taken(
    conn: &impl ConnectionTrait,
    shift_id: Uuid,
) -> AppResult<Vec<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::ShiftId.eq(shift_id))
        .order_by_asc(payment::Column::Id)
        .all(conn)
        .await?)
}

/// Payments whose refund was paid out of the shift's drawer.
pub async fn refunded_from_drawer(
    conn: &impl ConnectionTrait,
    shift_id: Uuid,
) -> AppResult<Vec<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::RefundShiftId.eq(shift_id))
        .all(conn)
        .await?)
}

pub async fn movements_of(
    conn: &impl ConnectionTrait,
    shift_id: Uuid,
) -> AppResult<Vec<cash_movement::Model>> {
    Ok(cash_movement::Entity::find()
        .filter(cash_movement::Column::ShiftId.eq(shift_id))
        .order_by_asc(cash_movement::Column::Id)
        .all(conn)
        .await?)
}
