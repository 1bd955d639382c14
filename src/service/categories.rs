//! Menu categories.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{clean_name, clean_text, outlets::get_outlet, unique_to, Page, PageRequest};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::{category, product},
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Default)]
pub struct NewCategory {
    pub name: String,
    pub sort: Option<i32>,
    pub station: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CategoryChanges {
    pub name: Option<String>,
    pub sort: Option<i32>,
    /// `Some(None)` takes the station off (back to the kitchen).
    pub station: Option<Option<String>>,
}

/// A station name, or `None` for blank: "Bar", "Kitchen", "Dessert".
fn clean_station(station: Option<&str>) -> AppResult<Option<String>> {
    match station.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(station) => Ok(Some(clean_text("station", station, MAX_STATION_LEN)?)),
    }
}

pub const MAX_STATION_LEN: usize = 60;

pub async fn create_category(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    input: NewCategory,
) -> AppResult<category::Model> {
    let NewCategory {
        name,
        sort,
        station,
    } = input;
    let name = name.as_str();
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManageMenu)?;
    let now = Utc::now();
    category::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        name: Set(clean_name("name", name)?),
        sort: Set(sort.unwrap_or(0)),
        station: Set(clean_station(station.as_deref())?),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db.conn())
    .await
    .map_err(unique_to(name_taken))
}

pub async fn list_categories(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    page: PageRequest,
) -> AppResult<Page<category::Model>> {
    get_outlet(db, actor, outlet_id).await?;
    let mut query = category::Entity::find()
        .filter(category::Column::OutletId.eq(outlet_id))
        .order_by_asc(category::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(category::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |c| c.id))
}

pub async fn get_category(db: &Db, actor: &Staff, id: Uuid) -> AppResult<category::Model> {
    category::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|c| actor.sees_outlet(c.outlet_id))
        .ok_or_else(|| AppError::not_found("category"))
}

pub async fn update_category(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: CategoryChanges,
) -> AppResult<category::Model> {
    let current = get_category(db, actor, id).await?;
    actor.authorize(Action::ManageMenu)?;
    let mut model: category::ActiveModel = current.into();
    if let Some(name) = changes.name {
        model.name = Set(clean_name("name", &name)?);
    }
    if let Some(sort) = changes.sort {
        model.sort = Set(sort);
    }
    if let Some(station) = changes.station {
        model.station = Set(clean_station(station.as_deref())?);
    }
    model.updated_at = Set(Utc::now());
    model.update(db.conn()).await.map_err(unique_to(name_taken))
}

/// Deletes an empty category (removed products in it lose their category).
pub async fn delete_category(db: &Db, actor: &Staff, id: Uuid) -> AppResult<()> {
    let current = get_category(db, actor, id).await?;
    actor.authorize(Action::ManageMenu)?;
    let txn = db.begin().await?;
    let in_use = product::Entity::find()
        .filter(product::Column::CategoryId.eq(current.id))
        .filter(product::Column::Deleted.eq(false))
        .count(&txn)
        .await?;
    if in_use > 0 {
        return Err(AppError::conflict(
            "CATEGORY_NOT_EMPTY",
            format!("{in_use} product(s) are still in this category; move or remove them first"),
        ));
    }
    product::Entity::update_many()
        .col_expr(
            product::Column::CategoryId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(product::Column::CategoryId.eq(current.id))
        .exec(&txn)
        .await?;
    category::Entity::delete_by_id(current.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

fn name_taken() -> AppError {
    AppError::conflict(
        "CATEGORY_NAME_TAKEN",
        "this outlet already has a category with that name",
    )
}
