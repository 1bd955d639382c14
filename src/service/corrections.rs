//! Corrections on the floor: void and comp items, discounts, split bills, move an order to
//! another table.
//!
//! Each is one transaction: the change, an `order_adjustments` row (what, how much, why, who),
//! the totals recomputed by the one formula (`domain::bill`, with the rates the order was taken
//! at), the order's `version` bumped by an update conditional on the version read, so of racing
//! corrections exactly one wins and the rest get `409`, and `ORDER_UPDATED`. A correction never
//! brings the total below what is paid (`409 BELOW_PAID`) and settled orders need a refund first.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    approvals::{self, ApprovalAction, Approver},
    audit::{self, AuditAction},
    clean_optional, clean_text,
    events::{self, Event},
    orders::{self, OrderDetails},
    printing, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Staff},
    db::{Db, WriteTxn},
    domain::{self, AdjustmentKind, DiscountKind, OrderStatus, PaymentStatus, SessionStatus},
    entity::{order, order_adjustment, order_discount, order_item, table_session},
    error::{AppError, AppResult},
};

/// Discounts standing on one order at most: enough for any real bill, and a bound on work.
pub const MAX_DISCOUNTS: usize = 20;

/// What `POST /orders/{id}/items/{item_id}/void` takes off.
#[derive(Debug, Clone)]
pub struct ItemVoid {
    pub quantity: i32,
    pub reason: String,
    /// Comp instead of void: made and given away, kept on the ticket at no charge.
    pub comp: bool,
}

/// `POST /orders/{id}/discounts`.
#[derive(Debug, Clone)]
pub struct NewDiscount {
    /// `None`: on the whole order.
    pub item_id: Option<Uuid>,
    pub kind: DiscountKind,
    /// Basis points (PERCENT) or an amount (AMOUNT).
    pub value: i64,
    pub reason: String,
}

/// One line of a split: how many of an item move to the new bill.
#[derive(Debug, Clone, Copy)]
pub struct SplitLine {
    pub item_id: Uuid,
    pub quantity: i32,
}

/// Voids (takes off the bill: it was not made) or comps (keeps on the ticket at no charge)
/// `quantity` of one line. Floor staff while the order is NEW; once the kitchen has it,
/// MANAGER/OWNER.
pub async fn void_item(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    item_id: Uuid,
    input: ItemVoid,
    approval: Option<&str>,
) -> AppResult<OrderDetails> {
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    actor.authorize(Action::VoidItem)?;
    if order.status != OrderStatus::New {
        approvals::precheck(actor, ApprovalAction::VoidItem, approval)?;
    }
    let reason = required_reason(&input.reason, "a void or comp needs a reason")?;
    if input.quantity < 1 {
        return Err(AppError::validation(
            "quantity",
            "quantity must be at least 1",
        ));
    }

    let txn = db.begin().await?;
    let mut draft = Draft::load(&txn, order_id).await?;
    // The kitchen may have taken the order since it was read above.
    let approver = if draft.order.status == OrderStatus::New {
        None
    } else {
        approvals::authorize(
            &txn,
            actor,
            ApprovalAction::VoidItem,
            Some(order_id),
            approval,
        )
        .await?
    };
    draft.ensure_open()?;
    let line = draft.item_mut(item_id)?;
    let left = billable(line);
    if input.quantity > left {
        return Err(AppError::validation(
            "quantity",
            format!("only {left} of this line are left to void or comp"),
        ));
    }
    if input.comp {
        line.comped_quantity += input.quantity;
    } else {
        line.voided_quantity += input.quantity;
    }
    let amount = line.unit_price * i64::from(input.quantity);
    let now = Utc::now();
    draft.save(&txn, now).await?;
    let kind = if input.comp {
        AdjustmentKind::Comp
    } else {
        AdjustmentKind::Void
    };
    let adjustment = Adjustment {
        item_id: Some(item_id),
        quantity: Some(input.quantity),
        amount,
        reason,
        approver,
        ..Adjustment::new(kind, actor, now)
    };
    adjustment.insert(&txn, order_id).await?;
    let details = orders::load_order(&txn, order_id).await?;
    if !input.comp {
        let voided = [(item_id, input.quantity)];
        printing::queue_void_tickets(&txn, &details, &voided, &actor.username).await?;
    }
    events::record(&txn, Event::OrderUpdated(&details)).await?;
    txn.commit().await?;
    Ok(details)
}

