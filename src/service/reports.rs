//! Reports: the shift Z-report and sales by day, hour, product or payment method.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    outlets::get_outlet,
    require_admin,
    shifts::{self, Drawer},
};
use crate::{
    auth::Staff,
    db::Db,
    domain::{OrderStatus, PaymentMethod, ShiftStatus},
    entity::{cash_movement, order, order_item, order_status_change, payment, shift, user},
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub count: i64,
    pub amount: i64,
}

#[derive(Debug, Clone)]
pub struct VoidLine {
    pub order_id: Uuid,
    pub number: i32,
    pub total_amount: i64,
    pub reason: Option<String>,
    pub at: chrono::DateTime<Utc>,
}

/// End-of-shift report.
#[derive(Debug, Clone)]
pub struct ZReport {
    pub shift: shift::Model,
    pub cashier: String,
    /// Payments taken on this shift, by method (refunded ones included; see `refunds`).
    pub payments: Vec<MethodTotal>,
    /// Refunds of this shift's payments and cash refunds paid from its drawer.
    pub refunds: Vec<payment::Model>,
    pub cash_movements: Vec<cash_movement::Model>,
    /// Orders the cashier voided during the shift.
    pub voids: Vec<VoidLine>,
    pub drawer: Drawer,
    pub expected_cash: i64,
}

pub async fn z_report(db: &Db, actor: &Staff, shift_id: Uuid) -> AppResult<ZReport> {
    let shift = shifts::get_shift(db, actor, shift_id).await?;
    let conn = db.conn();
    let cashier = user::Entity::find_by_id(shift.user_id)
        .one(conn)
        .await?
        .map_or_else(String::new, |u| u.username);
    let taken = shifts::payments_taken(conn, shift.id).await?;
    let from_drawer = shifts::refunded_from_drawer(conn, shift.id).await?;
    let movements = shifts::movements_of(conn, shift.id).await?;
    let mut by_method: BTreeMap<PaymentMethod, MethodTotal> = BTreeMap::new();
    for p in &taken {
        let total = by_method.entry(p.method).or_insert(MethodTotal {
            method: p.method,
            count: 0,
            amount: 0,
        });
        total.count += 1;
        total.amount += p.amount;
    }
    let mut refunds: Vec<payment::Model> = taken
        .iter()
        .filter(|p| p.refunded_at.is_some())
        .cloned()
        .collect();
    for p in &from_drawer {
        if !refunds.iter().any(|r| r.id == p.id) {
            refunds.push(p.clone());
        }
    }
    refunds.sort_by_key(|p| p.refunded_at);

    let until = shift.closed_at.unwrap_or_else(Utc::now);
    let void_changes = order_status_change::Entity::find()
        .filter(order_status_change::Column::ToStatus.eq(OrderStatus::Voided))
        .filter(order_status_change::Column::ChangedBy.eq(shift.user_id))
        .filter(order_status_change::Column::At.gte(shift.opened_at))
        .filter(order_status_change::Column::At.lte(until))
        .all(conn)
        .await?;
    let voided: HashMap<Uuid, order::Model> = order::Entity::find()
        .filter(order::Column::Id.is_in(void_changes.iter().map(|c| c.order_id)))
        .filter(order::Column::OutletId.eq(shift.outlet_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let voids = void_changes
        .into_iter()
        .filter_map(|change| {
            let o = voided.get(&change.order_id)?;
            Some(VoidLine {
                order_id: o.id,
                number: o.number,
                total_amount: o.total_amount,
                reason: change.reason,
                at: change.at,
            })
        })
        .collect();

    let drawer = shifts::drawer_of(&taken, &from_drawer, &movements);
    let expected_cash = match (shift.status, shift.expected_cash) {
        (ShiftStatus::Closed, Some(expected)) => expected,
        _ => drawer.expected_cash(shift.start_cash),
    };
    Ok(ZReport {
        cash_movements: movements,
        shift,
        cashier,
        payments: by_method.into_values().collect(),
        refunds,
        voids,
        drawer,
        expected_cash,
    })
}

/// How sales are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Hour,
    Product,
    Method,
}

/// One line of a sales report. `gross` is what was sold (order totals; for products, their
/// line totals; for methods, the payments), `refunds` what was given back, `net = gross − refunds`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesRow {
    pub key: String,
    pub orders: i64,
    pub quantity: i64,
    pub gross: i64,
    pub refunds: i64,
    pub net: i64,
}

