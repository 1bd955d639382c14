//! The outbox: every state change records an event in its own transaction, so an event
//! exists exactly when its change was committed.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, Statement,
};
use uuid::Uuid;

pub use crate::realtime::frames::Event;
use crate::{
    auth::{Action, Principal},
    db::{self, Db, LockKey},
    entity::{event, idempotency_key, maintenance_state},
    error::{AppError, AppResult},
};

/// What happened (the `type` of a realtime frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    NewOrder,
    OrderStatusChanged,
    OrderPaid,
    OrderUpdated,
    TableSessionOpened,
    TableSessionClosed,
    TableSessionMoved,
    TableSessionMerged,
    ShiftOpened,
    ShiftClosed,
    ProductUpdated,
    PrinterStatus,
    GuestRequest,
    GuestRequestAcknowledged,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::NewOrder => "NEW_ORDER",
            EventKind::OrderStatusChanged => "ORDER_STATUS_CHANGED",
            EventKind::OrderPaid => "ORDER_PAID",
            EventKind::OrderUpdated => "ORDER_UPDATED",
            EventKind::TableSessionOpened => "TABLE_SESSION_OPENED",
            EventKind::TableSessionClosed => "TABLE_SESSION_CLOSED",
            EventKind::TableSessionMoved => "TABLE_SESSION_MOVED",
            EventKind::TableSessionMerged => "TABLE_SESSION_MERGED",
            EventKind::ShiftOpened => "SHIFT_OPENED",
            EventKind::ShiftClosed => "SHIFT_CLOSED",
            EventKind::ProductUpdated => "PRODUCT_UPDATED",
            EventKind::PrinterStatus => "PRINTER_STATUS",
            EventKind::GuestRequest => "GUEST_REQUEST",
            EventKind::GuestRequestAcknowledged => "GUEST_REQUEST_ACKNOWLEDGED",
        }
    }

    pub const ALL: [EventKind; 14] = [
        EventKind::NewOrder,
        EventKind::OrderStatusChanged,
        EventKind::OrderPaid,
        EventKind::OrderUpdated,
        EventKind::TableSessionOpened,
        EventKind::TableSessionClosed,
        EventKind::TableSessionMoved,
        EventKind::TableSessionMerged,
        EventKind::ShiftOpened,
        EventKind::ShiftClosed,
        EventKind::ProductUpdated,
        EventKind::PrinterStatus,
        EventKind::GuestRequest,
        EventKind::GuestRequestAcknowledged,
    ];

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// Appends an event; call it inside the transaction that makes the change.
///
/// SQLite: straight into `events`. Its one writer at a time commits events in id order, so a
/// reader resuming "after id N" never skips one that commits late.
///
/// PostgreSQL: into `event_outbox`, with no lock, so writers of different outlets never wait
/// for each other. [`sequence`] later numbers committed rows into `events`, so no late commit
/// can leave a gap behind a reader resuming "after id N".
pub async fn record(conn: &impl ConnectionTrait, event: Event<'_>) -> AppResult<()> {
    conn.execute_raw(record_statement(conn.get_database_backend(), event))
        .await?;
    Ok(())
}

/// The statement [`record`] runs, to send in a `db::Batch` with others.
pub fn record_statement(backend: DbBackend, event: Event<'_>) -> Statement {
    let at = Utc::now();
    if backend == DbBackend::Postgres {
        return Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO event_outbox (kind, outlet_id, table_session_id, payload, at) \
             VALUES ($1, $2, $3, $4, $5)",
            [
                event.kind().as_str().into(),
                event.outlet_id().into(),
                event.table_session_id().into(),
                event.payload().to_string().into(),
                at.into(),
            ],
        );
    }
    let model = event::ActiveModel {
        id: NotSet,
        kind: Set(event.kind().as_str().to_owned()),
        outlet_id: Set(event.outlet_id()),
        table_session_id: Set(event.table_session_id()),
        payload: Set(event.payload().to_string()),
        at: Set(at),
    };
    event::Entity::insert(model).build(backend)
}

/// Outbox rows moved per round at most.
const SEQUENCE_BATCH: u64 = 1_000;

