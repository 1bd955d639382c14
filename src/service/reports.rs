//! Reports: the shift Z-report and sales by day, hour, product or payment method.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    AccessMode, ColumnTrait, DbBackend, EntityTrait, FromQueryResult, IsolationLevel, QueryFilter,
    Statement, TransactionTrait,
};
use uuid::Uuid;

use super::{
    outlets::get_outlet,
    shifts::{self, Drawer},
};
use crate::{
    auth::{Action, Staff},
    db::Db,
    domain::{OrderStatus, PaymentMethod, ShiftStatus},
    entity::{cash_movement, order, order_status_change, payment, shift, user},
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
    /// Items the cashier voided or comped, and discounts they gave, during the shift.
    pub corrections: Vec<CorrectionLine>,
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

    let corrections = corrections(
        conn,
        db.backend(),
        "a.created_by = $1 AND a.created_at >= $2 AND a.created_at <= $3 AND o.outlet_id = $4",
        vec![
            shift.user_id.into(),
            shift.opened_at.into(),
            until.into(),
            shift.outlet_id.into(),
        ],
    )
    .await?;
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
        corrections,
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
    /// What discounts took off (gross is after them).
    pub discount: i64,
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
    /// Voids, comps and discounts of the range's orders, oldest first (at most
    /// `MAX_CORRECTIONS`).
    pub corrections: Vec<CorrectionLine>,
}

/// Corrections a report lists at most.
pub const MAX_CORRECTIONS: u64 = 1_000;

/// A void, comp or discount as a report lists it: what, how much, why and who.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CorrectionLine {
    pub order_id: Uuid,
    pub number: i32,
    pub kind: String,
    /// The dish, for a correction of one line.
    pub item_name: Option<String>,
    pub quantity: Option<i32>,
    /// Taken off the subtotal (negative: a discount taken back).
    pub amount: i64,
    pub reason: String,
    /// Username of who made it.
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// The corrections of the orders matching `filter` (`$1`… bound by `values`).
async fn corrections(
    conn: &impl sea_orm::ConnectionTrait,
    backend: DbBackend,
    filter: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Vec<CorrectionLine>> {
    let sql = format!(
        "SELECT a.order_id, o.number, a.kind, i.name AS item_name, a.quantity, a.amount, \
         a.reason, u.username AS by_name, a.created_at AS at \
         FROM order_adjustments a JOIN orders o ON o.id = a.order_id \
         LEFT JOIN order_items i ON i.id = a.item_id LEFT JOIN users u ON u.id = a.created_by \
         WHERE a.kind IN ('VOID', 'COMP', 'DISCOUNT', 'DISCOUNT_REMOVED') AND {filter} \
         ORDER BY a.id LIMIT {MAX_CORRECTIONS}"
    );
    Ok(
        CorrectionLine::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(conn)
            .await?,
    )
}

/// The days a report covers: `from..=to` where the outlet is (default: today there), at most
/// a year and a day.
fn report_days(
    tz: chrono_tz::Tz,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<(NaiveDate, NaiveDate)> {
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
    Ok((from, to))
}

/// Sales of an outlet's business days `from..=to` (default: today where the outlet is).
/// Voided orders are left out; refunds are subtracted.
///
/// The database does the grouping, so the cost grows with the number of rows in the answer
/// (at most a row per day, quarter hour, product or method), not with a list of order ids.
pub async fn sales(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: GroupBy,
) -> AppResult<SalesReport> {
    let outlet = get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ViewReports)?;
    let tz = super::outlets::timezone_of(&outlet);
    let (from, to) = report_days(tz, from, to)?;

    let range = SalesRange {
        outlet_id: outlet.id,
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
    };
    // One snapshot for every query, so the totals agree with the rows while orders come in.
    let backend = db.backend();
    let conn = match backend {
        DbBackend::Postgres => {
            db.conn()
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
        }
        _ => db.conn().begin().await?,
    };
    let mut parts = Vec::new();
    for statement in range.statements(backend, group_by) {
        parts.extend(Aggregate::find_by_statement(statement).all(&conn).await?);
    }
    let rows = match group_by {
        GroupBy::Hour => hours_of(parts, tz),
        _ => fold(parts.into_iter().map(|part| (part.group.clone(), part))),
    };
    let orders = Count::find_by_statement(range.count(backend))
        .one(&conn)
        .await?
        .map_or(0, |c| c.orders);
    let corrections = corrections(
        &conn,
        backend,
        "o.outlet_id = $1 AND o.business_date >= $2 AND o.business_date <= $3",
        vec![
            range.outlet_id.into(),
            range.from.clone().into(),
            range.to.clone().into(),
        ],
    )
    .await?;
    conn.commit().await?;
    let mut totals = SalesRow {
        key: "TOTAL".into(),
        orders,
        ..Default::default()
    };
    for row in &rows {
        totals.quantity += row.quantity;
        totals.discount += row.discount;
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
        corrections,
    })
}

