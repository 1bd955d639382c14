//! Table sessions: a sitting at a table. Staff open one (or a guest scanning the table's QR,
//! when the outlet allows self-service); its `ts_…` token lets the guests order; closing it
//! (once everything is paid or voided) ends the token.

use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    check_len, clean_optional,
    events::{self, Event},
    Page, PageRequest, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Principal, Staff},
    db::Db,
    domain::{OrderStatus, PaymentStatus, SessionStatus},
    entity::{dining_table, order, outlet, table_session},
    error::{AppError, AppResult},
};

pub const SESSION_TOKEN_PREFIX: &str = "ts_";
/// How long a guest token works after the table is opened.
pub const SESSION_TTL_HOURS: i64 = 12;

/// A session with the names a guest's page shows.
#[derive(Debug, Clone)]
pub struct SessionDetails {
    pub session: table_session::Model,
    pub table: dining_table::Model,
    pub outlet: outlet::Model,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub outlet_id: Option<Uuid>,
    pub table_id: Option<Uuid>,
    pub status: Option<SessionStatus>,
}

/// The table's bill: every order of the session, and what is left to pay.
#[derive(Debug, Clone)]
pub struct Bill {
    pub session: table_session::Model,
    pub orders: Vec<super::orders::OrderDetails>,
    /// Sums over orders that are not voided.
    pub subtotal: i64,
    pub discount_amount: i64,
    pub service_charge_amount: i64,
    pub tax_amount: i64,
    pub total_amount: i64,
    pub paid_amount: i64,
    pub outstanding: i64,
}

fn new_token() -> AppResult<String> {
    Ok(format!(
        "{SESSION_TOKEN_PREFIX}{}",
        super::random_url_safe::<18>()?
    ))
}

/// The session behind a guest token: 401 unknown, 410 closed or expired.
pub async fn guest_session(
    conn: &impl ConnectionTrait,
    token: &str,
) -> AppResult<table_session::Model> {
    let unknown = || AppError::Unauthorized("unknown table-session token".into());
    // Tokens are `ts_` + URL-safe base64; anything else is not worth a query.
    if token.len() > 64
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(unknown());
    }
    let (session, table) = table_session::Entity::find()
        .filter(table_session::Column::Token.eq(token))
        .find_also_related(dining_table::Entity)
        .one(conn)
        .await?
        .ok_or_else(unknown)?;
    ensure_usable(&session)?;
    // A table taken out of use (deactivated, or "deleted" while it has history) ends its
    // guests' access; staff can still settle and close the session.
    if !table.is_some_and(|table| table.active) {
        return Err(AppError::Gone {
            code: "TABLE_INACTIVE",
            detail: "this table is no longer in use; please ask our staff".into(),
        });
    }
    Ok(session)
}

/// Gives the table's open session (if any) a new guest token, inside `txn`: phones holding
/// the old one lose access and must scan the table's (new) QR code again.
pub async fn renew_open_token(txn: &impl ConnectionTrait, table_id: Uuid) -> AppResult<()> {
    table_session::Entity::update_many()
        .col_expr(table_session::Column::Token, Expr::value(new_token()?))
        .filter(table_session::Column::OpenTableId.eq(table_id))
        .exec(txn)
        .await?;
    Ok(())
}

fn ensure_usable(session: &table_session::Model) -> AppResult<()> {
    if session.merged_into.is_some() {
        return Err(AppError::Gone {
            code: "SESSION_MERGED",
            detail: "this table joined another table; please scan the QR code on that table".into(),
        });
    }
    if session.status == SessionStatus::Closed {
        return Err(AppError::Gone {
            code: "SESSION_CLOSED",
            detail: "this table has been closed; please ask our staff".into(),
        });
    }
    if session.expires_at <= Utc::now() {
        return Err(AppError::Gone {
            code: "SESSION_EXPIRED",
            detail: "this table session has expired; please ask our staff".into(),
        });
    }
    Ok(())
}

/// Opens the table, or returns its open session (`false`: it already existed). Reopening an
/// open table renews its guests' token lifetime.
pub async fn open_session(
    db: &Db,
    actor: &Staff,
    table_id: Uuid,
) -> AppResult<(table_session::Model, bool)> {
    actor.authorize(Action::OpenTable)?;
    let table = dining_table::Entity::find_by_id(table_id)
        .one(db.conn())
        .await?
        .filter(|t| actor.sees_outlet(t.outlet_id))
        .ok_or_else(|| AppError::validation("table_id", "table not found"))?;
    open_or_get(db, &table, Some(actor.user_id), true).await
}