/// Moves committed outbox rows into `events`, numbered after the newest id ever issued in the
/// order of their outbox ids. Instances take turns (an advisory lock held for this short
/// transaction only, never by the writers), so each number is handed out once and `events`
/// stays gap-free.
///
/// Why this keeps every event after what it depends on: an event that depends on another
/// (its transaction read or waited for the other's change) was inserted after the other
/// committed, so its outbox id is higher, and whenever it is visible the other is too. Rows
/// of transactions still running are invisible and simply go in a later round; independent
/// events may go in either order. The `events` id sequence is moved along, so nothing that
/// still draws from it collides. Returns whether a full batch moved (more may be waiting).
pub async fn sequence(db: &Db) -> AppResult<bool> {
    let txn = db.begin().await?;
    db::lock(&txn, LockKey::Events).await?;
    let moved = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH moved AS ( \
                 DELETE FROM event_outbox WHERE id IN ( \
                     SELECT id FROM event_outbox ORDER BY id LIMIT $1) \
                 RETURNING id, kind, outlet_id, table_session_id, payload, at), \
             base AS (SELECT GREATEST( \
                 COALESCE((SELECT MAX(id) FROM events), 0), \
                 COALESCE((SELECT value FROM maintenance_state WHERE name = $2), 0)) AS id), \
             logged AS ( \
                 INSERT INTO events (id, kind, outlet_id, table_session_id, payload, at) \
                 SELECT base.id + row_number() OVER (ORDER BY moved.id), moved.kind, \
                        moved.outlet_id, moved.table_session_id, moved.payload, moved.at \
                 FROM moved, base \
                 RETURNING id) \
             SELECT COUNT(*) AS moved, \
                    CASE WHEN COUNT(*) > 0 \
                         THEN setval(pg_get_serial_sequence('events', 'id'), MAX(id)) END \
             FROM logged",
            [
                (SEQUENCE_BATCH as i64).into(),
                maintenance_state::EVENTS_PRUNED_THROUGH.into(),
            ],
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "moved"))
        .transpose()?
        .unwrap_or(0);
    txn.commit().await?;
    Ok(moved >= SEQUENCE_BATCH as i64)
}

/// Which events a client may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// An OWNER watching every outlet.
    AllOutlets,
    /// Staff of one outlet (or an OWNER narrowing to it).
    Outlet(Uuid),
    /// A guest: its own session's events and its outlet's menu changes.
    Guest { outlet_id: Uuid, session_id: Uuid },
}

impl Audience {
    /// The audience of a principal; `outlet_id` narrows an OWNER's view. Staff naming another
    /// outlet get 404, as everywhere.
    pub fn of(principal: &Principal, outlet_id: Option<Uuid>) -> AppResult<Self> {
        match principal {
            Principal::Guest(guest) => Ok(Audience::Guest {
                outlet_id: guest.outlet_id,
                session_id: guest.session_id,
            }),
            Principal::Staff(staff) => {
                match (staff.may(Action::SeeAllOutlets), outlet_id, staff.outlet_id) {
                    (true, None, _) => Ok(Audience::AllOutlets),
                    (_, Some(id), _) if staff.sees_outlet(id) => Ok(Audience::Outlet(id)),
                    (_, None, Some(own)) => Ok(Audience::Outlet(own)),
                    _ => Err(AppError::not_found("outlet")),
                }
            }
        }
    }

    pub fn sees(&self, kind: &str, outlet_id: Uuid, table_session_id: Option<Uuid>) -> bool {
        match self {
            Audience::AllOutlets => true,
            Audience::Outlet(id) => *id == outlet_id,
            Audience::Guest {
                outlet_id: guest_outlet,
                session_id,
            } => {
                *guest_outlet == outlet_id
                    && (table_session_id == Some(*session_id)
                        || kind == EventKind::ProductUpdated.as_str())
            }
        }
    }

    fn condition(&self) -> Condition {
        match self {
            Audience::AllOutlets => Condition::all(),
            Audience::Outlet(id) => Condition::all().add(event::Column::OutletId.eq(*id)),
            Audience::Guest {
                outlet_id,
                session_id,
            } => Condition::all()
                .add(event::Column::OutletId.eq(*outlet_id))
                .add(
                    Condition::any()
                        .add(event::Column::TableSessionId.eq(*session_id))
                        .add(event::Column::Kind.eq(EventKind::ProductUpdated.as_str())),
                ),
        }
    }
}