/// Gives a discount on one line or the whole order. A KASIR may give up to the outlet's
/// `max_cashier_discount_bp` of what the discount applies to; more is MANAGER/OWNER.
pub async fn add_discount(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    input: NewDiscount,
    approval: Option<&str>,
) -> AppResult<OrderDetails> {
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    actor.authorize(Action::GiveDiscount)?;
    let reason = required_reason(&input.reason, "a discount needs a reason")?;
    match input.kind {
        DiscountKind::Percent if !(1..=10_000).contains(&input.value) => {
            return Err(AppError::validation(
                "value",
                "a PERCENT discount is 1–10000 basis points (1000 = 10 %)",
            ))
        }
        DiscountKind::Amount => {
            super::check_positive_amount("value", input.value)?;
        }
        _ => {}
    }
    let outlet = super::outlets::get_outlet(db, actor, order.outlet_id).await?;

    let txn = db.begin().await?;
    let mut draft = Draft::load(&txn, order_id).await?;
    draft.ensure_open()?;
    if draft.discounts.len() >= MAX_DISCOUNTS {
        return Err(AppError::conflict(
            "TOO_MANY_DISCOUNTS",
            format!("an order holds at most {MAX_DISCOUNTS} discounts"),
        ));
    }
    let before = draft.bill()?;
    // What the discount applies to: the line's or the order's amount after the discounts
    // already on it.
    let base = match input.item_id {
        Some(item_id) => {
            let at = draft.items.iter().position(|i| i.id == item_id);
            at.and_then(|at| before.line_net.get(at).copied())
                .ok_or_else(|| AppError::not_found("order item"))?
        }
        None => before.totals.subtotal - before.totals.discount,
    };
    let now = Utc::now();
    let discount = order_discount::Model {
        id: Uuid::now_v7(),
        order_id,
        item_id: input.item_id,
        kind: input.kind,
        value: input.value,
        reason: reason.clone(),
        created_by: actor.user_id,
        approved_by: None,
        created_at: now,
    };
    draft.discounts.push(discount.clone());
    let after = draft.bill()?;
    let off = after.totals.discount - before.totals.discount;
    // Within the cap on its own, and all the order's discounts together within the cap of its
    // subtotal: stacked small discounts do not add up past it.
    let cap = |amount: i64| i128::from(outlet.max_cashier_discount_bp) * i128::from(amount);
    let over = i128::from(off) * 10_000 > cap(base)
        || i128::from(after.totals.discount) * 10_000 > cap(after.totals.subtotal);
    let approver = if over {
        if !actor.may(Action::DiscountOverCap) && approval.is_none() {
            return Err(AppError::ApprovalRequired(format!(
                "a {} may give at most {} % here; a MANAGER may approve more",
                actor.role.as_str(),
                percent(outlet.max_cashier_discount_bp)
            )));
        }
        approvals::authorize(
            &txn,
            actor,
            ApprovalAction::Discount,
            Some(order_id),
            approval,
        )
        .await?
    } else {
        None
    };
    draft.save(&txn, now).await?;
    order_discount::ActiveModel {
        approved_by: Set(approver.as_ref().map(|a| a.id)),
        ..discount.into()
    }
    .insert(&txn)
    .await?;
    let adjustment = Adjustment {
        item_id: input.item_id,
        amount: off,
        reason,
        approver,
        ..Adjustment::new(AdjustmentKind::Discount, actor, now)
    };
    adjustment.insert(&txn, order_id).await?;
    finish(txn, order_id).await
}

