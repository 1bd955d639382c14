//! The outbox: every state change records an event in its own transaction, so an event
//! exists exactly when its change was committed.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};
use uuid::Uuid;

use crate::{entity::event, error::AppResult};

/// What happened (the `type` of a realtime frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    NewOrder,
    OrderStatusChanged,
    OrderPaid,
    TableSessionOpened,
    TableSessionClosed,
    ShiftOpened,
    ShiftClosed,
    ProductUpdated,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::NewOrder => "NEW_ORDER",
            EventKind::OrderStatusChanged => "ORDER_STATUS_CHANGED",
            EventKind::OrderPaid => "ORDER_PAID",
            EventKind::TableSessionOpened => "TABLE_SESSION_OPENED",
            EventKind::TableSessionClosed => "TABLE_SESSION_CLOSED",
            EventKind::ShiftOpened => "SHIFT_OPENED",
            EventKind::ShiftClosed => "SHIFT_CLOSED",
            EventKind::ProductUpdated => "PRODUCT_UPDATED",
        }
    }
}

/// Appends an event; call it inside the transaction that makes the change.
pub async fn record(
    conn: &impl ConnectionTrait,
    kind: EventKind,
    outlet_id: Uuid,
    table_session_id: Option<Uuid>,
    payload: serde_json::Value,
) -> AppResult<event::Model> {
    let model = event::ActiveModel {
        id: NotSet,
        kind: Set(kind.as_str().to_owned()),
        outlet_id: Set(outlet_id),
        table_session_id: Set(table_session_id),
        payload: Set(payload.to_string()),
        at: Set(Utc::now()),
    };
    Ok(model.insert(conn).await?)
}
