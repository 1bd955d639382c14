//! Orders: creation with server-side prices and totals, numbering per business day,
//! idempotent retries, and race-safe status moves.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chrono::{SubsecRound, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, OnConflict, Query},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    check_len, clean_optional,
    events::{self, Event},
    idempotency::{self, IdempotencyKey},
    menu::{outlet_menu, OutletMenu},
    printing::KitchenTickets,
    products::ProductDetails,
    Page, PageRequest, MAX_NOTE_LEN,
};
use crate::{
    auth::{Action, Principal, Staff},
    db::{Batch, Db, WriteTxn},
    domain::{
        self, BillLine, DiscountKind, DiscountValue, OrderSource, OrderStatus, PaymentStatus,
        SessionStatus,
    },
    entity::{
        order, order_adjustment, order_discount, order_item, order_status_change, outlet,
        table_session, user,
    },
    error::{AppError, AppResult},
    memory::Memory,
};

pub const MAX_ITEMS: usize = 100;
pub const MAX_QUANTITY: i32 = 999;

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub outlet_id: Option<Uuid>,
    pub table_session_id: Option<Uuid>,
    pub note: Option<String>,
    pub items: Vec<NewOrderItem>,
}

#[derive(Debug, Clone)]
pub struct NewOrderItem {
    pub product_id: Uuid,
    pub quantity: i32,
    pub note: Option<String>,
    pub modifier_option_ids: Vec<Uuid>,
}

/// A chosen modifier, copied onto the order item as it was when ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenModifier {
    pub group_id: Uuid,
    pub group_name: String,
    pub option_id: Uuid,
    pub option_name: String,
    pub price_delta: i64,
}

#[derive(Debug, Clone)]
pub struct OrderDetails {
    pub order: order::Model,
    pub items: Vec<ItemDetails>,
    /// The discounts standing on the order, each with what it takes off now.
    pub discounts: Vec<(order_discount::Model, i64)>,
    /// Every correction made to it, oldest first.
    pub adjustments: Vec<AdjustmentDetails>,
}

#[derive(Debug, Clone)]
pub struct AdjustmentDetails {
    pub adjustment: order_adjustment::Model,
    /// The username of who made it (empty if the account is gone).
    pub created_by_name: String,
}

#[derive(Debug, Clone)]
pub struct ItemDetails {
    pub item: order_item::Model,
    pub modifiers: Vec<ChosenModifier>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub outlet_id: Option<Uuid>,
    pub status: Option<OrderStatus>,
    pub table_session_id: Option<Uuid>,
    pub created_after: Option<chrono::DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub reason: Option<String>,
    /// When given, the move only happens if the order is still at this version.
    pub expected_version: Option<i32>,
}

pub async fn create_order(
    db: &Db,
    memory: &Memory,
    principal: &Principal,
    input: NewOrder,
    idempotency: Option<IdempotencyKey>,
) -> AppResult<OrderDetails> {
    principal.authorize(Action::PlaceOrder)?;
    check_input(&input)?;
    let key = idempotency.as_ref();
    let earlier = match place_order(db, memory, principal, &input, key).await {
        Ok(Placed::New(details)) => return Ok(*details),
        Ok(Placed::Earlier(earlier)) => earlier,
        // Refused as things are now (the table closed since, a dish sold out): a retry of a
        // request that was accepted before still gets its order. Checked only here, so the
        // usual path spends no read on it.
        Err(err) if err.status().is_client_error() => {
            idempotency::earlier(db, key).await?.ok_or(err)?
        }
        Err(err) => return Err(err),
    };
    // A replay answers like reading the order: 404 once the caller no longer sees it.
    get_order(db, principal, earlier).await
}

/// A new order, or the one an earlier request with the same key placed.
enum Placed {
    New(Box<OrderDetails>),
    Earlier(Uuid),
}