/// Which orders a sales report covers: an outlet's business days `from..=to`, voids left out.
struct SalesRange {
    outlet_id: Uuid,
    from: String,
    to: String,
}

/// Orders of the range; `$1` outlet, `$2`..`$3` business days, `$4` the VOIDED status.
const IN_RANGE: &str = "o.outlet_id = $1 AND o.business_date >= $2 AND o.business_date <= $3 \
     AND o.status <> $4";

/// Refunded payments of the outlet. Refunds are few, so refund sums start from them and
/// reach orders and items by index: a plan that stays fast however stale the statistics.
const REFUNDED: &str = "p.outlet_id = $1 AND p.refunded_at IS NOT NULL";

impl SalesRange {
    /// The grouped queries of a report: sales, then (but for methods, which have both in one)
    /// refunds, each row a part of one group. Sums are cast to BIGINT: PostgreSQL widens
    /// SUM(bigint) to numeric.
    fn statements(&self, backend: DbBackend, group_by: GroupBy) -> Vec<Statement> {
        // Quarter hours in UTC: every time zone's offset is a whole number of them, so each
        // bucket falls in one local hour (see `hours_of`).
        let quarter_hour = match backend {
            DbBackend::Postgres => {
                "CAST(CAST(FLOOR(EXTRACT(EPOCH FROM o.created_at) / 900) AS BIGINT) AS TEXT)"
            }
            _ => "CAST(CAST(strftime('%s', o.created_at) AS INTEGER) / 900 AS TEXT)",
        };
        let sql = match group_by {
            GroupBy::Day | GroupBy::Hour => {
                let group = if group_by == GroupBy::Day {
                    "o.business_date"
                } else {
                    quarter_hour
                };
                vec![
                    format!(
                        "SELECT {group} AS grp, COUNT(*) AS orders, CAST(0 AS BIGINT) AS quantity, \
                         CAST(SUM(o.discount_amount) AS BIGINT) AS discount, \
                         CAST(SUM(o.total_amount) AS BIGINT) AS gross, \
                         CAST(0 AS BIGINT) AS refunds \
                         FROM orders o WHERE {IN_RANGE} GROUP BY {group}"
                    ),
                    format!(
                        "SELECT {group} AS grp, CAST(0 AS BIGINT) AS orders, \
                         CAST(0 AS BIGINT) AS quantity, CAST(0 AS BIGINT) AS discount, \
                         CAST(0 AS BIGINT) AS gross, CAST(SUM(p.amount) AS BIGINT) AS refunds \
                         FROM payments p JOIN orders o ON o.id = p.order_id \
                         WHERE {REFUNDED} AND {IN_RANGE} GROUP BY {group}"
                    ),
                ]
            }
            GroupBy::Method => vec![format!(
                "SELECT p.method AS grp, COUNT(DISTINCT p.order_id) AS orders, \
                 CAST(0 AS BIGINT) AS quantity, CAST(0 AS BIGINT) AS discount, \
                 CAST(SUM(p.amount) AS BIGINT) AS gross, \
                 CAST(SUM(CASE WHEN p.refunded_at IS NULL THEN 0 ELSE p.amount END) AS BIGINT) \
                 AS refunds \
                 FROM payments p JOIN orders o ON o.id = p.order_id \
                 WHERE {IN_RANGE} GROUP BY p.method"
            )],
            // Products sell at their net (after discounts). An order's refunds are shared among
            // its lines by their share of the net subtotal (integer division: rounded down, as
            // the money rules do; `refunded` is cast so PostgreSQL divides integers, not
            // numerics).
            GroupBy::Product => vec![
                format!(
                    "SELECT i.name AS grp, COUNT(DISTINCT i.order_id) AS orders, \
                     CAST(SUM(i.quantity - i.voided_quantity) AS BIGINT) AS quantity, \
                     CAST(SUM(i.discount_amount) AS BIGINT) AS discount, \
                     CAST(SUM(i.line_total - i.discount_amount) AS BIGINT) AS gross, \
                     CAST(0 AS BIGINT) AS refunds \
                     FROM order_items i JOIN orders o ON o.id = i.order_id \
                     WHERE {IN_RANGE} GROUP BY i.name"
                ),
                format!(
                    "SELECT i.name AS grp, CAST(0 AS BIGINT) AS orders, \
                     CAST(0 AS BIGINT) AS quantity, CAST(0 AS BIGINT) AS discount, \
                     CAST(0 AS BIGINT) AS gross, \
                     CAST(SUM(r.refunded * (i.line_total - i.discount_amount) \
                          / (o.subtotal - o.discount_amount)) AS BIGINT) AS refunds \
                     FROM (SELECT p.order_id, CAST(SUM(p.amount) AS BIGINT) AS refunded FROM payments p \
                           WHERE {REFUNDED} GROUP BY p.order_id) r \
                     JOIN orders o ON o.id = r.order_id \
                     JOIN order_items i ON i.order_id = r.order_id \
                     WHERE o.subtotal > o.discount_amount AND {IN_RANGE} GROUP BY i.name"
                ),
            ],
        };
        sql.into_iter().map(|sql| self.bind(backend, sql)).collect()
    }