#[derive(Debug, Clone)]
pub struct SalesReport {
    pub outlet_id: Uuid,
    pub currency: String,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub rows: Vec<SalesRow>,
    pub totals: SalesRow,
}

/// Sales of an outlet's business days `from..=to` (default: today where the outlet is).
/// Voided orders are left out; refunds are subtracted.
pub async fn sales(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: GroupBy,
) -> AppResult<SalesReport> {
    let outlet = get_outlet(db, actor, outlet_id).await?;
    require_admin(actor)?;
    let tz = super::outlets::timezone_of(&outlet);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (from, to) = (from.unwrap_or(today), to.unwrap_or(from.unwrap_or(today)));
    if from > to {
        return Err(AppError::validation("from", "from must not be after to"));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::validation(
            "to",
            "a report covers at most 366 days",
        ));
    }

    let conn = db.conn();
    let orders = order::Entity::find()
        .filter(order::Column::OutletId.eq(outlet.id))
        .filter(order::Column::BusinessDate.gte(from.format("%Y-%m-%d").to_string()))
        .filter(order::Column::BusinessDate.lte(to.format("%Y-%m-%d").to_string()))
        .filter(order::Column::Status.ne(OrderStatus::Voided))
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?;
    let order_ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let (payments, items) = if order_ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let payments = payment::Entity::find()
            .filter(payment::Column::OrderId.is_in(order_ids.clone()))
            .all(conn)
            .await?;
        let items = if group_by == GroupBy::Product {
            order_item::Entity::find()
                .filter(order_item::Column::OrderId.is_in(order_ids))
                .order_by_asc(order_item::Column::Id)
                .all(conn)
                .await?
        } else {
            Vec::new()
        };
        (payments, items)
    };
    let rows = group_sales(group_by, &orders, &payments, &items, tz);
    let mut totals = SalesRow {
        key: "TOTAL".into(),
        orders: i64::try_from(orders.len()).unwrap_or(i64::MAX),
        ..Default::default()
    };
    for row in &rows {
        totals.quantity += row.quantity;
        totals.gross += row.gross;
        totals.refunds += row.refunds;
        totals.net += row.net;
    }
    Ok(SalesReport {
        outlet_id: outlet.id,
        currency: outlet.currency,
        timezone: outlet.timezone,
        from,
        to,
        group_by,
        rows,
        totals,
    })
}

/// The grouping itself: pure, so it is unit-tested.
pub fn group_sales(
    group_by: GroupBy,
    orders: &[order::Model],
    payments: &[payment::Model],
    items: &[order_item::Model],
    tz: chrono_tz::Tz,
) -> Vec<SalesRow> {
    let mut refunded: HashMap<Uuid, i64> = HashMap::new();
    for p in payments.iter().filter(|p| p.refunded_at.is_some()) {
        *refunded.entry(p.order_id).or_default() += p.amount;
    }
    let mut rows: BTreeMap<String, (SalesRow, HashSet<Uuid>)> = BTreeMap::new();
    let mut add = |key: String, order_id: Uuid, quantity: i64, gross: i64, refunds: i64| {
        let (row, seen) = rows.entry(key.clone()).or_insert_with(|| {
            (
                SalesRow {
                    key,
                    ..Default::default()
                },
                HashSet::new(),
            )
        });
        if seen.insert(order_id) {
            row.orders += 1;
        }
        row.quantity += quantity;
        row.gross += gross;
        row.refunds += refunds;
        row.net += gross - refunds;
    };
    match group_by {
        GroupBy::Day | GroupBy::Hour => {
            for o in orders {
                let key = match group_by {
                    GroupBy::Day => o.business_date.clone(),
                    _ => o.created_at.with_timezone(&tz).format("%H:00").to_string(),
                };
                add(
                    key,
                    o.id,
                    0,
                    o.total_amount,
                    refunded.get(&o.id).copied().unwrap_or(0),
                );
            }
        }
        GroupBy::Method => {
            for p in payments {
                let refund = if p.refunded_at.is_some() { p.amount } else { 0 };
                add(
                    p.method.as_str().to_owned(),
                    p.order_id,
                    0,
                    p.amount,
                    refund,
                );
            }
        }
        GroupBy::Product => {
            let subtotals: HashMap<Uuid, i64> = orders.iter().map(|o| (o.id, o.subtotal)).collect();
            for item in items {
                // An order's refunds are shared among its lines by their share of the subtotal.
                let refund = match (refunded.get(&item.order_id), subtotals.get(&item.order_id)) {
                    (Some(r), Some(subtotal)) if *subtotal > 0 => {
                        let share =
                            i128::from(*r) * i128::from(item.line_total) / i128::from(*subtotal);
                        i64::try_from(share).unwrap_or(0)
                    }
                    _ => 0,
                };
                add(
                    item.name.clone(),
                    item.order_id,
                    i64::from(item.quantity),
                    item.line_total,
                    refund,
                );
            }
        }
    }
    rows.into_values().map(|(row, _)| row).collect()
}