async fn open_or_get(
    db: &Db,
    table: &dining_table::Model,
    opened_by: Option<Uuid>,
    renew: bool,
) -> AppResult<(table_session::Model, bool)> {
    if !table.active {
        return Err(AppError::conflict(
            "TABLE_INACTIVE",
            "this table is not in use",
        ));
    }
    let txn = db.begin().await?;
    let existing = table_session::Entity::find()
        .filter(table_session::Column::OpenTableId.eq(table.id))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let now = Utc::now();
    let expires_at = now + Duration::hours(SESSION_TTL_HOURS);
    if let Some(session) = existing {
        if !renew {
            txn.commit().await?;
            return Ok((session, false));
        }
        let mut model: table_session::ActiveModel = session.into();
        model.expires_at = Set(expires_at);
        let session = model.update(&txn).await?;
        txn.commit().await?;
        return Ok((session, false));
    }
    let session = table_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(table.outlet_id),
        table_id: Set(table.id),
        open_table_id: Set(Some(table.id)),
        token: Set(new_token()?),
        status: Set(SessionStatus::Open),
        opened_by: Set(opened_by),
        opened_at: Set(now),
        expires_at: Set(expires_at),
        closed_at: Set(None),
        closed_by: Set(None),
        close_reason: Set(None),
        merged_into: Set(None),
    }
    .insert(&txn)
    .await
    // Lost a race to open the same table: the unique `open_table_id` refused the second.
    .map_err(super::unique_to(|| {
        AppError::conflict("TABLE_ALREADY_OPEN", "the table was just opened; try again")
    }))?;
    events::record(
        &txn,
        Event::TableSessionOpened {
            session: &session,
            table,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((session, true))
}

/// A guest scanned a table's QR: the open session's token, or a new session when the outlet
/// lets guests open tables themselves; otherwise `409 TABLE_NOT_OPEN`.
pub async fn scan(db: &Db, qr_slug: &str) -> AppResult<(SessionDetails, bool)> {
    let unknown = || AppError::not_found("table");
    check_len("qr_slug", qr_slug, 64)?;
    let table = dining_table::Entity::find()
        .filter(dining_table::Column::QrSlug.eq(qr_slug))
        .one(db.conn())
        .await?
        .filter(|t| t.active)
        .ok_or_else(unknown)?;
    let outlet = outlet::Entity::find_by_id(table.outlet_id)
        .one(db.conn())
        .await?
        .ok_or_else(unknown)?;
    let open = table_session::Entity::find()
        .filter(table_session::Column::OpenTableId.eq(table.id))
        .one(db.conn())
        .await?;
    let (session, created) = match open {
        Some(session) => (session, false),
        None if outlet.qr_self_service => open_or_get(db, &table, None, false).await?,
        None => {
            return Err(AppError::conflict(
                "TABLE_NOT_OPEN",
                "this table is not open yet; please ask our staff to open it",
            ))
        }
    };
    if session.expires_at <= Utc::now() {
        return Err(AppError::conflict(
            "TABLE_NOT_OPEN",
            "this table's session has expired; please ask our staff",
        ));
    }
    Ok((
        SessionDetails {
            session,
            table,
            outlet,
        },
        created,
    ))
}

/// `POST /table-sessions/validate`: 404 unknown token, 410 closed or expired.
pub async fn validate(db: &Db, token: &str) -> AppResult<SessionDetails> {
    let session = table_session::Entity::find()
        .filter(table_session::Column::Token.eq(token))
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("table session"))?;
    ensure_usable(&session)?;
    details(db.conn(), session).await
}

async fn details(
    conn: &impl ConnectionTrait,
    session: table_session::Model,
) -> AppResult<SessionDetails> {
    let missing = || AppError::internal("table session without its table or outlet");
    let table = dining_table::Entity::find_by_id(session.table_id)
        .one(conn)
        .await?
        .ok_or_else(missing)?;
    let outlet = outlet::Entity::find_by_id(session.outlet_id)
        .one(conn)
        .await?
        .ok_or_else(missing)?;
    Ok(SessionDetails {
        session,
        table,
        outlet,
    })
}