    /// The number of orders in the range, whatever the grouping.
    fn count(&self, backend: DbBackend) -> Statement {
        let sql = format!("SELECT COUNT(*) AS orders FROM orders o WHERE {IN_RANGE}");
        self.bind(backend, sql)
    }

    fn bind(&self, backend: DbBackend, sql: String) -> Statement {
        Statement::from_sql_and_values(
            backend,
            sql,
            [
                self.outlet_id.into(),
                self.from.clone().into(),
                self.to.clone().into(),
                OrderStatus::Voided.as_str().into(),
            ],
        )
    }
}

/// A part of one report row: its sales, or its refunds.
#[derive(Debug, FromQueryResult)]
struct Aggregate {
    #[sea_orm(from_alias = "grp")]
    group: String,
    orders: i64,
    quantity: i64,
    discount: i64,
    gross: i64,
    refunds: i64,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    orders: i64,
}

/// Adds up the parts of each row; rows come out ordered by key (in code: PostgreSQL's
/// collation would order names by locale).
fn fold(parts: impl IntoIterator<Item = (String, Aggregate)>) -> Vec<SalesRow> {
    let mut rows: BTreeMap<String, SalesRow> = BTreeMap::new();
    for (key, part) in parts {
        let row = rows.entry(key.clone()).or_insert_with(|| SalesRow {
            key,
            ..Default::default()
        });
        row.orders += part.orders;
        row.quantity += part.quantity;
        row.discount += part.discount;
        row.gross += part.gross;
        row.refunds += part.refunds;
        row.net += part.gross - part.refunds;
    }
    rows.into_values().collect()
}

