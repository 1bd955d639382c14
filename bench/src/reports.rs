//! `kedai-bench reports`: two orders placed through the API (one paid, one paid and
//! refunded), copied in the database into `days × orders_per_day` orders spread over the
//! business days before today (one in 50 a refunded one), then `GET /reports/sales` over
//! that range, every grouping, timed from the client.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::json;

use crate::{scratch_dir, server_bin, str_field, wait_ready, Api, ReportsArgs, Server};

pub async fn run(args: ReportsArgs) -> Result<()> {
    if args.days < 1 || args.orders_per_day < 1 || args.runs < 1 {
        bail!("--days, --orders-per-day and --runs must be at least 1");
    }
    let bin = server_bin(args.server_bin.as_deref())?;
    let data_dir = scratch_dir()?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/kedai.db?mode=rwc", data_dir.display()));
    let spawned = Instant::now();
    let result = match Server::spawn(&bin, &data_dir, Some(&database_url), None).await {
        Ok(mut server) => {
            let result = measure(&server, &database_url, &args, spawned).await;
            server.stop().await;
            result
        }
        Err(err) => Err(err),
    };
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

async fn measure(
    server: &Server,
    database_url: &str,
    args: &ReportsArgs,
    spawned: Instant,
) -> Result<()> {
    let mut api = Api::new(server, Duration::from_secs(60))?;
    wait_ready(&api, spawned).await?;
    let outlet = api.owner_with_outlet().await?;
    for (name, price, quantity, refund) in [
        ("Nasi Goreng", 25_000, 2, false),
        ("Es Teh", 5_000, 3, true),
    ] {
        let product = api
            .post(
                &format!("/outlets/{outlet}/products"),
                &json!({"name": name, "price": price}),
                201,
            )
            .await?;
        let order = json!({"outlet_id": outlet,
            "items": [{"product_id": str_field(&product, "id")?, "quantity": quantity}]});
        let order = api.post("/orders", &order, 201).await?;
        let total = order
            .get("total_amount")
            .and_then(serde_json::Value::as_i64)
            .context("no total_amount")?;
        let payment = api
            .post(
                &format!("/orders/{}/payments", str_field(&order, "id")?),
                &json!({"method": "QRIS", "amount": total}),
                201,
            )
            .await?;
        if refund {
            api.post(
                &format!("/payments/{}/refund", str_field(&payment, "id")?),
                &json!({"reason": "bench"}),
                200,
            )
            .await?;
        }
    }

    let orders = args.days * args.orders_per_day;
    let seeding = Instant::now();
    copy_orders(database_url, orders - 2, args.orders_per_day).await?;
    eprintln!(
        "{orders} orders in the database ({:.1} s to copy)",
        seeding.elapsed().as_secs_f64()
    );

    let today = Utc::now().date_naive();
    let from = today - chrono::Days::new(u64::try_from(args.days - 1).unwrap_or(0));
    let db = if database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "Sales report over {} days, {orders} orders ({} a day); {db}; {cores} cores; {} runs each",
        args.days, args.orders_per_day, args.runs
    );
    println!();
    println!("| group_by | rows | median ms | max ms |");
    println!("|----------|-----:|----------:|-------:|");
    for group in ["day", "hour", "product", "method"] {
        let url = format!(
            "{}/reports/sales?outlet_id={outlet}&from={from}&to={today}&group_by={group}",
            api.base
        );
        let mut times = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for _ in 0..args.runs {
            let started = Instant::now();
            let response = api.http.get(&url).bearer_auth(&api.token).send().await?;
            let status = response.status();
            let body: serde_json::Value = response.json().await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            if status.as_u16() != 200 {
                bail!("GET /reports/sales?group_by={group}: {status}: {body}");
            }
            let counted = body
                .pointer("/totals/orders")
                .and_then(serde_json::Value::as_i64);
            if counted != Some(orders) {
                bail!("group_by={group} counted {counted:?} orders, not {orders}");
            }
            rows = body
                .get("rows")
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {group} | {rows} | {:.1} | {:.1} |",
            crate::percentile(&times, 0.5),
            times.last().copied().unwrap_or(f64::NAN)
        );
    }
    Ok(())
}

/// Copies the two orders (with their item and payment) `copies` times: copy `i` falls
/// `i / per_day` business days before today; one copy in 50 is of the refunded order.
async fn copy_orders(database_url: &str, copies: i64, per_day: i64) -> Result<()> {
    let conn = Database::connect(database_url)
        .await
        .context("cannot open the bench database")?;
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    let id = |prefix: char| {
        if postgres {
            format!("CAST('{prefix}0000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0') AS uuid)")
        } else {
            format!("unhex(printf('{prefix}%031x', i))")
        }
    };
    let day = if postgres {
        format!("to_char(CAST(src.business_date AS date) - CAST(i / {per_day} AS integer), 'YYYY-MM-DD')")
    } else {
        format!("date(src.business_date, printf('-%d days', i / {per_day}))")
    };
    let series = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies})"
    );
    let source = "src.number = CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END";
    let (order_id, item_id, payment_id) = (id('a'), id('b'), id('c'));
    for sql in [
        format!(
            "{series} INSERT INTO orders (id, outlet_id, table_session_id, business_date, \
             number, source, status, note, subtotal, service_charge_amount, tax_amount, \
             total_amount, paid_amount, payment_status, version, created_by, created_at, \
             updated_at) \
             SELECT {order_id}, outlet_id, table_session_id, {day}, i + 10, source, status, \
             note, subtotal, service_charge_amount, tax_amount, total_amount, paid_amount, \
             payment_status, version, created_by, created_at, updated_at \
             FROM orders src, n WHERE {source}"
        ),
        format!(
            "{series} INSERT INTO order_items (id, order_id, product_id, name, unit_price, \
             quantity, note, modifiers, line_total) \
             SELECT {item_id}, {order_id}, it.product_id, it.name, it.unit_price, it.quantity, \
             it.note, it.modifiers, it.line_total \
             FROM order_items it JOIN orders src ON src.id = it.order_id, n WHERE {source}"
        ),
        format!(
            "{series} INSERT INTO payments (id, order_id, outlet_id, shift_id, method, amount, \
             tendered, change_amount, reference, created_by, created_at, refunded_at, \
             refunded_by, refund_reason, refund_shift_id) \
             SELECT {payment_id}, {order_id}, p.outlet_id, p.shift_id, p.method, p.amount, \
             p.tendered, p.change_amount, p.reference, p.created_by, p.created_at, \
             p.refunded_at, p.refunded_by, p.refund_reason, p.refund_shift_id \
             FROM payments p JOIN orders src ON src.id = p.order_id, n WHERE {source}"
        ),
    ] {
        conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await?;
    }
    if postgres {
        // What autovacuum does soon after such growth.
        conn.execute_raw(Statement::from_string(DbBackend::Postgres, "ANALYZE"))
            .await?;
    }
    conn.close().await?;
    Ok(())
}