/// Up to `limit` events after `since` that the audience may see, oldest first.
pub async fn events_after(
    conn: &impl ConnectionTrait,
    audience: Audience,
    since: i64,
    limit: u64,
) -> AppResult<Vec<event::Model>> {
    Ok(event::Entity::find()
        .filter(event::Column::Id.gt(since))
        .filter(audience.condition())
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Every event after `since`, whoever may see it (the relay), oldest first.
pub async fn all_events_after(
    conn: &impl ConnectionTrait,
    since: i64,
    limit: u64,
) -> AppResult<Vec<event::Model>> {
    events_after(conn, Audience::AllOutlets, since, limit).await
}

/// The newest event id (0 when there is none).
pub async fn latest_id(conn: &impl ConnectionTrait) -> AppResult<i64> {
    let latest = event::Entity::find()
        .order_by_desc(event::Column::Id)
        .one(conn)
        .await?;
    Ok(latest.map_or(0, |e| e.id))
}

/// Events up to this id were pruned (0: none).
pub async fn pruned_through(conn: &impl ConnectionTrait) -> AppResult<i64> {
    Ok(
        maintenance_state::Entity::find_by_id(maintenance_state::EVENTS_PRUNED_THROUGH)
            .one(conn)
            .await?
            .map_or(0, |row| row.value),
    )
}

/// Whether a client that has seen everything up to `since` can catch up from the log:
/// not when events after it were pruned, nor when it claims ids this server never issued.
pub async fn can_resume_from(conn: &impl ConnectionTrait, since: i64) -> AppResult<bool> {
    // The newest id ever issued is at least the pruned mark: after everything was pruned
    // (or retired by an upgrade) the log is empty, yet clients up to date must resume.
    let pruned = pruned_through(conn).await?;
    Ok(since >= pruned && since <= latest_id(conn).await?.max(pruned))
}

/// Deletes events older than `cutoff` and idempotency keys older than `keys_cutoff`.
/// Returns how many events went.
pub async fn prune(
    db: &Db,
    cutoff: chrono::DateTime<Utc>,
    keys_cutoff: chrono::DateTime<Utc>,
) -> AppResult<u64> {
    let txn = db.begin().await?;
    let newest_old = event::Entity::find()
        .filter(event::Column::At.lt(cutoff))
        .order_by_desc(event::Column::Id)
        .one(&txn)
        .await?;
    let mut removed = 0;
    if let Some(newest_old) = newest_old {
        removed = event::Entity::delete_many()
            .filter(event::Column::Id.lte(newest_old.id))
            .exec(&txn)
            .await?
            .rows_affected;
        maintenance_state::Entity::insert(maintenance_state::ActiveModel {
            name: Set(maintenance_state::EVENTS_PRUNED_THROUGH.to_owned()),
            value: Set(newest_old.id),
        })
        .on_conflict(
            OnConflict::column(maintenance_state::Column::Name)
                .value(maintenance_state::Column::Value, Expr::value(newest_old.id))
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(keys_cutoff))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_see_their_session_and_menu_changes_only() {
        let (outlet, other_outlet, session) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let guest = Audience::Guest {
            outlet_id: outlet,
            session_id: session,
        };
        assert!(guest.sees("NEW_ORDER", outlet, Some(session)));
        assert!(!guest.sees("NEW_ORDER", outlet, Some(Uuid::now_v7())));
        assert!(!guest.sees("SHIFT_OPENED", outlet, None));
        assert!(guest.sees("PRODUCT_UPDATED", outlet, None));
        assert!(!guest.sees("PRODUCT_UPDATED", other_outlet, None));
        assert!(Audience::Outlet(outlet).sees("SHIFT_OPENED", outlet, None));
        assert!(!Audience::Outlet(outlet).sees("NEW_ORDER", other_outlet, None));
        assert!(Audience::AllOutlets.sees("NEW_ORDER", other_outlet, None));
    }
}