/// Takes a discount off again (whoever may give discounts).
pub async fn remove_discount(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    discount_id: Uuid,
    approval: Option<&str>,
) -> AppResult<OrderDetails> {
    orders::staff_order(db.conn(), actor, order_id).await?;
    actor.authorize(Action::GiveDiscount)?;
    let txn = db.begin().await?;
    let mut draft = Draft::load(&txn, order_id).await?;
    let before = draft.bill()?;
    let at = draft
        .discounts
        .iter()
        .position(|d| d.id == discount_id)
        .ok_or_else(|| AppError::not_found("discount"))?;
    draft.ensure_open()?;
    let removed = draft.discounts.remove(at);
    let approver = if removed.created_by == actor.user_id {
        None
    } else {
        // Someone else's discount (perhaps a manager's over the cap) is theirs to take back.
        approvals::precheck(actor, ApprovalAction::Discount, approval)?;
        approvals::authorize(
            &txn,
            actor,
            ApprovalAction::Discount,
            Some(order_id),
            approval,
        )
        .await?
    };
    let after = draft.bill()?;
    let now = Utc::now();
    draft.save(&txn, now).await?;
    order_discount::Entity::delete_by_id(removed.id)
        .exec(&txn)
        .await?;
    let adjustment = Adjustment {
        item_id: removed.item_id,
        amount: after.totals.discount - before.totals.discount,
        reason: removed.reason,
        approver,
        ..Adjustment::new(AdjustmentKind::DiscountRemoved, actor, now)
    };
    adjustment.insert(&txn, order_id).await?;
    finish(txn, order_id).await
}