async fn place_order(
    db: &Db,
    memory: &Memory,
    principal: &Principal,
    input: &NewOrder,
    idempotency: Option<&IdempotencyKey>,
) -> AppResult<Placed> {
    let (menu, session_id) = resolve_place(db, memory, principal, input).await?;
    let outlet = &menu.outlet;
    // Reads that need no lock, before the write transaction: the menu as it is now (a dish
    // sold out meanwhile lands on either side of this order) and what the tickets need.
    let lines = price_lines(&menu, &input.items)?;
    let bill_lines: Vec<BillLine> = lines
        .iter()
        .map(|l| BillLine::new(l.unit_price, l.quantity))
        .collect();
    let totals = domain::bill(&bill_lines, &[], outlet.service_charge_bp, outlet.tax_bp)
        .map(|bill| bill.totals)
        .filter(|t| t.subtotal <= super::MAX_AMOUNT)
        .ok_or_else(too_large)?;
    let categories: HashMap<Uuid, Option<Uuid>> = lines
        .iter()
        .map(|l| (l.product_id, l.category_id))
        .collect();
    let by = match principal {
        Principal::Staff(staff) => Some(staff.username.as_str()),
        Principal::Guest(_) => None,
    };
    let tickets =
        KitchenTickets::prepare(db.conn(), outlet, &menu.printers, session_id, by).await?;

    let order_id = Uuid::now_v7();
    let txn = db.begin().await?;
    if let Some(session_id) = session_id {
        // Locks the session row, so a concurrent close waits for this order (or wins first).
        let session = table_session::Entity::find_by_id(session_id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::validation("table_session_id", "table session not found"))?;
        if session.status != SessionStatus::Open {
            return Err(AppError::conflict(
                "SESSION_CLOSED",
                "this table session is closed",
            ));
        }
    }

    // Microseconds, as PostgreSQL keeps it: the answer shows what a read will.
    let now = Utc::now().trunc_subsecs(6);
    let business_date = business_date(outlet, now);
    let number = match (
        claim_and_number(&txn, idempotency, order_id, outlet.id, &business_date).await?,
        idempotency,
    ) {
        (Some(number), _) => number,
        (None, Some(key)) => return Ok(Placed::Earlier(idempotency::taken(txn, key).await?)),
        (None, None) => return Err(AppError::internal("order counter returned no row")),
    };
    // The order row is its own creation record (who, when, NEW); `order_status_changes`
    // holds the moves after it.
    let order = order::Model {
        id: order_id,
        outlet_id: outlet.id,
        table_session_id: session_id,
        business_date,
        number,
        source: match principal {
            Principal::Guest(_) => OrderSource::Qr,
            Principal::Staff(_) => OrderSource::Staff,
        },
        status: OrderStatus::New,
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_owned(),
        subtotal: totals.subtotal,
        discount_amount: totals.discount,
        service_charge_amount: totals.service_charge,
        tax_amount: totals.tax,
        total_amount: totals.total,
        paid_amount: 0,
        payment_status: PaymentStatus::Unpaid,
        service_charge_bp: outlet.service_charge_bp,
        tax_bp: outlet.tax_bp,
        split_from: None,
        version: 1,
        created_by: principal.user_id(),
        created_at: now,
        updated_at: now,
        receipt_token: None,
    };
    let items = lines
        .into_iter()
        .map(|line| {
            let item = order_item::Model {
                id: Uuid::now_v7(),
                order_id,
                product_id: line.product_id,
                name: line.name,
                unit_price: line.unit_price,
                quantity: line.quantity,
                note: line.note,
                modifiers: serde_json::to_string(&line.modifiers).map_err(AppError::internal)?,
                line_total: line.line_total,
                voided_quantity: 0,
                comped_quantity: 0,
                discount_amount: 0,
            };
            Ok(ItemDetails {
                item,
                modifiers: line.modifiers,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let details = OrderDetails {
        order,
        items,
        discounts: Vec::new(),
        adjustments: Vec::new(),
    };
    // The order, all its lines, its tickets and its event: one round trip.
    let backend = txn.get_database_backend();
    let mut writes = Batch::new(backend);
    writes.push(&order::Entity::insert(order::ActiveModel::from(
        details.order.clone(),
    )));
    writes.push(&order_item::Entity::insert_many(
        details
            .items
            .iter()
            .map(|i| order_item::ActiveModel::from(i.item.clone())),
    ));
    tickets.queue(&mut writes, outlet, &details, &categories);
    writes.push_statement(events::record_statement(backend, Event::NewOrder(&details)));
    writes.run(&txn).await?;
    txn.commit().await?;
    Ok(Placed::New(Box::new(details)))
}

pub(super) fn too_large() -> AppError {
    AppError::validation("items", "the order total is too large")
}

fn check_input(input: &NewOrder) -> AppResult<()> {
    if input.items.is_empty() || input.items.len() > MAX_ITEMS {
        return Err(AppError::validation(
            "items",
            format!("an order needs 1–{MAX_ITEMS} items"),
        ));
    }
    if let Some(note) = &input.note {
        check_len("note", note, MAX_NOTE_LEN)?;
    }
    for item in &input.items {
        if !(1..=MAX_QUANTITY).contains(&item.quantity) {
            return Err(AppError::validation(
                "items.quantity",
                format!("quantity must be 1–{MAX_QUANTITY}"),
            ));
        }
        if let Some(note) = &item.note {
            check_len("items.note", note, MAX_NOTE_LEN)?;
        }
        if item.modifier_option_ids.len() > super::products::MAX_OPTIONS {
            return Err(AppError::validation(
                "items.modifier_option_ids",
                "too many modifier options",
            ));
        }
    }
    Ok(())
}

/// The outlet (its menu) and session an order goes to. Guests order for their own session;
/// staff name an outlet (default: their own) and optionally an open session of it.
async fn resolve_place(
    db: &Db,
    memory: &Memory,
    principal: &Principal,
    input: &NewOrder,
) -> AppResult<(Arc<OutletMenu>, Option<Uuid>)> {
    let (outlet_id, session_id) = match principal {
        Principal::Guest(guest) => {
            if input
                .table_session_id
                .is_some_and(|id| id != guest.session_id)
            {
                return Err(AppError::Forbidden(
                    "a guest orders only for its own table".into(),
                ));
            }
            if input.outlet_id.is_some_and(|id| id != guest.outlet_id) {
                return Err(AppError::validation("outlet_id", "outlet not found"));
            }
            (guest.outlet_id, Some(guest.session_id))
        }
        Principal::Staff(staff) => match input.table_session_id {
            Some(session_id) => {
                let session = table_session::Entity::find_by_id(session_id)
                    .one(db.conn())
                    .await?
                    .filter(|s| staff.sees_outlet(s.outlet_id))
                    .ok_or_else(|| {
                        AppError::validation("table_session_id", "table session not found")
                    })?;
                if input.outlet_id.is_some_and(|id| id != session.outlet_id) {
                    return Err(AppError::validation(
                        "outlet_id",
                        "the table session belongs to another outlet",
                    ));
                }
                (session.outlet_id, Some(session.id))
            }
            None => match input.outlet_id.or(staff.outlet_id) {
                Some(outlet_id) => (outlet_id, None),
                None => {
                    return Err(AppError::bad_request(
                        "OUTLET_REQUIRED",
                        "outlet_id is required",
                    ))
                }
            },
        },
    };
    let menu = outlet_menu(db, memory, outlet_id)
        .await?
        .filter(|menu| principal.sees_outlet(menu.outlet.id))
        .ok_or_else(|| AppError::validation("outlet_id", "outlet not found"))?;
    Ok((menu, session_id))
}

struct PricedLine {
    product_id: Uuid,
    category_id: Option<Uuid>,
    name: String,
    unit_price: i64,
    quantity: i32,
    note: String,
    modifiers: Vec<ChosenModifier>,
    line_total: i64,
}

/// Prices each line from the menu as it is now: unknown or foreign products are 400, sold-out
/// ones 409, and chosen options must fit the product's groups (else `400 MODIFIERS_INVALID`).
fn price_lines(menu: &OutletMenu, items: &[NewOrderItem]) -> AppResult<Vec<PricedLine>> {
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let dish = menu.dishes.get(&item.product_id).ok_or_else(|| {
            AppError::validation(
                "items.product_id",
                format!("product {} is not on this outlet's menu", item.product_id),
            )
        })?;
        let product = &dish.product;
        if !product.available {
            return Err(AppError::conflict(
                "PRODUCT_UNAVAILABLE",
                format!("{} is sold out", product.name),
            ));
        }
        let modifiers = choose_modifiers(dish, &item.modifier_option_ids)?;
        let unit_price = modifiers
            .iter()
            .try_fold(product.price, |sum, m| sum.checked_add(m.price_delta))
            .ok_or_else(too_large)?;
        let line_total = unit_price
            .checked_mul(i64::from(item.quantity))
            .ok_or_else(too_large)?;
        lines.push(PricedLine {
            product_id: product.id,
            category_id: product.category_id,
            name: product.name.clone(),
            unit_price,
            quantity: item.quantity,
            note: item.note.as_deref().map(str::trim).unwrap_or("").to_owned(),
            modifiers,
            line_total,
        });
    }
    Ok(lines)
}

fn modifiers_invalid(detail: String) -> AppError {
    AppError::bad_request("MODIFIERS_INVALID", detail)
}

/// Checks the chosen options against the product's groups and returns their snapshots.
fn choose_modifiers(dish: &ProductDetails, chosen: &[Uuid]) -> AppResult<Vec<ChosenModifier>> {
    let product = &dish.product;
    let mut seen = HashSet::new();
    let mut per_group: HashMap<Uuid, i32> = HashMap::new();
    let mut picked = Vec::with_capacity(chosen.len());
    for option_id in chosen {
        if !seen.insert(*option_id) {
            return Err(modifiers_invalid(format!(
                "option {option_id} is chosen twice"
            )));
        }
        let found = dish.groups.iter().find_map(|g| {
            let option = g.options.iter().find(|o| o.id == *option_id)?;
            Some((&g.group, option))
        });
        let Some((group, option)) = found else {
            return Err(modifiers_invalid(format!(
                "option {option_id} is not an option of {}",
                product.name
            )));
        };
        if !option.available {
            return Err(modifiers_invalid(format!(
                "{} is not available",
                option.name
            )));
        }
        *per_group.entry(group.id).or_default() += 1;
        picked.push(ChosenModifier {
            group_id: group.id,
            group_name: group.name.clone(),
            option_id: option.id,
            option_name: option.name.clone(),
            price_delta: option.price_delta,
        });
    }
    for group in dish.groups.iter().map(|g| &g.group) {
        let count = per_group.get(&group.id).copied().unwrap_or(0);
        if count < group.min_select || count > group.max_select {
            return Err(modifiers_invalid(format!(
                "{}: choose between {} and {} option(s) of \"{}\"",
                product.name, group.min_select, group.max_select, group.name
            )));
        }
    }
    Ok(picked)
}

/// Today's date where the outlet is (its business day).
fn business_date(outlet: &outlet::Model, now: chrono::DateTime<Utc>) -> String {
    let tz = super::outlets::timezone_of(outlet);
    now.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// Claims the Idempotency-Key (if any) for `order_id` and takes the next order number of the
/// outlet's business day, in one round trip: the counter moves only when the key was free.
/// `None`: the key is taken, and nothing was written.
async fn claim_and_number(
    txn: &WriteTxn,
    key: Option<&IdempotencyKey>,
    order_id: Uuid,
    outlet_id: Uuid,
    business_date: &str,
) -> AppResult<Option<i32>> {
    let Some(key) = key else {
        return next_number(txn, outlet_id, business_date).await.map(Some);
    };
    let backend = txn.get_database_backend();
    let claim = key.claim_statement(backend, order_id);
    let mut values = claim.values.map(|v| v.0).unwrap_or_default();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "WITH claimed AS ({} RETURNING 1) \
             INSERT INTO order_counters (outlet_id, business_date, last_number) \
             SELECT ${}, ${}, 1 FROM claimed \
             ON CONFLICT (outlet_id, business_date) \
             DO UPDATE SET last_number = order_counters.last_number + 1 RETURNING last_number",
            claim.sql,
            values.len() + 1,
            values.len() + 2
        ),
        _ => format!(
            "{}; \
             INSERT INTO order_counters (outlet_id, business_date, last_number) \
             SELECT ?, ?, 1 WHERE changes() = 1 \
             ON CONFLICT (outlet_id, business_date) \
             DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
            claim.sql
        ),
    };
    values.extend([outlet_id.into(), business_date.into()]);
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.first()
        .map(|row| row.try_get::<i32>("", "last_number"))
        .transpose()
        .map_err(Into::into)
}

/// The next order number of the outlet's business day. One upsert on a counter row: the row
/// lock (PostgreSQL) or the write lock (SQLite) hands out each number once.
pub(super) async fn next_number(
    txn: &DatabaseTransaction,
    outlet_id: Uuid,
    business_date: &str,
) -> AppResult<i32> {
    let table = Alias::new("order_counters");
    let last = Alias::new("last_number");
    let insert = Query::insert()
        .into_table(table.clone())
        .columns([
            Alias::new("outlet_id"),
            Alias::new("business_date"),
            last.clone(),
        ])
        .values([outlet_id.into(), business_date.into(), 1.into()])
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::columns([Alias::new("outlet_id"), Alias::new("business_date")])
                .value(last.clone(), Expr::col((table, last.clone())).add(1))
                .to_owned(),
        )
        .returning_col(last)
        .to_owned();
    let row = txn
        .query_one(&insert)
        .await?
        .ok_or_else(|| AppError::internal("order counter returned no row"))?;
    Ok(row.try_get::<i32>("", "last_number")?)
}

pub(super) async fn record_status(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    by: Option<Uuid>,
    reason: Option<String>,
) -> AppResult<()> {
    order_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        from_status: Set(from),
        to_status: Set(to),
        changed_by: Set(by),
        reason: Set(reason),
        at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The original's `NEW_ORDER` payload fields (`id`, `status`) plus what a kitchen screen shows.
/// The order row alone, without its items.
pub async fn find_order(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<order::Model> {
    order::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("order"))
}

/// The order row, if `actor` works at its outlet (404 otherwise).
pub async fn staff_order(
    conn: &impl ConnectionTrait,
    actor: &Staff,
    id: Uuid,
) -> AppResult<order::Model> {
    Some(find_order(conn, id).await?)
        .filter(|order| actor.sees_outlet(order.outlet_id))
        .ok_or_else(|| AppError::not_found("order"))
}

pub async fn load_order(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<OrderDetails> {
    let order = find_order(conn, id).await?;
    let mut details = with_items(conn, vec![order]).await?;
    details.pop().ok_or_else(|| AppError::not_found("order"))
}

pub(super) async fn with_items(
    conn: &impl ConnectionTrait,
    orders: Vec<order::Model>,
) -> AppResult<Vec<OrderDetails>> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids = || orders.iter().map(|o| o.id);
    let mut items: HashMap<Uuid, Vec<ItemDetails>> = HashMap::new();
    for item in order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(ids()))
        .order_by_asc(order_item::Column::Id)
        .all(conn)
        .await?
    {
        let modifiers = serde_json::from_str(&item.modifiers).map_err(AppError::internal)?;
        items
            .entry(item.order_id)
            .or_default()
            .push(ItemDetails { item, modifiers });
    }
    let mut discounts: HashMap<Uuid, Vec<order_discount::Model>> = HashMap::new();
    for discount in order_discount::Entity::find()
        .filter(order_discount::Column::OrderId.is_in(ids()))
        .order_by_asc(order_discount::Column::Id)
        .all(conn)
        .await?
    {
        discounts
            .entry(discount.order_id)
            .or_default()
            .push(discount);
    }
    let adjustment_rows = order_adjustment::Entity::find()
        .filter(order_adjustment::Column::OrderId.is_in(ids()))
        .order_by_asc(order_adjustment::Column::Id)
        .all(conn)
        .await?;
    let names = usernames(conn, adjustment_rows.iter().map(|a| a.created_by)).await?;
    let mut adjustments: HashMap<Uuid, Vec<AdjustmentDetails>> = HashMap::new();
    for adjustment in adjustment_rows {
        let created_by_name = names
            .get(&adjustment.created_by)
            .cloned()
            .unwrap_or_default();
        adjustments
            .entry(adjustment.order_id)
            .or_default()
            .push(AdjustmentDetails {
                adjustment,
                created_by_name,
            });
    }
    orders
        .into_iter()
        .map(|order| {
            let items = items.remove(&order.id).unwrap_or_default();
            let discounts = discounts.remove(&order.id).unwrap_or_default();
            let off = if discounts.is_empty() {
                Vec::new()
            } else {
                let lines: Vec<&order_item::Model> = items.iter().map(|i| &i.item).collect();
                compute_bill(&order, &lines, &discounts)?.discount_off
            };
            Ok(OrderDetails {
                discounts: discounts.into_iter().zip(off).collect(),
                adjustments: adjustments.remove(&order.id).unwrap_or_default(),
                items,
                order,
            })
        })
        .collect()
}

/// Usernames by id, for showing who did what.
pub(super) async fn usernames(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let ids: HashSet<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect())
}

