//! Dining tables and their QR slugs.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{clean_name, outlets::get_outlet, unique_to, Page, PageRequest};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::dining_table,
    error::{AppError, AppResult},
};

pub const MAX_CAPACITY: i32 = 100;

#[derive(Debug, Clone)]
pub struct NewTable {
    pub name: String,
    pub capacity: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct TableChanges {
    pub name: Option<String>,
    pub capacity: Option<i32>,
    pub active: Option<bool>,
}

/// What `DELETE /tables/{id}` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// The table has history (sessions, orders), so it was only deactivated.
    Deactivated,
}

/// 144 random bits, URL-safe: not guessable, so only a guest at the table can open its page.
pub fn new_qr_slug() -> AppResult<String> {
    super::random_url_safe::<18>()
}

pub async fn create_table(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    input: NewTable,
) -> AppResult<dining_table::Model> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManageTables)?;
    let now = Utc::now();
    let model = dining_table::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        name: Set(clean_name("name", &input.name)?),
        capacity: Set(check_capacity(input.capacity.unwrap_or(4))?),
        qr_slug: Set(new_qr_slug()?),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    model.insert(db.conn()).await.map_err(unique_to(name_taken))
}

pub async fn list_tables(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    active: Option<bool>,
    page: PageRequest,
) -> AppResult<Page<dining_table::Model>> {
    get_outlet(db, actor, outlet_id).await?;
    let mut query = dining_table::Entity::find()
        .filter(dining_table::Column::OutletId.eq(outlet_id))
        .order_by_asc(dining_table::Column::Id);
    if let Some(active) = active {
        query = query.filter(dining_table::Column::Active.eq(active));
    }
    if let Some(after) = page.after {
        query = query.filter(dining_table::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |t| t.id))
}

/// The table, if the actor may see its outlet.
pub async fn get_table(db: &Db, actor: &Staff, id: Uuid) -> AppResult<dining_table::Model> {
    dining_table::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|table| actor.sees_outlet(table.outlet_id))
        .ok_or_else(|| AppError::not_found("table"))
}

pub async fn update_table(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: TableChanges,
) -> AppResult<dining_table::Model> {
    let table = get_table(db, actor, id).await?;
    actor.authorize(Action::ManageTables)?;
    let mut model: dining_table::ActiveModel = table.into();
    if let Some(name) = changes.name {
        model.name = Set(clean_name("name", &name)?);
    }
    if let Some(capacity) = changes.capacity {
        model.capacity = Set(check_capacity(capacity)?);
    }
    if let Some(active) = changes.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    model.update(db.conn()).await.map_err(unique_to(name_taken))
}

/// Deletes a table without history; one with history is deactivated instead, so past
/// sessions and orders keep pointing at it.
pub async fn delete_table(db: &Db, actor: &Staff, id: Uuid) -> AppResult<Removal> {
    let table = get_table(db, actor, id).await?;
    actor.authorize(Action::ManageTables)?;
    match dining_table::Entity::delete_by_id(table.id)
        .exec(db.conn())
        .await
    {
        Ok(_) => Ok(Removal::Deleted),
        // A foreign key from its history refuses the delete.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
            ) =>
        {
            let mut model: dining_table::ActiveModel = table.into();
            model.active = Set(false);
            model.updated_at = Set(Utc::now());
            model.update(db.conn()).await?;
            Ok(Removal::Deactivated)
        }
        Err(err) => Err(err.into()),
    }
}

/// Issues a new QR slug: the printed code with the old one stops working, and so does every
/// guest token of the table's open session (a leaked code or photo of it ends there; guests
/// at the table scan the new code).
pub async fn rotate_qr(db: &Db, actor: &Staff, id: Uuid) -> AppResult<dining_table::Model> {
    let table = get_table(db, actor, id).await?;
    actor.authorize(Action::ManageTables)?;
    let txn = db.begin().await?;
    super::sessions::renew_open_token(&txn, table.id).await?;
    let mut model: dining_table::ActiveModel = table.into();
    model.qr_slug = Set(new_qr_slug()?);
    model.updated_at = Set(Utc::now());
    let table = model.update(&txn).await?;
    txn.commit().await?;
    Ok(table)
}

fn check_capacity(capacity: i32) -> AppResult<i32> {
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(AppError::validation(
            "capacity",
            format!("capacity must be between 1 and {MAX_CAPACITY}"),
        ));
    }
    Ok(capacity)
}

fn name_taken() -> AppError {
    AppError::conflict(
        "TABLE_NAME_TAKEN",
        "this outlet already has a table with that name",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_long_random_and_url_safe() {
        let a = new_qr_slug().unwrap();
        let b = new_qr_slug().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn capacity_bounds() {
        assert!(check_capacity(0).is_err());
        assert!(check_capacity(101).is_err());
        assert_eq!(check_capacity(6).unwrap(), 6);
    }
}