impl SalesReport {
    /// The rows as CSV (header first, totals last).
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("key,orders,quantity,gross_sales,refunds,net_sales\n");
        for row in self.rows.iter().chain(std::iter::once(&self.totals)) {
            let key = if row.key.contains([',', '"', '\n']) {
                format!("\"{}\"", row.key.replace('"', "\"\""))
            } else {
                row.key.clone()
            };
            csv.push_str(&format!(
                "{key},{},{},{},{},{}\n",
                row.orders, row.quantity, row.gross, row.refunds, row.net
            ));
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderSource, PaymentStatus};

    fn order(day: &str, total: i64) -> order::Model {
        let now = Utc::now();
        order::Model {
            id: Uuid::now_v7(),
            outlet_id: Uuid::nil(),
            table_session_id: None,
            business_date: day.into(),
            number: 1,
            source: OrderSource::Staff,
            status: OrderStatus::Done,
            note: String::new(),
            subtotal: total,
            service_charge_amount: 0,
            tax_amount: 0,
            total_amount: total,
            paid_amount: total,
            payment_status: PaymentStatus::Paid,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn payment(
        order: &order::Model,
        method: PaymentMethod,
        amount: i64,
        refunded: bool,
    ) -> payment::Model {
        payment::Model {
            id: Uuid::now_v7(),
            order_id: order.id,
            outlet_id: Uuid::nil(),
            shift_id: None,
            method,
            amount,
            tendered: None,
            change_amount: 0,
            reference: None,
            created_by: Uuid::nil(),
            created_at: Utc::now(),
            refunded_at: refunded.then(Utc::now),
            refunded_by: None,
            refund_reason: None,
            refund_shift_id: None,
        }
    }

    #[test]
    fn days_and_methods_subtract_refunds() {
        let a = order("2026-11-24", 10_000);
        let b = order("2026-11-25", 8_000);
        let payments = vec![
            payment(&a, PaymentMethod::Cash, 10_000, false),
            payment(&b, PaymentMethod::Qris, 5_000, false),
            payment(&b, PaymentMethod::Cash, 3_000, true),
        ];
        let orders = [a, b];
        let days = group_sales(
            GroupBy::Day,
            &orders,
            &payments,
            &[],
            chrono_tz::Asia::Jakarta,
        );
        assert_eq!(days.len(), 2);
        assert_eq!(
            (days[1].gross, days[1].refunds, days[1].net),
            (8_000, 3_000, 5_000)
        );
        let methods = group_sales(
            GroupBy::Method,
            &orders,
            &payments,
            &[],
            chrono_tz::Asia::Jakarta,
        );
        let cash = methods.iter().find(|r| r.key == "CASH").unwrap();
        assert_eq!(
            (cash.orders, cash.gross, cash.refunds, cash.net),
            (2, 13_000, 3_000, 10_000)
        );
    }
}