/// The order's bill by the one formula (`domain::bill`), with the rates it was taken at.
pub(super) fn compute_bill(
    order: &order::Model,
    items: &[&order_item::Model],
    discounts: &[order_discount::Model],
) -> AppResult<domain::Bill> {
    let lines: Vec<BillLine> = items
        .iter()
        .map(|i| BillLine {
            unit_price: i.unit_price,
            quantity: i.quantity,
            voided: i.voided_quantity,
            comped: i.comped_quantity,
        })
        .collect();
    let discounts: Vec<domain::Discount> = discounts
        .iter()
        .map(|d| domain::Discount {
            // A discount of a line that is not on this order (never stored so) counts for nothing.
            line: d
                .item_id
                .map(|id| items.iter().position(|i| i.id == id).unwrap_or(usize::MAX)),
            value: match d.kind {
                DiscountKind::Percent => {
                    DiscountValue::Percent(i32::try_from(d.value).unwrap_or(i32::MAX))
                }
                DiscountKind::Amount => DiscountValue::Amount(d.value),
            },
        })
        .collect();
    domain::bill(&lines, &discounts, order.service_charge_bp, order.tax_bp)
        .filter(|b| b.totals.subtotal <= super::MAX_AMOUNT)
        .ok_or_else(too_large)
}