/// Folds UTC quarter hours (their number since 1970 as the group) into the outlet's local
/// hours (`HH:00`).
fn hours_of(parts: Vec<Aggregate>, tz: chrono_tz::Tz) -> Vec<SalesRow> {
    fold(parts.into_iter().filter_map(|part| {
        let quarter: i64 = part.group.parse().ok()?;
        let start = DateTime::from_timestamp(quarter.checked_mul(900)?, 0)?;
        Some((start.with_timezone(&tz).format("%H:00").to_string(), part))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(at: &str, gross: i64) -> Aggregate {
        let at = DateTime::parse_from_rfc3339(at).unwrap();
        Aggregate {
            group: (at.timestamp() / 900).to_string(),
            orders: 1,
            quantity: 0,
            discount: 0,
            gross,
            refunds: 0,
        }
    }

    #[test]
    fn quarter_hours_fold_into_local_hours() {
        let buckets = vec![
            bucket("2026-11-25T03:00:00Z", 1_000),
            bucket("2026-11-25T03:45:00Z", 2_000),
            bucket("2026-11-25T04:15:00Z", 4_000),
        ];
        let jakarta = hours_of(buckets, chrono_tz::Asia::Jakarta);
        let keys: Vec<(&str, i64, i64)> = jakarta
            .iter()
            .map(|r| (r.key.as_str(), r.orders, r.gross))
            .collect();
        assert_eq!(keys, [("10:00", 2, 3_000), ("11:00", 1, 4_000)]);

        // UTC+5:45: 03:00Z is 08:45 local, 03:45Z is 09:30.
        let buckets = vec![
            bucket("2026-11-25T03:00:00Z", 1_000),
            bucket("2026-11-25T03:45:00Z", 2_000),
        ];
        let kathmandu = hours_of(buckets, chrono_tz::Asia::Kathmandu);
        let keys: Vec<&str> = kathmandu.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["08:00", "09:00"]);
    }
}

/// How many and how much of one kind of exception.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub amount: i64,
}

/// One staff member's exceptions over a report's range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffExceptions {
    pub user_id: Uuid,
    pub username: String,
    /// Whole orders voided (amount: their totals).
    pub order_voids: Tally,
    pub item_voids: Tally,
    pub comps: Tally,
    /// Discounts given, less those taken back.
    pub discounts: Tally,
    pub refunds: Tally,
    /// The drawer opened without a sale.
    pub drawer_opens: i64,
    /// Actions of theirs a manager approved.
    pub approved: i64,
    pub shifts_closed: i64,
    /// Counted minus expected cash over their closed shifts (negative: short).
    pub cash_difference: i64,
}

#[derive(Debug, Clone)]
pub struct ExceptionsReport {
    pub outlet_id: Uuid,
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By username; only staff with something to show.
    pub staff: Vec<StaffExceptions>,
}

#[derive(Debug, FromQueryResult)]
struct ExceptionPart {
    user_id: Uuid,
    kind: String,
    count: i64,
    amount: i64,
}

