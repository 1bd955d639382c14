//! The menu as guests and staff read it: products by category, in display order; and as an
//! order reads it (`OutletMenu`), remembered between orders.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    outlets::get_outlet,
    products::{with_modifiers, ProductDetails},
};
use crate::{
    auth::{Action, Guest, Staff},
    db::Db,
    entity::{category, outlet, printer, product},
    error::{AppError, AppResult},
    memory::Memory,
};

pub struct Menu {
    pub outlet: outlet::Model,
    /// Categories in display order; products without a category come last, under `None`.
    pub sections: Vec<(Option<category::Model>, Vec<ProductDetails>)>,
}

/// The menu of `outlet_id`, or of the staff member's own outlet (or the only outlet).
pub async fn menu_for_staff(
    db: &Db,
    actor: &Staff,
    outlet_id: Option<Uuid>,
    include_sold_out: bool,
) -> AppResult<Menu> {
    let outlet_id = match (outlet_id, actor.outlet_id) {
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) if actor.may(Action::SeeAllOutlets) => {
            let outlets = outlet::Entity::find().limit(2).all(db.conn()).await?;
            match outlets.as_slice() {
                [only] => only.id,
                _ => {
                    return Err(AppError::bad_request(
                        "OUTLET_REQUIRED",
                        "name the outlet with ?outlet_id=",
                    ))
                }
            }
        }
        (None, None) => {
            return Err(AppError::bad_request(
                "OUTLET_REQUIRED",
                "name the outlet with ?outlet_id=",
            ))
        }
    };
    let outlet = get_outlet(db, actor, outlet_id).await?;
    build_menu(db.conn(), outlet, include_sold_out).await
}

/// The menu of the guest's table's outlet.
pub async fn menu_for_guest(db: &Db, guest: &Guest, include_sold_out: bool) -> AppResult<Menu> {
    let outlet = outlet::Entity::find_by_id(guest.outlet_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))?;
    build_menu(db.conn(), outlet, include_sold_out).await
}

pub async fn build_menu(
    conn: &impl ConnectionTrait,
    outlet: outlet::Model,
    include_sold_out: bool,
) -> AppResult<Menu> {
    let categories = category::Entity::find()
        .filter(category::Column::OutletId.eq(outlet.id))
        .order_by_asc(category::Column::Sort)
        .order_by_asc(category::Column::Name)
        .all(conn)
        .await?;
    let mut query = product::Entity::find()
        .filter(product::Column::OutletId.eq(outlet.id))
        .filter(product::Column::Deleted.eq(false))
        .order_by_asc(product::Column::Sort)
        .order_by_asc(product::Column::Name);
    if !include_sold_out {
        query = query.filter(product::Column::Available.eq(true));
    }
    let mut products = with_modifiers(conn, query.all(conn).await?).await?;
    if !include_sold_out {
        for details in &mut products {
            for group in &mut details.groups {
                group.options.retain(|option| option.available);
            }
        }
    }

    let mut sections: Vec<(Option<category::Model>, Vec<ProductDetails>)> = Vec::new();
    for category in categories {
        let (mine, rest): (Vec<_>, Vec<_>) = products
            .into_iter()
            .partition(|p| p.product.category_id == Some(category.id));
        products = rest;
        if !mine.is_empty() {
            sections.push((Some(category), mine));
        }
    }
    if !products.is_empty() {
        sections.push((None, products));
    }
    Ok(Menu { outlet, sections })
}

/// What taking an order reads of an outlet: its settings (prices' tax and service charge, the
/// business day, the tickets' language), its printers, and its dishes (not deleted, sold-out
/// ones included) with their choices.
#[derive(Debug)]
pub struct OutletMenu {
    pub outlet: outlet::Model,
    pub printers: Vec<printer::Model>,
    pub dishes: HashMap<Uuid, ProductDetails>,
}

/// The menu of `outlet_id` as orders read it, from memory when nothing changed since it was
/// read (`crate::memory`), else from one snapshot of the database. `None`: no such outlet.
pub async fn outlet_menu(
    db: &Db,
    memory: &Memory,
    outlet_id: Uuid,
) -> AppResult<Option<Arc<OutletMenu>>> {
    if let Some(menu) = memory.menus.get(&outlet_id) {
        return Ok(Some(menu));
    }
    let generation = memory.menus.generation();
    let txn = db.read_snapshot().await?;
    let Some((outlet, printers)) = outlet::Entity::find_by_id(outlet_id)
        .find_with_related(printer::Entity)
        .all(&txn)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let products = product::Entity::find()
        .filter(product::Column::OutletId.eq(outlet_id))
        .filter(product::Column::Deleted.eq(false))
        .all(&txn)
        .await?;
    let dishes = with_modifiers(&txn, products)
        .await?
        .into_iter()
        .map(|dish| (dish.product.id, dish))
        .collect();
    txn.commit().await?;
    let menu = Arc::new(OutletMenu {
        outlet,
        printers,
        dishes,
    });
    memory.menus.keep(outlet_id, menu.clone(), generation);
    Ok(Some(menu))
}