/// Whether the caller may see this order: staff of its outlet, or the guest of its session.
fn visible(principal: &Principal, order: &order::Model) -> bool {
    match principal {
        Principal::Staff(staff) => staff.sees_outlet(order.outlet_id),
        Principal::Guest(guest) => order.table_session_id == Some(guest.session_id),
    }
}

pub async fn get_order(db: &Db, principal: &Principal, id: Uuid) -> AppResult<OrderDetails> {
    let details = load_order(db.conn(), id).await?;
    if !visible(principal, &details.order) {
        return Err(AppError::not_found("order"));
    }
    Ok(details)
}

/// Orders kept at most by [`OrderCache`]; past it the cache starts over.
const CACHED_ORDERS: usize = 4_096;

/// Orders as last read, on two levels:
///
/// - **Whole orders**, while no write has happened since they were read: every write request
///   on this instance makes it forget them as it ends (`realtime::announce_writes`), and so
///   does every batch of events the relay delivers (writes on other instances, and any
///   background change, record events). A read then needs no statement at all. Each entry
///   is trusted at most `ttl` (the relay's poll interval), which bounds what a write that
///   neither this instance answered nor recorded an event could leave behind.
/// - **Lines, discounts and corrections as of one `version`** of the order, after any write:
///   every change to them moves the order's version in the same transaction (that is how
///   concurrent changes conflict), so a read that finds the order row at the version it
///   remembers answers from memory with that one statement instead of four.
pub struct OrderCache {
    ttl: Duration,
    generation: AtomicU64,
    /// By order id: the order, the generation it was read under and when.
    orders: std::sync::Mutex<HashMap<Uuid, (OrderDetails, u64, Instant)>>,
}