/// Moves the chosen quantities into a new order of the same table: same kitchen status, a new
/// number. Line discounts follow a whole line; PERCENT ones are copied to a part of a line, as
/// are the order's PERCENT discounts; AMOUNT ones stay where they are. Only before any payment.
/// Each bill is then computed on its own, so the two totals add up to the original's but for
/// the rounding of each bill's service and tax (at most one unit each).
pub async fn split(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    lines: Vec<SplitLine>,
) -> AppResult<OrderDetails> {
    orders::staff_order(db.conn(), actor, order_id).await?;
    actor.authorize(Action::SplitOrder)?;
    if lines.is_empty() || lines.len() > orders::MAX_ITEMS {
        return Err(AppError::validation(
            "items",
            format!("choose 1–{} lines to split off", orders::MAX_ITEMS),
        ));
    }

    let txn = db.begin().await?;
    let mut parent = Draft::load(&txn, order_id).await?;
    parent.ensure_open()?;
    if let Some(session_id) = parent.order.table_session_id {
        // Locked as an order being placed locks it: a merge or close waits, or wins first.
        lock_open_session(&txn, session_id).await?;
    }
    let before = parent.bill()?;
    let original_discounts: Vec<Uuid> = parent.discounts.iter().map(|d| d.id).collect();
    if parent.order.paid_amount != 0 || parent.order.payment_status != PaymentStatus::Unpaid {
        return Err(AppError::conflict(
            "ORDER_HAS_PAYMENTS",
            "only an order without payments can be split; pay in parts instead",
        ));
    }
    let now = Utc::now();
    let child_id = Uuid::now_v7();
    let number =
        orders::next_number(&txn, parent.order.outlet_id, &parent.order.business_date).await?;
    let mut child = Draft {
        order: order::Model {
            id: child_id,
            number,
            split_from: Some(order_id),
            receipt_token: None,
            paid_amount: 0,
            payment_status: PaymentStatus::Unpaid,
            version: 1,
            created_by: Some(actor.user_id),
            created_at: now,
            updated_at: now,
            ..parent.order.clone()
        },
        items: Vec::new(),
        discounts: Vec::new(),
    };
    let mut moved_whole = Vec::new();
    let mut adjustments = Vec::new();
    for line in &lines {
        if lines.iter().filter(|l| l.item_id == line.item_id).count() > 1 {
            return Err(AppError::validation("items", "a line is named twice"));
        }
        let item = parent.item_mut(line.item_id)?;
        let left = billable(item);
        if !(1..=left).contains(&line.quantity) {
            return Err(AppError::validation(
                "items.quantity",
                format!("{}: choose 1–{left}", item.name),
            ));
        }
        adjustments.push(Adjustment {
            item_id: Some(item.id),
            quantity: Some(line.quantity),
            amount: item.unit_price * i64::from(line.quantity),
            reason: format!("split into #{number}"),
            ..Adjustment::new(AdjustmentKind::Split, actor, now)
        });
        if line.quantity == item.quantity {
            // The whole line, never voided or comped: it moves as it is, discounts and all.
            moved_whole.push(item.id);
            continue;
        }
        item.quantity -= line.quantity;
        let part = order_item::Model {
            id: Uuid::now_v7(),
            order_id: child_id,
            quantity: line.quantity,
            voided_quantity: 0,
            comped_quantity: 0,
            ..item.clone()
        };
        let percents: Vec<order_discount::Model> = parent
            .discounts
            .iter()
            .filter(|d| d.item_id == Some(line.item_id) && d.kind == DiscountKind::Percent)
            .map(|d| order_discount::Model {
                id: Uuid::now_v7(),
                order_id: child_id,
                item_id: Some(part.id),
                ..d.clone()
            })
            .collect();
        child.discounts.extend(percents);
        child.items.push(part);
    }
    for id in &moved_whole {
        let at = parent.items.iter().position(|i| i.id == *id).unwrap_or(0);
        let mut item = parent.items.remove(at);
        item.order_id = child_id;
        child.items.push(item);
        for d in parent
            .discounts
            .iter_mut()
            .filter(|d| d.item_id == Some(*id))
        {
            d.order_id = child_id;
        }
    }
    let (moving, staying): (Vec<_>, Vec<_>) = parent
        .discounts
        .drain(..)
        .partition(|d| d.order_id == child_id);
    parent.discounts = staying;
    child.discounts.extend(moving.iter().cloned());
    for d in parent
        .discounts
        .iter()
        .filter(|d| d.item_id.is_none() && d.kind == DiscountKind::Percent)
    {
        child.discounts.push(order_discount::Model {
            id: Uuid::now_v7(),
            order_id: child_id,
            ..d.clone()
        });
    }
    if parent.items.iter().map(billable).sum::<i32>() == 0 {
        return Err(AppError::validation(
            "items",
            "leave at least one item on this bill",
        ));
    }
    // A Rp discount stays on this bill: it must still fit there whole, or the split would
    // quietly give money away.
    let after = parent.bill()?;
    let kept_whole = parent.discounts.iter().enumerate().all(|(at, d)| {
        let was = original_discounts
            .iter()
            .position(|id| *id == d.id)
            .and_then(|i| before.discount_off.get(i).copied());
        d.kind != DiscountKind::Amount || was <= after.discount_off.get(at).copied()
    });
    if !kept_whole {
        return Err(AppError::conflict(
            "DISCOUNT_DOES_NOT_FIT",
            "a Rp discount would no longer fit on what is left of this bill; take it off or \
             split differently",
        ));
    }
    child.items.sort_by_key(|i| i.id);

    parent.save(&txn, now).await?;
    let bill = child.bill()?;
    let totals = bill.totals;
    let mut model: order::ActiveModel = child.order.clone().into();
    model.subtotal = Set(totals.subtotal);
    model.discount_amount = Set(totals.discount);
    model.service_charge_amount = Set(totals.service_charge);
    model.tax_amount = Set(totals.tax);
    model.total_amount = Set(totals.total);
    model.insert(&txn).await?;
    for (item, net) in child.items.iter().zip(&bill.line_net) {
        let line_total = item.unit_price * i64::from(billable(item));
        let row = order_item::Model {
            line_total,
            discount_amount: line_total - net,
            ..item.clone()
        };
        if moved_whole.contains(&item.id) {
            order_item::Entity::update_many()
                .col_expr(order_item::Column::OrderId, Expr::value(child_id))
                .col_expr(order_item::Column::LineTotal, Expr::value(row.line_total))
                .col_expr(
                    order_item::Column::DiscountAmount,
                    Expr::value(row.discount_amount),
                )
                .filter(order_item::Column::Id.eq(item.id))
                .exec(&txn)
                .await?;
        } else {
            order_item::ActiveModel::from(row).insert(&txn).await?;
        }
    }
    let moved_ids: Vec<Uuid> = moving.iter().map(|d| d.id).collect();
    if !moved_ids.is_empty() {
        order_discount::Entity::update_many()
            .col_expr(order_discount::Column::OrderId, Expr::value(child_id))
            .filter(order_discount::Column::Id.is_in(moved_ids.clone()))
            .exec(&txn)
            .await?;
    }
    for d in child
        .discounts
        .iter()
        .filter(|d| !moved_ids.contains(&d.id))
    {
        order_discount::ActiveModel::from(d.clone())
            .insert(&txn)
            .await?;
    }
    for adjustment in adjustments {
        adjustment.insert(&txn, order_id).await?;
    }
    orders::record_status(
        &txn,
        child_id,
        None,
        child.order.status,
        Some(actor.user_id),
        Some(format!("split from #{}", parent.order.number)),
    )
    .await?;
    let updated = orders::load_order(&txn, order_id).await?;
    events::record(&txn, Event::OrderUpdated(&updated)).await?;
    finish(txn, child_id).await
}

