//! Guests calling from their table ("Panggil pelayan", "Minta bill"): a row and a
//! `GUEST_REQUEST` event that rings on the cashier page until someone answers it. One call per
//! kind per table every 30 seconds, so a guest tapping again and again rings once.

use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::events::{self, Event};
use crate::{
    auth::{Action, Principal, Staff},
    db::Db,
    domain::GuestRequestKind,
    entity::{dining_table, guest_request, table_session},
    error::{AppError, AppResult},
};

/// Seconds before the same table may call for the same thing again.
pub const REPEAT_AFTER_SECONDS: i64 = 30;

/// Calls that have waited longer than this no longer ring (the guest has been seen to since,
/// or has left); the list stays short on a busy night.
const OPEN_FOR_HOURS: i64 = 12;

/// A guest's call as it was recorded, with its table's name.
pub struct Call {
    pub request: guest_request::Model,
    pub table_name: String,
}

pub async fn call(
    db: &Db,
    principal: &Principal,
    session_id: Uuid,
    kind: GuestRequestKind,
) -> AppResult<Call> {
    principal.authorize(Action::CallStaff)?;
    let Principal::Guest(guest) = principal else {
        return Err(AppError::Forbidden(
            "only a guest at the table calls staff".into(),
        ));
    };
    if guest.session_id != session_id {
        return Err(AppError::not_found("table session"));
    }
    let txn = db.begin().await?;
    // The session row locked (PostgreSQL; SQLite's writer is alone anyway), so two calls at
    // once see each other.
    let session = table_session::Entity::find_by_id(session_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("table session"))?;
    let now = Utc::now();
    let last = guest_request::Entity::find()
        .filter(guest_request::Column::TableSessionId.eq(session_id))
        .filter(guest_request::Column::Kind.eq(kind))
        .order_by_desc(guest_request::Column::CreatedAt)
        .one(&txn)
        .await?;
    if let Some(last) = last {
        let wait = REPEAT_AFTER_SECONDS - (now - last.created_at).num_seconds();
        if wait > 0 {
            let retry_after_secs = u64::try_from(wait).unwrap_or(1);
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    let table = dining_table::Entity::find_by_id(session.table_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("table"))?;
    let request = guest_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(session.outlet_id),
        table_session_id: Set(session.id),
        table_id: Set(table.id),
        kind: Set(kind),
        created_at: Set(now),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
    }
    .insert(&txn)
    .await?;
    events::record(
        &txn,
        Event::GuestRequest {
            request: &request,
            table_name: &table.name,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Call {
        request,
        table_name: table.name,
    })
}

/// Calls not answered yet at the outlet (or every outlet the caller sees), oldest first.
pub async fn open_calls(db: &Db, actor: &Staff, outlet_id: Option<Uuid>) -> AppResult<Vec<Call>> {
    actor.authorize(Action::ReadFloor)?;
    let mut query = guest_request::Entity::find()
        .filter(guest_request::Column::AcknowledgedAt.is_null())
        .filter(guest_request::Column::CreatedAt.gt(Utc::now() - Duration::hours(OPEN_FOR_HOURS)));
    if let Some(outlet_id) = super::outlet_scope(actor, outlet_id)? {
        query = query.filter(guest_request::Column::OutletId.eq(outlet_id));
    }
    let requests = query
        .order_by_asc(guest_request::Column::CreatedAt)
        .limit(200)
        .all(db.conn())
        .await?;
    let table_ids: Vec<Uuid> = requests.iter().map(|r| r.table_id).collect();
    let tables: std::collections::HashMap<Uuid, String> = dining_table::Entity::find()
        .filter(dining_table::Column::Id.is_in(table_ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(requests
        .into_iter()
        .map(|request| Call {
            table_name: tables.get(&request.table_id).cloned().unwrap_or_default(),
            request,
        })
        .collect())
}

/// Someone takes the call on; every cashier screen stops ringing. Answering an answered call
/// again changes nothing.
pub async fn answer(db: &Db, actor: &Staff, id: Uuid) -> AppResult<Call> {
    let found = guest_request::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|r| actor.sees_outlet(r.outlet_id))
        .ok_or_else(|| AppError::not_found("guest request"))?;
    actor.authorize(Action::AnswerGuest)?;
    let table_name = dining_table::Entity::find_by_id(found.table_id)
        .one(db.conn())
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    let txn = db.begin().await?;
    let now = Utc::now();
    let answered = guest_request::Entity::update_many()
        .col_expr(guest_request::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(
            guest_request::Column::AcknowledgedBy,
            Expr::value(actor.user_id),
        )
        .filter(guest_request::Column::Id.eq(id))
        .filter(guest_request::Column::AcknowledgedAt.is_null())
        .exec(&txn)
        .await?;
    let request = guest_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("guest request"))?;
    if answered.rows_affected == 1 {
        events::record(
            &txn,
            Event::GuestRequestAcknowledged {
                request: &request,
                table_name: &table_name,
                by: &actor.username,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Call {
        request,
        table_name,
    })
}