impl OrderCache {
    pub fn new(ttl: Duration) -> Self {
        OrderCache {
            ttl,
            generation: AtomicU64::new(0),
            orders: Default::default(),
        }
    }

    /// A write happened: whole orders must be read again (their lines stay, by version).
    pub fn forget(&self) {
        let _orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The whole order, if read since the last write.
    fn unchanged(&self, id: Uuid) -> Option<OrderDetails> {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let (details, generation, at) = orders.get(&id)?;
        (*generation == self.generation() && at.elapsed() < self.ttl).then(|| details.clone())
    }

    /// The order's lines as of the version `order` (read just now) is at.
    fn at_version(&self, order: &order::Model) -> Option<OrderDetails> {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let (cached, _, _) = orders.get(&order.id)?;
        (cached.order.version == order.version).then(|| OrderDetails {
            order: order.clone(),
            ..cached.clone()
        })
    }

    /// Remembers `details`, read wholly under `generation` (read before the order's row).
    fn keep(&self, details: &OrderDetails, generation: u64) {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        if orders.len() >= CACHED_ORDERS {
            orders.clear();
        }
        orders.insert(
            details.order.id,
            (details.clone(), generation, Instant::now()),
        );
    }
}

/// `GET /orders/{id}`: as [`get_order`], answering from `cache` when the order did not change.
pub async fn read_order(
    db: &Db,
    cache: &OrderCache,
    principal: &Principal,
    id: Uuid,
) -> AppResult<OrderDetails> {
    let not_found = || AppError::not_found("order");
    if let Some(details) = cache.unchanged(id) {
        return Some(details)
            .filter(|d| visible(principal, &d.order))
            .ok_or_else(not_found);
    }
    // Under the generation before the row is read: a write that ends meanwhile makes what
    // is read here count as old.
    let generation = cache.generation();
    let order = Some(find_order(db.conn(), id).await?)
        .filter(|order| visible(principal, order))
        .ok_or_else(not_found)?;
    if let Some(details) = cache.at_version(&order) {
        cache.keep(&details, generation);
        return Ok(details);
    }
    // One snapshot, so what is remembered belongs to the version it is remembered under.
    let txn = db.read_snapshot().await?;
    let details = load_order(&txn, id).await?;
    txn.commit().await?;
    if !visible(principal, &details.order) {
        return Err(not_found());
    }
    cache.keep(&details, generation);
    Ok(details)
}

/// Orders oldest first. Staff see their outlet's (OWNER: all); a guest sees its session's.
pub async fn list_orders(
    db: &Db,
    principal: &Principal,
    filter: OrderFilter,
    page: PageRequest,
) -> AppResult<Page<OrderDetails>> {
    let mut query = order::Entity::find().order_by_asc(order::Column::Id);
    match principal {
        Principal::Staff(staff) if !staff.may(Action::SeeAllOutlets) => {
            query = query.filter(order::Column::OutletId.eq(staff.outlet_id));
        }
        Principal::Staff(_) => {}
        Principal::Guest(guest) => {
            query = query.filter(order::Column::TableSessionId.eq(guest.session_id));
        }
    }
    if let Some(outlet_id) = filter.outlet_id {
        query = query.filter(order::Column::OutletId.eq(outlet_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(order::Column::Status.eq(status));
    }
    if let Some(session_id) = filter.table_session_id {
        query = query.filter(order::Column::TableSessionId.eq(session_id));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(order::Column::CreatedAt.gt(after));
    }
    if let Some(after) = page.after {
        query = query.filter(order::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    let page = page.page(rows, |o| o.id);
    Ok(Page {
        items: with_items(db.conn(), page.items).await?,
        next_cursor: page.next_cursor,
    })
}

/// The orders of a table session the caller may see.
pub async fn session_order_details(
    db: &Db,
    principal: &Principal,
    session_id: Uuid,
) -> AppResult<Vec<OrderDetails>> {
    super::sessions::get_session(db, principal, session_id).await?;
    let orders = super::sessions::session_orders(db.conn(), session_id).await?;
    with_items(db.conn(), orders).await
}

/// Moves an order to `change.status`. The update is conditional on the version read, so of
/// several concurrent moves exactly one wins and the rest get 409.
pub async fn change_status(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    change: StatusChange,
) -> AppResult<OrderDetails> {
    let order = &staff_order(db.conn(), actor, id).await?;
    let to = change.status;
    let reason = clean_optional("reason", change.reason, MAX_NOTE_LEN)?;
    check_status_permission(actor, order, to, reason.is_some())?;
    if change.expected_version.is_some_and(|v| v != order.version) {
        return Err(version_conflict(order));
    }
    if !order.status.can_move_to(to) {
        return Err(transition_invalid(order.status, to));
    }
    if to == OrderStatus::Voided && order.paid_amount > 0 {
        return Err(has_payments());
    }

    let now = Utc::now();
    let txn = db.begin().await?;
    // A payment moves the version too, so one taken since the read makes this update miss.
    let updated = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(to.as_str()))
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
        drop(txn);
        // Someone else moved it first; explain against what it is now.
        let now_is = find_order(db.conn(), id).await?;
        if !now_is.status.can_move_to(to) {
            return Err(transition_invalid(now_is.status, to));
        }
        if to == OrderStatus::Voided && now_is.paid_amount > 0 {
            return Err(has_payments());
        }
        return Err(version_conflict(&now_is));
    }
    record_status(
        &txn,
        order.id,
        Some(order.status),
        to,
        Some(actor.user_id),
        reason.clone(),
    )
    .await?;
    let details = load_order(&txn, id).await?;
    if to == OrderStatus::Voided {
        let voided: Vec<(Uuid, i32)> = details
            .items
            .iter()
            .map(|i| (i.item.id, i.item.quantity - i.item.voided_quantity))
            .filter(|(_, left)| *left > 0)
            .collect();
        super::printing::queue_void_tickets(&txn, &details, &voided, &actor.username).await?;
        let entry = audit::Entry::by(actor, Some(order.outlet_id), AuditAction::OrderVoided)
            .on("order", order.id)
            .details(serde_json::json!({
                "number": order.number,
                "total_amount": order.total_amount,
                "reason": reason,
            }));
        audit::record(&txn, entry).await?;
    }
    events::record(
        &txn,
        Event::OrderStatusChanged {
            order: &details.order,
            previous: order.status,
            reason,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(details)
}

/// Who may make this move (the permission table): forward to ACCEPTED, COOKING or READY,
/// to DONE, or a void (which also needs a reason). A KASIR voids only what was never paid.
fn check_status_permission(
    actor: &Staff,
    order: &order::Model,
    to: OrderStatus,
    has_reason: bool,
) -> AppResult<()> {
    match to {
        OrderStatus::Voided => {
            let never_paid =
                order.payment_status == PaymentStatus::Unpaid && order.paid_amount == 0;
            actor.authorize(if never_paid {
                Action::VoidUnpaidOrder
            } else {
                Action::VoidOrder
            })?;
            if !has_reason {
                return Err(AppError::validation(
                    "reason",
                    "voiding an order needs a reason",
                ));
            }
            Ok(())
        }
        OrderStatus::Done => actor.authorize(Action::CompleteOrder),
        _ => actor.authorize(Action::AdvanceOrder),
    }
}

/// Voiding a paid order would keep its money in the drawer while the sale left the reports.
fn has_payments() -> AppError {
    AppError::conflict(
        "ORDER_HAS_PAYMENTS",
        "this order has payments; refund them before voiding it",
    )
}

fn transition_invalid(from: OrderStatus, to: OrderStatus) -> AppError {
    let allowed: Vec<&str> = from
        .allowed_next()
        .into_iter()
        .map(OrderStatus::as_str)
        .collect();
    let allowed = if allowed.is_empty() {
        "none".to_owned()
    } else {
        allowed.join(", ")
    };
    AppError::conflict(
        "ORDER_TRANSITION_INVALID",
        format!(
            "cannot move from {} to {}; allowed next: {allowed}",
            from.as_str(),
            to.as_str()
        ),
    )
}

pub(super) fn version_conflict(order: &order::Model) -> AppError {
    AppError::conflict(
        "ORDER_VERSION_CONFLICT",
        format!(
            "the order changed meanwhile (now {} at version {}); reload and retry",
            order.status.as_str(),
            order.version
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::Role,
        entity::{modifier_group, modifier_option, product},
    };

    fn product(price: i64) -> product::Model {
        let now = Utc::now();
        product::Model {
            id: Uuid::now_v7(),
            outlet_id: Uuid::now_v7(),
            category_id: None,
            name: "Mie Goreng".into(),
            description: String::new(),
            price,
            available: true,
            sort: 0,
            deleted: false,
            image_etag: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// A dish with one required choice of spice level (mild, or extra hot for 2,000 more).
    fn with_spice_level(product: product::Model) -> ProductDetails {
        let group = modifier_group::Model {
            id: Uuid::now_v7(),
            product_id: product.id,
            name: "Spice level".into(),
            min_select: 1,
            max_select: 1,
            sort: 0,
        };
        let option = |name: &str, delta: i64| modifier_option::Model {
            id: Uuid::now_v7(),
            group_id: group.id,
            name: name.into(),
            price_delta: delta,
            available: true,
            sort: 0,
        };
        let options = vec![option("Mild", 0), option("Extra hot", 2_000)];
        ProductDetails {
            product,
            groups: vec![super::super::products::GroupDetails { group, options }],
        }
    }

    #[test]
    fn modifier_choices_must_fit_the_groups() {
        let dish = with_spice_level(product(75_000));
        let options = &dish.groups[0].options;
        let choose = |ids: &[Uuid]| choose_modifiers(&dish, ids);
        assert!(choose(&[]).is_err(), "min 1");
        assert!(choose(&[options[0].id, options[1].id]).is_err(), "max 1");
        assert!(choose(&[options[1].id, options[1].id]).is_err(), "twice");
        assert!(choose(&[Uuid::now_v7()]).is_err(), "foreign");
        let picked = choose(&[options[1].id]).unwrap();
        assert_eq!(picked[0].price_delta, 2_000);
        assert_eq!(picked[0].group_name, "Spice level");
    }

    #[test]
    fn kitchen_and_void_permissions() {
        let staff = |role| Staff {
            user_id: Uuid::now_v7(),
            username: "x".into(),
            role,
            outlet_id: None,
            device_id: None,
        };
        let now = Utc::now();
        let mut order = order::Model {
            id: Uuid::now_v7(),
            outlet_id: Uuid::now_v7(),
            table_session_id: None,
            business_date: "2026-11-25".into(),
            number: 1,
            source: OrderSource::Staff,
            status: OrderStatus::New,
            note: String::new(),
            subtotal: 0,
            discount_amount: 0,
            service_charge_amount: 0,
            tax_amount: 0,
            total_amount: 0,
            paid_amount: 0,
            payment_status: PaymentStatus::Unpaid,
            service_charge_bp: 0,
            tax_bp: 0,
            split_from: None,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
            receipt_token: None,
        };
        assert!(
            check_status_permission(&staff(Role::Kitchen), &order, OrderStatus::Ready, false)
                .is_ok()
        );
        assert!(
            check_status_permission(&staff(Role::Kitchen), &order, OrderStatus::Done, false)
                .is_err()
        );
        assert!(
            check_status_permission(&staff(Role::Waiter), &order, OrderStatus::Done, false).is_ok()
        );
        assert!(
            check_status_permission(&staff(Role::Waiter), &order, OrderStatus::Voided, true)
                .is_err()
        );
        assert!(
            check_status_permission(&staff(Role::Kasir), &order, OrderStatus::Voided, false)
                .is_err()
        );
        assert!(
            check_status_permission(&staff(Role::Kasir), &order, OrderStatus::Voided, true).is_ok()
        );
        order.payment_status = PaymentStatus::PartiallyPaid;
        order.paid_amount = 1;
        assert!(
            check_status_permission(&staff(Role::Kasir), &order, OrderStatus::Voided, true)
                .is_err()
        );
        assert!(
            check_status_permission(&staff(Role::Manager), &order, OrderStatus::Voided, true)
                .is_ok()
        );
    }
}