/// Moves one order to another open table session of its outlet.
pub async fn move_order(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    session_id: Uuid,
    reason: Option<String>,
) -> AppResult<OrderDetails> {
    orders::staff_order(db.conn(), actor, order_id).await?;
    actor.authorize(Action::MoveTable)?;
    let reason = clean_optional("reason", reason, MAX_NOTE_LEN)?.unwrap_or_default();
    let txn = db.begin().await?;
    let order = orders::find_order(&txn, order_id).await?;
    if order.status == OrderStatus::Voided {
        return Err(voided());
    }
    // Locks both sessions (in id order, as a merge does), so neither closes or merges while
    // the order moves.
    let mut sessions: Vec<Uuid> = [Some(session_id), order.table_session_id]
        .into_iter()
        .flatten()
        .collect();
    sessions.sort();
    sessions.dedup();
    let mut target = None;
    for id in sessions {
        let locked = table_session::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await?;
        if id == session_id {
            target = locked;
        }
    }
    let target = target
        .filter(|s| s.outlet_id == order.outlet_id)
        .ok_or_else(|| AppError::validation("table_session_id", "table session not found"))?;
    if target.status != SessionStatus::Open {
        return Err(AppError::conflict(
            "SESSION_CLOSED",
            "that table session is closed",
        ));
    }
    if order.table_session_id == Some(target.id) {
        return Err(AppError::validation(
            "table_session_id",
            "the order is already at that table",
        ));
    }
    let now = Utc::now();
    let updated = order::Entity::update_many()
        .col_expr(order::Column::TableSessionId, Expr::value(target.id))
        .col_expr(
            order::Column::Version,
            Expr::col(order::Column::Version).add(1),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(order.id))
        .filter(order::Column::Version.eq(order.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(orders::version_conflict(
            &orders::find_order(&txn, order_id).await?,
        ));
    }
    let adjustment = Adjustment {
        reason,
        ..Adjustment::new(AdjustmentKind::Move, actor, now)
    };
    adjustment.insert(&txn, order_id).await?;
    finish(txn, order_id).await
}

/// Records `ORDER_UPDATED` with the order as committed, and commits.
async fn finish(txn: WriteTxn, order_id: Uuid) -> AppResult<OrderDetails> {
    let details = orders::load_order(&txn, order_id).await?;
    events::record(&txn, Event::OrderUpdated(&details)).await?;
    txn.commit().await?;
    Ok(details)
}

fn required_reason(reason: &str, missing: &'static str) -> AppResult<String> {
    let reason = clean_text("reason", reason, MAX_NOTE_LEN)?;
    if reason.is_empty() {
        return Err(AppError::validation("reason", missing));
    }
    Ok(reason)
}

/// What is still charged for on a line.
fn billable(item: &order_item::Model) -> i32 {
    item.quantity - item.voided_quantity - item.comped_quantity
}

/// Basis points as a percentage for people ("12.5").
fn percent(bp: i32) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Locks a session row for the transaction; `409 SESSION_CLOSED` unless it is open.
async fn lock_open_session(txn: &DatabaseTransaction, id: Uuid) -> AppResult<()> {
    let open = table_session::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .is_some_and(|s| s.status == SessionStatus::Open);
    if !open {
        return Err(AppError::conflict(
            "SESSION_CLOSED",
            "this table session is closed",
        ));
    }
    Ok(())
}

fn voided() -> AppError {
    AppError::conflict("ORDER_VOIDED", "the order is voided")
}

/// An order as a correction changes it: read inside the transaction, edited in memory, saved.
struct Draft {
    order: order::Model,
    items: Vec<order_item::Model>,
    discounts: Vec<order_discount::Model>,
}

impl Draft {
    async fn load(txn: &DatabaseTransaction, order_id: Uuid) -> AppResult<Draft> {
        let order = orders::find_order(txn, order_id).await?;
        let items = order_item::Entity::find()
            .filter(order_item::Column::OrderId.eq(order_id))
            .order_by_asc(order_item::Column::Id)
            .all(txn)
            .await?;
        let discounts = order_discount::Entity::find()
            .filter(order_discount::Column::OrderId.eq(order_id))
            .order_by_asc(order_discount::Column::Id)
            .all(txn)
            .await?;
        Ok(Draft {
            order,
            items,
            discounts,
        })
    }

    /// Corrections are for orders still being settled: not voided, not paid or refunded.
    fn ensure_open(&self) -> AppResult<()> {
        if self.order.status == OrderStatus::Voided {
            return Err(voided());
        }
        if matches!(
            self.order.payment_status,
            PaymentStatus::Paid | PaymentStatus::Refunded
        ) {
            return Err(AppError::conflict(
                "ORDER_SETTLED",
                "the order is settled; refund it before correcting it",
            ));
        }
        Ok(())
    }

    fn item_mut(&mut self, item_id: Uuid) -> AppResult<&mut order_item::Model> {
        self.items
            .iter_mut()
            .find(|i| i.id == item_id)
            .ok_or_else(|| AppError::not_found("order item"))
    }

    fn bill(&self) -> AppResult<domain::Bill> {
        let items: Vec<&order_item::Model> = self.items.iter().collect();
        orders::compute_bill(&self.order, &items, &self.discounts)
    }

    /// Writes the recomputed totals and each line's amounts. The order's update is
    /// conditional on the version read, so a correction that raced another one loses (409).
    async fn save(&self, txn: &DatabaseTransaction, now: DateTime<Utc>) -> AppResult<()> {
        let bill = self.bill()?;
        let t = bill.totals;
        let paid = self.order.paid_amount;
        if t.total < paid {
            return Err(AppError::conflict(
                "BELOW_PAID",
                "this would bring the total below what is already paid; refund first",
            ));
        }
        let updated = order::Entity::update_many()
            .col_expr(order::Column::Subtotal, Expr::value(t.subtotal))
            .col_expr(order::Column::DiscountAmount, Expr::value(t.discount))
            .col_expr(
                order::Column::ServiceChargeAmount,
                Expr::value(t.service_charge),
            )
            .col_expr(order::Column::TaxAmount, Expr::value(t.tax))
            .col_expr(order::Column::TotalAmount, Expr::value(t.total))
            .col_expr(
                order::Column::PaymentStatus,
                Expr::value(domain::payment_status(paid, t.total, false).as_str()),
            )
            .col_expr(
                order::Column::Version,
                Expr::col(order::Column::Version).add(1),
            )
            .col_expr(order::Column::UpdatedAt, Expr::value(now))
            .filter(order::Column::Id.eq(self.order.id))
            .filter(order::Column::Version.eq(self.order.version))
            .exec(txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(orders::version_conflict(
                &orders::find_order(txn, self.order.id).await?,
            ));
        }
        for (item, net) in self.items.iter().zip(&bill.line_net) {
            let line_total = item.unit_price * i64::from(billable(item));
            order_item::Entity::update_many()
                .col_expr(order_item::Column::Quantity, Expr::value(item.quantity))
                .col_expr(
                    order_item::Column::VoidedQuantity,
                    Expr::value(item.voided_quantity),
                )
                .col_expr(
                    order_item::Column::CompedQuantity,
                    Expr::value(item.comped_quantity),
                )
                .col_expr(order_item::Column::LineTotal, Expr::value(line_total))
                .col_expr(
                    order_item::Column::DiscountAmount,
                    Expr::value(line_total - net),
                )
                .filter(order_item::Column::Id.eq(item.id))
                .exec(txn)
                .await?;
        }
        Ok(())
    }
}

/// One `order_adjustments` row in the making.
struct Adjustment {
    kind: AdjustmentKind,
    item_id: Option<Uuid>,
    quantity: Option<i32>,
    amount: i64,
    reason: String,
    created_by: Uuid,
    created_by_name: String,
    approver: Option<Approver>,
    device_id: Option<Uuid>,
    at: DateTime<Utc>,
}

impl Adjustment {
    fn new(kind: AdjustmentKind, actor: &Staff, at: DateTime<Utc>) -> Self {
        Adjustment {
            kind,
            item_id: None,
            quantity: None,
            amount: 0,
            reason: String::new(),
            created_by: actor.user_id,
            created_by_name: actor.username.clone(),
            approver: None,
            device_id: actor.device_id,
            at,
        }
    }

    /// The correction's row, and for voids, comps and discounts its audit row.
    async fn insert(self, txn: &DatabaseTransaction, order_id: Uuid) -> AppResult<()> {
        let audited = match self.kind {
            AdjustmentKind::Void => Some(AuditAction::ItemVoided),
            AdjustmentKind::Comp => Some(AuditAction::ItemComped),
            AdjustmentKind::Discount => Some(AuditAction::DiscountGiven),
            AdjustmentKind::DiscountRemoved => Some(AuditAction::DiscountRemoved),
            AdjustmentKind::Split | AdjustmentKind::Move => None,
        };
        if let Some(action) = audited {
            let order = orders::find_order(txn, order_id).await?;
            let entry = audit::Entry {
                outlet_id: Some(order.outlet_id),
                actor_id: Some(self.created_by),
                actor_name: self.created_by_name.clone(),
                approved_by: self.approver.as_ref().map(|a| (a.id, a.name.clone())),
                device_id: self.device_id,
                object: Some(("order", order_id.to_string())),
                details: serde_json::json!({
                    "number": order.number,
                    "item_id": self.item_id,
                    "quantity": self.quantity,
                    "amount": self.amount,
                    "reason": self.reason,
                }),
                ..audit::Entry::new(action)
            };
            audit::record(txn, entry).await?;
        }
        order_adjustment::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(order_id),
            item_id: Set(self.item_id),
            kind: Set(self.kind),
            quantity: Set(self.quantity),
            amount: Set(self.amount),
            reason: Set(self.reason),
            created_by: Set(self.created_by),
            approved_by: Set(self.approver.map(|a| a.id)),
            created_at: Set(self.at),
        }
        .insert(txn)
        .await?;
        Ok(())
    }
}

/// Records that `orders` moved with a merge of their sessions (inside its transaction).
pub(super) async fn record_moves(
    txn: &DatabaseTransaction,
    actor: &Staff,
    orders: &[Uuid],
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    for order_id in orders {
        let adjustment = Adjustment {
            reason: reason.to_owned(),
            ..Adjustment::new(AdjustmentKind::Move, actor, at)
        };
        adjustment.insert(txn, *order_id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_like_people_write_them() {
        assert_eq!(percent(1_000), "10");
        assert_eq!(percent(1_250), "12.5");
        assert_eq!(percent(5), "0.05");
        assert_eq!(percent(0), "0");
    }
}