/// Voids, comps, discounts, refunds, drawer opens without a sale and cash differences per
/// staff member over the outlet's days `from..=to` (local time; default today): what a
/// manager looks at first when the till does not add up.
pub async fn exceptions(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<ExceptionsReport> {
    let outlet = get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ViewReports)?;
    let tz = super::outlets::timezone_of(&outlet);
    let (from, to) = report_days(tz, from, to)?;
    let start = local_midnight(tz, from)?;
    let end = local_midnight(tz, to.succ_opt().unwrap_or(to))?;

    // Each source grouped by who and what, in the database (PostgreSQL sums bigints to
    // numeric: cast back).
    let sql = "\
        SELECT a.created_by AS user_id, a.kind AS kind, COUNT(*) AS count, \
               CAST(COALESCE(SUM(a.amount), 0) AS BIGINT) AS amount \
        FROM order_adjustments a JOIN orders o ON o.id = a.order_id \
        WHERE o.outlet_id = $1 AND a.created_at >= $2 AND a.created_at < $3 \
          AND a.kind IN ('VOID', 'COMP', 'DISCOUNT', 'DISCOUNT_REMOVED') \
        GROUP BY a.created_by, a.kind \
        UNION ALL \
        SELECT c.changed_by, 'ORDER_VOID', COUNT(*), CAST(COALESCE(SUM(o.total_amount), 0) AS BIGINT) \
        FROM order_status_changes c JOIN orders o ON o.id = c.order_id \
        WHERE o.outlet_id = $1 AND c.at >= $2 AND c.at < $3 AND c.to_status = 'VOIDED' \
          AND c.changed_by IS NOT NULL \
        GROUP BY c.changed_by \
        UNION ALL \
        SELECT p.refunded_by, 'REFUND', COUNT(*), CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) \
        FROM payments p \
        WHERE p.outlet_id = $1 AND p.refunded_at >= $2 AND p.refunded_at < $3 \
          AND p.refunded_by IS NOT NULL \
        GROUP BY p.refunded_by \
        UNION ALL \
        SELECT l.actor_id, 'DRAWER', COUNT(*), CAST(0 AS BIGINT) \
        FROM audit_log l \
        WHERE l.outlet_id = $1 AND l.at >= $2 AND l.at < $3 AND l.action = 'DRAWER_OPENED' \
          AND l.actor_id IS NOT NULL \
        GROUP BY l.actor_id \
        UNION ALL \
        SELECT l.actor_id, 'APPROVED', COUNT(*), CAST(0 AS BIGINT) \
        FROM audit_log l \
        WHERE l.outlet_id = $1 AND l.at >= $2 AND l.at < $3 AND l.approved_by IS NOT NULL \
          AND l.actor_id IS NOT NULL \
        GROUP BY l.actor_id \
        UNION ALL \
        SELECT s.user_id, 'SHIFT', COUNT(*), CAST(COALESCE(SUM(s.cash_difference), 0) AS BIGINT) \
        FROM shifts s \
        WHERE s.outlet_id = $1 AND s.closed_at >= $2 AND s.closed_at < $3 \
        GROUP BY s.user_id";
    let values: Vec<sea_orm::Value> = vec![outlet.id.into(), start.into(), end.into()];
    let statement = Statement::from_sql_and_values(db.backend(), sql, values);
    let parts = ExceptionPart::find_by_statement(statement)
        .all(db.conn())
        .await?;

    let mut staff: BTreeMap<Uuid, StaffExceptions> = BTreeMap::new();
    for part in parts {
        let row = staff
            .entry(part.user_id)
            .or_insert_with(|| StaffExceptions {
                user_id: part.user_id,
                ..Default::default()
            });
        let tally = Tally {
            count: part.count,
            amount: part.amount,
        };
        match part.kind.as_str() {
            "VOID" => row.item_voids = tally,
            "COMP" => row.comps = tally,
            "DISCOUNT" => {
                row.discounts.count += tally.count;
                row.discounts.amount += tally.amount;
            }
            // Its amount is already negative: what the discount had taken off comes back.
            "DISCOUNT_REMOVED" => row.discounts.amount += tally.amount,
            "ORDER_VOID" => row.order_voids = tally,
            "REFUND" => row.refunds = tally,
            "DRAWER" => row.drawer_opens = tally.count,
            "APPROVED" => row.approved = tally.count,
            "SHIFT" => {
                row.shifts_closed = tally.count;
                row.cash_difference = tally.amount;
            }
            _ => {}
        }
    }
    let ids: Vec<Uuid> = staff.keys().copied().collect();
    let names: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let mut staff: Vec<StaffExceptions> = staff
        .into_values()
        .map(|mut row| {
            row.username = names.get(&row.user_id).cloned().unwrap_or_default();
            row
        })
        .collect();
    staff.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(ExceptionsReport {
        outlet_id: outlet.id,
        currency: outlet.currency,
        from,
        to,
        staff,
    })
}

/// The instant a local day starts (the earliest, where a clock change makes it ambiguous).
fn local_midnight(tz: chrono_tz::Tz, day: NaiveDate) -> AppResult<DateTime<Utc>> {
    use chrono::TimeZone;
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| AppError::internal("no midnight"))?;
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::validation("from", "that day has no midnight here"))
}