/// The session, if visible: staff of its outlet, or the guest holding it.
pub async fn get_session(
    db: &Db,
    principal: &Principal,
    id: Uuid,
) -> AppResult<table_session::Model> {
    let visible = match principal {
        Principal::Guest(guest) => guest.session_id == id,
        Principal::Staff(_) => true,
    };
    table_session::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|s| visible && principal.sees_outlet(s.outlet_id))
        .ok_or_else(|| AppError::not_found("table session"))
}

pub async fn list_sessions(
    db: &Db,
    actor: &Staff,
    filter: SessionFilter,
    page: PageRequest,
) -> AppResult<Page<table_session::Model>> {
    let mut query = table_session::Entity::find().order_by_asc(table_session::Column::Id);
    if !actor.may(Action::SeeAllOutlets) {
        query = query.filter(table_session::Column::OutletId.eq(actor.outlet_id));
    }
    if let Some(outlet_id) = filter.outlet_id {
        query = query.filter(table_session::Column::OutletId.eq(outlet_id));
    }
    if let Some(table_id) = filter.table_id {
        query = query.filter(table_session::Column::TableId.eq(table_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(table_session::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(table_session::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |s| s.id))
}

/// Closes the table. Refused (409) while an order is neither paid nor voided, unless a
/// MANAGER or OWNER forces it with a reason.
pub async fn close_session(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    force: bool,
    reason: Option<String>,
) -> AppResult<table_session::Model> {
    actor.authorize(Action::CloseTable)?;
    let reason = clean_optional("reason", reason, MAX_NOTE_LEN)?;
    if force {
        actor.authorize(Action::ForceCloseTable)?;
        if reason.is_none() {
            return Err(AppError::validation(
                "reason",
                "a forced close needs a reason",
            ));
        }
    }

    let txn = db.begin().await?;
    let session = table_session::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|s| actor.sees_outlet(s.outlet_id))
        .ok_or_else(|| AppError::not_found("table session"))?;
    if session.status == SessionStatus::Closed {
        return Err(AppError::conflict(
            "SESSION_CLOSED",
            "this table session is already closed",
        ));
    }
    let unsettled = order::Entity::find()
        .filter(order::Column::TableSessionId.eq(session.id))
        .filter(order::Column::Status.ne(OrderStatus::Voided))
        .filter(order::Column::PaymentStatus.ne(PaymentStatus::Paid))
        .count(&txn)
        .await?;
    if unsettled > 0 && !force {
        return Err(AppError::conflict(
            "SESSION_HAS_UNPAID_ORDERS",
            format!("{unsettled} order(s) are neither paid nor voided"),
        ));
    }
    let now = Utc::now();
    let mut model: table_session::ActiveModel = session.into();
    model.status = Set(SessionStatus::Closed);
    model.open_table_id = Set(None);
    model.closed_at = Set(Some(now));
    model.closed_by = Set(Some(actor.user_id));
    model.close_reason = Set(reason.clone());
    let session = model.update(&txn).await?;
    events::record(
        &txn,
        Event::TableSessionClosed {
            session: &session,
            forced: force && unsettled > 0,
            reason,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// Moves an open session to a free table of its outlet: the new table's QR opens it from now
/// on, the old table is free, and guest tokens keep working. `409 TABLE_OCCUPIED` when the
/// target has an open session.
pub async fn move_session(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    table_id: Uuid,
) -> AppResult<table_session::Model> {
    actor.authorize(Action::MoveTable)?;
    let txn = db.begin().await?;
    let session = lock_open(&txn, actor, id).await?;
    let target = dining_table::Entity::find_by_id(table_id)
        .one(&txn)
        .await?
        .filter(|t| t.outlet_id == session.outlet_id)
        .ok_or_else(|| AppError::validation("table_id", "table not found"))?;
    if target.id == session.table_id {
        return Err(AppError::validation(
            "table_id",
            "the guests are already at this table",
        ));
    }
    if !target.active {
        return Err(AppError::conflict(
            "TABLE_INACTIVE",
            "that table is not in use",
        ));
    }
    let from = dining_table::Entity::find_by_id(session.table_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("table session without its table"))?;
    let occupied = || {
        AppError::conflict(
            "TABLE_OCCUPIED",
            "that table is taken; merge the tables instead",
        )
    };
    let mut model: table_session::ActiveModel = session.into();
    model.table_id = Set(target.id);
    model.open_table_id = Set(Some(target.id));
    // The unique `open_table_id` refuses a table that is open, even one opened just now.
    let session = model
        .update(&txn)
        .await
        .map_err(super::unique_to(occupied))?;
    events::record(
        &txn,
        Event::TableSessionMoved {
            session: &session,
            from: &from,
            to: &target,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// Merges the open session `other_id` into the open session `id`: every order of the other
/// moves here, and the other closes with `merged_into` (its guests' token answers
/// `410 SESSION_MERGED`; they scan this table's QR).
pub async fn merge_sessions(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    other_id: Uuid,
) -> AppResult<table_session::Model> {
    actor.authorize(Action::MoveTable)?;
    if id == other_id {
        return Err(AppError::validation(
            "session_id",
            "a table cannot be merged with itself",
        ));
    }
    let txn = db.begin().await?;
    // Both rows locked in id order, so two opposite merges cannot deadlock.
    let (first, second) = if id < other_id {
        (id, other_id)
    } else {
        (other_id, id)
    };
    let first = lock_open(&txn, actor, first).await;
    let second = lock_open(&txn, actor, second).await;
    let (session, other) = if id < other_id {
        (first?, second)
    } else {
        (second?, first)
    };
    let other = other.map_err(|e| match e {
        AppError::NotFound(_) => AppError::validation("session_id", "table session not found"),
        e => e,
    })?;
    if other.outlet_id != session.outlet_id {
        return Err(AppError::validation(
            "session_id",
            "table session not found",
        ));
    }
    let now = Utc::now();
    let moved: Vec<Uuid> = session_orders(&txn, other.id)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    order::Entity::update_many()
        .col_expr(order::Column::TableSessionId, Expr::value(session.id))
        .col_expr(
            order::Column::Version,
            Expr::col(order::Column::Version).add(1),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::TableSessionId.eq(other.id))
        .exec(&txn)
        .await?;
    let table_name = dining_table::Entity::find_by_id(session.table_id)
        .one(&txn)
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    let reason = format!("tables merged into {table_name}");
    super::corrections::record_moves(&txn, actor, &moved, &reason, now).await?;
    let mut model: table_session::ActiveModel = other.into();
    model.status = Set(SessionStatus::Closed);
    model.open_table_id = Set(None);
    model.closed_at = Set(Some(now));
    model.closed_by = Set(Some(actor.user_id));
    model.close_reason = Set(Some(reason));
    model.merged_into = Set(Some(session.id));
    let merged = model.update(&txn).await?;
    events::record(
        &txn,
        Event::TableSessionMerged {
            session: &session,
            merged: &merged,
            order_ids: &moved,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// The session, locked for the transaction: 404 unless the actor sees it, 409 unless open.
async fn lock_open(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Staff,
    id: Uuid,
) -> AppResult<table_session::Model> {
    let session = table_session::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .filter(|s| actor.sees_outlet(s.outlet_id))
        .ok_or_else(|| AppError::not_found("table session"))?;
    if session.status != SessionStatus::Open {
        return Err(AppError::conflict(
            "SESSION_CLOSED",
            "this table session is closed",
        ));
    }
    Ok(session)
}

/// The bill of a session: its orders and what is still to pay (voided orders count for nothing).
pub async fn bill(db: &Db, principal: &Principal, id: Uuid) -> AppResult<Bill> {
    let session = get_session(db, principal, id).await?;
    let orders = super::orders::with_items(db.conn(), session_orders(db.conn(), id).await?).await?;
    let mut bill = Bill {
        session,
        orders: Vec::new(),
        subtotal: 0,
        discount_amount: 0,
        service_charge_amount: 0,
        tax_amount: 0,
        total_amount: 0,
        paid_amount: 0,
        outstanding: 0,
    };
    for order in orders
        .iter()
        .map(|o| &o.order)
        .filter(|o| o.status != OrderStatus::Voided)
    {
        bill.subtotal += order.subtotal;
        bill.discount_amount += order.discount_amount;
        bill.service_charge_amount += order.service_charge_amount;
        bill.tax_amount += order.tax_amount;
        bill.total_amount += order.total_amount;
        bill.paid_amount += order.paid_amount;
    }
    bill.outstanding = std::cmp::max(bill.total_amount - bill.paid_amount, 0);
    bill.orders = orders;
    Ok(bill)
}

/// A session's orders, oldest first.
pub async fn session_orders(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
) -> AppResult<Vec<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::TableSessionId.eq(session_id))
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_and_random() {
        let a = new_token().unwrap();
        assert!(a.starts_with("ts_"));
        assert_eq!(a.len(), 27);
        assert_ne!(a, new_token().unwrap());
    }
}
