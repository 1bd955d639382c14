//! Products and their modifier groups ("Spice level": Mild +0 / Extra hot +2000).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    check_amount, clean_name, clean_text,
    events::{self, Event},
    outlets::get_outlet,
    Page, PageRequest,
};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::{category, modifier_group, modifier_option, product},
    error::{AppError, AppResult},
};

pub const MAX_DESCRIPTION_LEN: usize = 500;
pub const MAX_OPTIONS: usize = 50;

/// A product with its modifier groups and their options, in display order.
#[derive(Debug, Clone)]
pub struct ProductDetails {
    pub product: product::Model,
    pub groups: Vec<GroupDetails>,
}

#[derive(Debug, Clone)]
pub struct GroupDetails {
    pub group: modifier_group::Model,
    pub options: Vec<modifier_option::Model>,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub description: Option<String>,
    pub price: i64,
    pub category_id: Option<Uuid>,
    pub available: Option<bool>,
    pub sort: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<i64>,
    /// `Some(None)` removes the product from its category.
    pub category_id: Option<Option<Uuid>>,
    pub available: Option<bool>,
    pub sort: Option<i32>,
}

impl ProductChanges {
    /// Only the sold-out switch: what KASIR and KITCHEN may change.
    fn only_availability(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.price.is_none()
            && self.category_id.is_none()
            && self.sort.is_none()
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub category_id: Option<Uuid>,
    pub available: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct OptionInput {
    /// An existing option of the group to keep (and update); `None` adds one.
    pub id: Option<Uuid>,
    pub name: String,
    pub price_delta: i64,
    pub available: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewModifierGroup {
    pub name: String,
    pub min_select: i32,
    pub max_select: i32,
    pub sort: Option<i32>,
    pub options: Vec<OptionInput>,
}

#[derive(Debug, Clone, Default)]
pub struct ModifierGroupChanges {
    pub name: Option<String>,
    pub min_select: Option<i32>,
    pub max_select: Option<i32>,
    pub sort: Option<i32>,
    /// The complete new list: options left out are removed.
    pub options: Option<Vec<OptionInput>>,
}

pub async fn create_product(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    input: NewProduct,
) -> AppResult<ProductDetails> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManageMenu)?;
    if let Some(category_id) = input.category_id {
        check_category(db.conn(), outlet_id, category_id).await?;
    }
    let now = Utc::now();
    let product = product::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        category_id: Set(input.category_id),
        name: Set(clean_name("name", &input.name)?),
        description: Set(clean_text(
            "description",
            input.description.as_deref().unwrap_or(""),
            MAX_DESCRIPTION_LEN,
        )?),
        price: Set(check_amount("price", input.price)?),
        available: Set(input.available.unwrap_or(true)),
        sort: Set(input.sort.unwrap_or(0)),
        deleted: Set(false),
        image_etag: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = db.begin().await?;
    let product = product.insert(&txn).await?;
    announce_change(&txn, &product).await?;
    txn.commit().await?;
    Ok(ProductDetails {
        product,
        groups: Vec::new(),
    })
}

pub async fn list_products(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    filter: ProductFilter,
    page: PageRequest,
) -> AppResult<Page<ProductDetails>> {
    get_outlet(db, actor, outlet_id).await?;
    let mut query = product::Entity::find()
        .filter(product::Column::OutletId.eq(outlet_id))
        .filter(product::Column::Deleted.eq(false))
        .order_by_asc(product::Column::Id);
    if let Some(category_id) = filter.category_id {
        query = query.filter(product::Column::CategoryId.eq(category_id));
    }
    if let Some(available) = filter.available {
        query = query.filter(product::Column::Available.eq(available));
    }
    if let Some(after) = page.after {
        query = query.filter(product::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    let page = page.page(rows, |p| p.id);
    Ok(Page {
        items: with_modifiers(db.conn(), page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get_product(db: &Db, actor: &Staff, id: Uuid) -> AppResult<ProductDetails> {
    let product = visible_product(db, actor, id).await?;
    let mut details = with_modifiers(db.conn(), vec![product]).await?;
    details.pop().ok_or_else(|| AppError::not_found("product"))
}

pub async fn update_product(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: ProductChanges,
) -> AppResult<ProductDetails> {
    let current = visible_product(db, actor, id).await?;
    let (old_price, was_available) = (current.price, current.available);
    if !(changes.only_availability() && actor.may(Action::SetAvailability)) {
        actor.authorize(Action::ManageMenu)?;
    }
    if let Some(Some(category_id)) = changes.category_id {
        check_category(db.conn(), current.outlet_id, category_id).await?;
    }
    let mut model: product::ActiveModel = current.into();
    if let Some(name) = changes.name {
        model.name = Set(clean_name("name", &name)?);
    }
    if let Some(description) = changes.description {
        model.description = Set(clean_text(
            "description",
            &description,
            MAX_DESCRIPTION_LEN,
        )?);
    }
    if let Some(price) = changes.price {
        // Orders snapshot their prices, so this never changes an existing order.
        model.price = Set(check_amount("price", price)?);
    }
    if let Some(category_id) = changes.category_id {
        model.category_id = Set(category_id);
    }
    if let Some(available) = changes.available {
        model.available = Set(available);
    }
    if let Some(sort) = changes.sort {
        model.sort = Set(sort);
    }
    model.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let updated = model.update(&txn).await?;
    // Prices and sold-out marks are what the audit log keeps of the menu.
    if updated.price != old_price || updated.available != was_available {
        let entry = audit::Entry::by(actor, Some(updated.outlet_id), AuditAction::ProductChanged)
            .on("product", updated.id)
            .details(serde_json::json!({
                "name": updated.name,
                "price": [old_price, updated.price],
                "available": [was_available, updated.available],
            }));
        audit::record(&txn, entry).await?;
    }
    announce_change(&txn, &updated).await?;
    txn.commit().await?;
    let mut details = with_modifiers(db.conn(), vec![updated]).await?;
    details.pop().ok_or_else(|| AppError::not_found("product"))
}

/// Takes a product off the menu for good. Past orders keep their copy of its name and price.
pub async fn delete_product(db: &Db, actor: &Staff, id: Uuid) -> AppResult<()> {
    let current = visible_product(db, actor, id).await?;
    actor.authorize(Action::ManageMenu)?;
    let mut model: product::ActiveModel = current.into();
    model.deleted = Set(true);
    model.available = Set(false);
    model.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let removed = model.update(&txn).await?;
    announce_change(&txn, &removed).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn create_modifier_group(
    db: &Db,
    actor: &Staff,
    product_id: Uuid,
    input: NewModifierGroup,
) -> AppResult<GroupDetails> {
    let product = visible_product(db, actor, product_id).await?;
    actor.authorize(Action::ManageMenu)?;
    let name = clean_name("name", &input.name)?;
    check_selection(input.min_select, input.max_select, input.options.len())?;
    if input.options.iter().any(|o| o.id.is_some()) {
        return Err(AppError::validation(
            "options",
            "new options must not carry an id",
        ));
    }

    let txn = db.begin().await?;
    let group = modifier_group::ActiveModel {
        id: Set(Uuid::now_v7()),
        product_id: Set(product.id),
        name: Set(name),
        min_select: Set(input.min_select),
        max_select: Set(input.max_select),
        sort: Set(input.sort.unwrap_or(0)),
    }
    .insert(&txn)
    .await?;
    let options = sync_options(&txn, group.id, Vec::new(), input.options).await?;
    announce_change(&txn, &product).await?;
    txn.commit().await?;
    Ok(GroupDetails { group, options })
}

pub async fn update_modifier_group(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: ModifierGroupChanges,
) -> AppResult<GroupDetails> {
    let (group, product) = visible_group(db, actor, id).await?;
    actor.authorize(Action::ManageMenu)?;

    let txn = db.begin().await?;
    let existing = options_of(&txn, &[group.id]).await?;
    let option_count = changes.options.as_ref().map_or(existing.len(), Vec::len);
    let min_select = changes.min_select.unwrap_or(group.min_select);
    let max_select = changes.max_select.unwrap_or(group.max_select);
    check_selection(min_select, max_select, option_count)?;

    let mut model: modifier_group::ActiveModel = group.clone().into();
    if let Some(name) = changes.name {
        model.name = Set(clean_name("name", &name)?);
    }
    model.min_select = Set(min_select);
    model.max_select = Set(max_select);
    if let Some(sort) = changes.sort {
        model.sort = Set(sort);
    }
    let group = model.update(&txn).await?;
    let options = match changes.options {
        Some(inputs) => sync_options(&txn, group.id, existing, inputs).await?,
        None => existing,
    };
    announce_change(&txn, &product).await?;
    txn.commit().await?;
    Ok(GroupDetails { group, options })
}

pub async fn delete_modifier_group(db: &Db, actor: &Staff, id: Uuid) -> AppResult<()> {
    let (group, product) = visible_group(db, actor, id).await?;
    actor.authorize(Action::ManageMenu)?;
    let txn = db.begin().await?;
    modifier_option::Entity::delete_many()
        .filter(modifier_option::Column::GroupId.eq(group.id))
        .exec(&txn)
        .await?;
    modifier_group::Entity::delete_by_id(group.id)
        .exec(&txn)
        .await?;
    announce_change(&txn, &product).await?;
    txn.commit().await?;
    Ok(())
}

/// `PRODUCT_UPDATED`, so open menus (kitchen, guests' phones) refresh that product.
pub(super) async fn announce_change(
    txn: &DatabaseTransaction,
    product: &product::Model,
) -> AppResult<()> {
    events::record(txn, Event::ProductUpdated(product)).await?;
    Ok(())
}

/// Attaches modifier groups and options to products, keeping the products' order.
pub async fn with_modifiers(
    conn: &impl ConnectionTrait,
    products: Vec<product::Model>,
) -> AppResult<Vec<ProductDetails>> {
    let ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
    let groups = if ids.is_empty() {
        Vec::new()
    } else {
        modifier_group::Entity::find()
            .filter(modifier_group::Column::ProductId.is_in(ids))
            .order_by_asc(modifier_group::Column::Sort)
            .order_by_asc(modifier_group::Column::Id)
            .all(conn)
            .await?
    };
    let group_ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    let mut options_by_group: HashMap<Uuid, Vec<modifier_option::Model>> = HashMap::new();
    for option in options_of(conn, &group_ids).await? {
        options_by_group
            .entry(option.group_id)
            .or_default()
            .push(option);
    }
    let mut groups_by_product: HashMap<Uuid, Vec<GroupDetails>> = HashMap::new();
    for group in groups {
        let options = options_by_group.remove(&group.id).unwrap_or_default();
        groups_by_product
            .entry(group.product_id)
            .or_default()
            .push(GroupDetails { group, options });
    }
    Ok(products
        .into_iter()
        .map(|product| ProductDetails {
            groups: groups_by_product.remove(&product.id).unwrap_or_default(),
            product,
        })
        .collect())
}

async fn options_of(
    conn: &impl ConnectionTrait,
    group_ids: &[Uuid],
) -> AppResult<Vec<modifier_option::Model>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(modifier_option::Entity::find()
        .filter(modifier_option::Column::GroupId.is_in(group_ids.to_vec()))
        .order_by_asc(modifier_option::Column::Sort)
        .order_by_asc(modifier_option::Column::Id)
        .all(conn)
        .await?)
}

/// Makes the group's options equal `inputs`: ids update in place, new ones are added,
/// the rest removed. Order items keep their own copies, so removal is safe.
async fn sync_options(
    conn: &impl ConnectionTrait,
    group_id: Uuid,
    existing: Vec<modifier_option::Model>,
    inputs: Vec<OptionInput>,
) -> AppResult<Vec<modifier_option::Model>> {
    let mut existing: HashMap<Uuid, modifier_option::Model> =
        existing.into_iter().map(|o| (o.id, o)).collect();
    let mut kept = Vec::with_capacity(inputs.len());
    for (position, input) in inputs.into_iter().enumerate() {
        let name = clean_name("options.name", &input.name)?;
        let price_delta = check_amount("options.price_delta", input.price_delta)?;
        let sort = i32::try_from(position).unwrap_or(i32::MAX);
        let option = match input.id {
            Some(id) => {
                let current = existing.remove(&id).ok_or_else(|| {
                    AppError::validation("options.id", "option does not belong to this group")
                })?;
                let mut model: modifier_option::ActiveModel = current.into();
                model.name = Set(name);
                model.price_delta = Set(price_delta);
                if let Some(available) = input.available {
                    model.available = Set(available);
                }
                model.sort = Set(sort);
                model.update(conn).await?
            }
            None => {
                modifier_option::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    group_id: Set(group_id),
                    name: Set(name),
                    price_delta: Set(price_delta),
                    available: Set(input.available.unwrap_or(true)),
                    sort: Set(sort),
                }
                .insert(conn)
                .await?
            }
        };
        kept.push(option);
    }
    let removed: Vec<Uuid> = existing.into_keys().collect();
    if !removed.is_empty() {
        modifier_option::Entity::delete_many()
            .filter(modifier_option::Column::Id.is_in(removed))
            .exec(conn)
            .await?;
    }
    Ok(kept)
}

/// 0 ≤ min ≤ max ≤ number of options, at least one option, and at least one pick allowed.
pub fn check_selection(min_select: i32, max_select: i32, options: usize) -> AppResult<()> {
    if options == 0 || options > MAX_OPTIONS {
        return Err(AppError::validation(
            "options",
            format!("a group needs 1–{MAX_OPTIONS} options"),
        ));
    }
    let options = i32::try_from(options).unwrap_or(i32::MAX);
    if min_select < 0 || max_select < 1 || min_select > max_select || max_select > options {
        return Err(AppError::validation(
            "max_select",
            format!("need 0 ≤ min_select ≤ max_select ≤ {options} (the number of options) and max_select ≥ 1"),
        ));
    }
    Ok(())
}

async fn check_category(
    conn: &impl ConnectionTrait,
    outlet_id: Uuid,
    category_id: Uuid,
) -> AppResult<()> {
    let found = category::Entity::find_by_id(category_id).one(conn).await?;
    match found {
        Some(c) if c.outlet_id == outlet_id => Ok(()),
        _ => Err(AppError::validation(
            "category_id",
            "no such category in this outlet",
        )),
    }
}

pub(super) async fn visible_product(db: &Db, actor: &Staff, id: Uuid) -> AppResult<product::Model> {
    product::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|p| !p.deleted && actor.sees_outlet(p.outlet_id))
        .ok_or_else(|| AppError::not_found("product"))
}

async fn visible_group(
    db: &Db,
    actor: &Staff,
    id: Uuid,
) -> AppResult<(modifier_group::Model, product::Model)> {
    let not_found = || AppError::not_found("modifier group");
    let group = modifier_group::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(not_found)?;
    let product = visible_product(db, actor, group.product_id)
        .await
        .map_err(|err| err.when_not_found(not_found))?;
    Ok((group, product))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_bounds() {
        assert!(check_selection(1, 1, 2).is_ok());
        assert!(check_selection(0, 3, 3).is_ok());
        assert!(check_selection(2, 1, 3).is_err(), "min > max");
        assert!(check_selection(0, 4, 3).is_err(), "max > options");
        assert!(check_selection(-1, 1, 3).is_err());
        assert!(check_selection(0, 0, 3).is_err());
        assert!(check_selection(0, 1, 0).is_err());
    }
}
