use kedai::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{expect_json, expect_problem, spawn_app, TestApp};

/// Places an order of `quantity × product` and returns its id.
async fn order_of(
    app: &TestApp,
    token: &str,
    outlet: Uuid,
    product: Uuid,
    quantity: i32,
) -> String {
    let body =
        json!({"outlet_id": outlet, "items": [{"product_id": product, "quantity": quantity}]});
    app.order(token, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn pay(app: &TestApp, token: &str, order: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/orders/{order}/payments"), Some(token), &body)
        .await
}

async fn open_shift(app: &TestApp, token: &str, outlet: Uuid, start_cash: i64) -> Value {
    let response = app
        .post(
            "/shifts/open",
            Some(token),
            &json!({"outlet_id": outlet, "start_cash": start_cash}),
        )
        .await;
    expect_json(response, StatusCode::CREATED).await
}

#[tokio::test]
async fn the_shift_arithmetic_example_balances_to_338000() {
    let app = spawn_app().await;
    let shop = app.shop(&[150_000, 8_000]).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let (_, manager) = app
        .staff(&shop.owner, "manager1", Role::Manager, shop.outlet)
        .await;
    let shift = open_shift(&app, &kasir, shop.outlet, 200_000).await;
    let shift_id = shift["id"].as_str().unwrap();
    assert_eq!(shift["status"], "OPEN");
    assert_eq!(
        expect_json(
            app.get("/shifts/current", Some(&kasir)).await,
            StatusCode::OK
        )
        .await["id"],
        shift["id"]
    );

    let big = order_of(&app, &kasir, shop.outlet, shop.products[0], 1).await;
    let cash = expect_json(
        pay(
            &app,
            &kasir,
            &big,
            json!({"method": "CASH", "amount": 150_000, "tendered": 200_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(cash["change"], 50_000);
    assert_eq!(cash["shift_id"], shift["id"]);

    let split = order_of(&app, &kasir, shop.outlet, shop.products[1], 1).await;
    expect_json(
        pay(
            &app,
            &kasir,
            &split,
            json!({"method": "QRIS", "amount": 5_000, "reference": "QR-1"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let half = expect_json(
        app.get(&format!("/orders/{split}"), Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(half["payment_status"], "PARTIALLY_PAID");
    expect_json(
        pay(
            &app,
            &kasir,
            &split,
            json!({"method": "CASH", "amount": 3_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let paid = expect_json(
        app.get(&format!("/orders/{split}"), Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            paid["paid_amount"].as_i64(),
            paid["payment_status"].as_str()
        ),
        (Some(8_000), Some("PAID"))
    );

    let movements = format!("/shifts/{shift_id}/cash-movements");
    expect_json(
        app.post(
            &movements,
            Some(&kasir),
            &json!({"kind": "PAY_OUT", "amount": 20_000, "reason": "ice supplier"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect_json(
        app.post(
            &movements,
            Some(&kasir),
            &json!({"kind": "PAY_IN", "amount": 5_000, "reason": "small change from safe"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let refunded_order = order_of(&app, &kasir, shop.outlet, shop.products[1], 1).await;
    let to_refund = expect_json(
        pay(
            &app,
            &kasir,
            &refunded_order,
            json!({"method": "CASH", "amount": 8_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let refund = format!("/payments/{}/refund", to_refund["id"].as_str().unwrap());
    let refunded = expect_json(
        app.post(&refund, Some(&manager), &json!({"reason": "cold food"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        refunded["refund_shift_id"], shift["id"],
        "paid out of the open original drawer"
    );
    let after = expect_json(
        app.get(&format!("/orders/{refunded_order}"), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            after["paid_amount"].as_i64(),
            after["payment_status"].as_str()
        ),
        (Some(0), Some("REFUNDED"))
    );

    // A KASIR may void an unpaid order; the Z-report lists it.
    let mistake = order_of(&app, &kasir, shop.outlet, shop.products[1], 1).await;
    let voided = app
        .set_status(
            &kasir,
            &mistake,
            &json!({"status": "VOIDED", "reason": "wrong table"}),
        )
        .await;
    let voided = expect_json(voided, StatusCode::OK).await;

    let closed = app
        .post(
            "/shifts/close",
            Some(&kasir),
            &json!({"shift_id": shift_id, "end_cash": 337_000, "note": "count ok"}),
        )
        .await;
    let closed = expect_json(closed, StatusCode::OK).await;
    assert_eq!(closed["expected_cash"], 338_000);
    assert_eq!(closed["end_cash"], 337_000);
    assert_eq!(closed["cash_difference"], -1_000);
    assert_eq!(closed["status"], "CLOSED");
    expect_problem(
        app.get("/shifts/current", Some(&kasir)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;

    let report = expect_json(
        app.get(&format!("/shifts/{shift_id}/report"), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    eprintln!(
        "Z-report of the example:\n{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(
        report["payments_by_method"],
        json!([
            {"method": "CASH", "count": 3, "amount": 161_000},
            {"method": "QRIS", "count": 1, "amount": 5_000},
        ])
    );
    assert_eq!(report["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(report["refunds"][0]["amount"], 8_000);
    assert_eq!(report["cash_movements"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            report["start_cash"].as_i64(),
            report["cash_payments"].as_i64(),
            report["cash_refunds"].as_i64()
        ),
        (Some(200_000), Some(161_000), Some(8_000))
    );
    assert_eq!(
        (report["pay_ins"].as_i64(), report["pay_outs"].as_i64()),
        (Some(5_000), Some(20_000))
    );
    assert_eq!(
        (
            report["expected_cash"].as_i64(),
            report["counted_cash"].as_i64(),
            report["cash_difference"].as_i64()
        ),
        (Some(338_000), Some(337_000), Some(-1_000))
    );
    assert_eq!(report["cashier"], "kasir1");
    assert_eq!(report["voids"].as_array().unwrap().len(), 1);
    assert_eq!(report["voids"][0]["order_id"], voided["id"]);
    assert_eq!(report["voids"][0]["number"], voided["number"]);
    assert_eq!(report["voids"][0]["reason"], "wrong table");

    let again = app
        .post(
            "/shifts/close",
            Some(&kasir),
            &json!({"shift_id": shift_id, "end_cash": 1}),
        )
        .await;
    expect_problem(again, StatusCode::CONFLICT, "SHIFT_CLOSED").await;
    let kinds = app.event_kinds().await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "ORDER_PAID").count(),
        5,
        "4 payments and a refund"
    );
    assert!(
        kinds.contains(&"SHIFT_OPENED".to_owned()) && kinds.contains(&"SHIFT_CLOSED".to_owned())
    );
}

#[tokio::test]
async fn three_retries_with_one_key_record_one_payment() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    open_shift(&app, &shop.owner, shop.outlet, 0).await;
    let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let response = app
            .request(
                Method::POST,
                &format!("/orders/{order}/payments"),
                Some(&shop.owner),
            )
            .header("Idempotency-Key", "pay-once-7")
            .json(&json!({"method": "CASH", "amount": 4_000, "tendered": 5_000}))
            .send()
            .await
            .unwrap();
        ids.push(expect_json(response, StatusCode::CREATED).await["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    let listed = expect_json(
        app.get(&format!("/orders/{order}/payments"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let order_now = expect_json(
        app.get(&format!("/orders/{order}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(order_now["paid_amount"], 4_000);

    let other_body = app
        .request(
            Method::POST,
            &format!("/orders/{order}/payments"),
            Some(&shop.owner),
        )
        .header("Idempotency-Key", "pay-once-7")
        .json(&json!({"method": "CASH", "amount": 5_000}))
        .send()
        .await
        .unwrap();
    expect_problem(
        other_body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IDEMPOTENCY_KEY_REUSED",
    )
    .await;
}

#[tokio::test]
async fn concurrent_payments_never_overpay() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
    let attempts = (0..8).map(|_| {
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "QRIS", "amount": 4_000}),
        )
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [
            StatusCode::CREATED,
            StatusCode::BAD_REQUEST,
            StatusCode::CONFLICT
        ]
        .contains(s)),
        "{statuses:?}"
    );
    let now = expect_json(
        app.get(&format!("/orders/{order}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["paid_amount"], 8_000);
    assert!(now["paid_amount"].as_i64() <= now["total_amount"].as_i64());
}

#[tokio::test]
async fn payment_input_and_state_rules() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
    expect_problem(
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "CASH", "amount": 1000}),
        )
        .await,
        StatusCode::CONFLICT,
        "NO_OPEN_SHIFT",
    )
    .await;
    open_shift(&app, &shop.owner, shop.outlet, 100_000).await;
    for body in [
        json!({"method": "BITCOIN", "amount": 1000}),
        json!({"method": "CASH", "amount": 0}),
        json!({"method": "CASH", "amount": -5}),
        json!({"method": "CASH", "amount": 1.5}),
        json!({"method": "CASH", "amount": 5000, "tendered": 4000}),
        json!({"method": "QRIS", "amount": 5000, "tendered": 5000}),
        json!({"method": "CASH", "amount": 10_001}),
        json!({"method": "CASH"}),
    ] {
        expect_problem(
            pay(&app, &shop.owner, &order, body.clone()).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
    }
    let listed = expect_json(
        app.get(&format!("/orders/{order}/payments"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        listed["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );

    expect_json(
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "CARD", "amount": 10_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect_problem(
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "CASH", "amount": 1}),
        )
        .await,
        StatusCode::CONFLICT,
        "ORDER_ALREADY_PAID",
    )
    .await;

    let voided = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
    expect_json(
        app.set_status(
            &shop.owner,
            &voided,
            &json!({"status": "VOIDED", "reason": "test"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        pay(
            &app,
            &shop.owner,
            &voided,
            json!({"method": "CASH", "amount": 1}),
        )
        .await,
        StatusCode::CONFLICT,
        "ORDER_VOIDED",
    )
    .await;
    expect_problem(
        pay(
            &app,
            &shop.owner,
            &Uuid::now_v7().to_string(),
            json!({"method": "CASH", "amount": 1}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn roles_for_payments_refunds_shifts_and_reports() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let (_, kasir2) = app
        .staff(&shop.owner, "kasir2", Role::Kasir, shop.outlet)
        .await;
    let (kasir3_id, _) = app
        .staff(&shop.owner, "kasir3", Role::Kasir, shop.outlet)
        .await;
    let (_, waiter) = app
        .staff(&shop.owner, "waiter1", Role::Waiter, shop.outlet)
        .await;
    let (_, kitchen) = app
        .staff(&shop.owner, "kitchen1", Role::Kitchen, shop.outlet)
        .await;
    let (_, manager) = app
        .staff(&shop.owner, "manager1", Role::Manager, shop.outlet)
        .await;
    let order = order_of(&app, &waiter, shop.outlet, shop.products[0], 1).await;

    for token in [&waiter, &kitchen] {
        expect_problem(
            pay(
                &app,
                token,
                &order,
                json!({"method": "QRIS", "amount": 1000}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
        let open = app
            .post(
                "/shifts/open",
                Some(token),
                &json!({"outlet_id": shop.outlet, "start_cash": 0}),
            )
            .await;
        expect_problem(open, StatusCode::FORBIDDEN, "FORBIDDEN").await;
        expect_problem(
            app.get(
                &format!("/reports/sales?outlet_id={}", shop.outlet),
                Some(token),
            )
            .await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
    }
    let payment = expect_json(
        pay(
            &app,
            &kasir,
            &order,
            json!({"method": "QRIS", "amount": 10_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let refund = format!("/payments/{}/refund", payment["id"].as_str().unwrap());
    expect_problem(
        app.post(&refund, Some(&kasir), &json!({"reason": "x"}))
            .await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    expect_problem(
        app.post(&refund, Some(&manager), &json!({"reason": "  "}))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_json(
        app.post(&refund, Some(&manager), &json!({"reason": "wrong table"}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post(&refund, Some(&manager), &json!({"reason": "again"}))
            .await,
        StatusCode::CONFLICT,
        "PAYMENT_ALREADY_REFUNDED",
    )
    .await;
    expect_problem(
        app.get(
            &format!("/reports/sales?outlet_id={}", shop.outlet),
            Some(&kasir),
        )
        .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    // Shifts: one open per user, opening for others needs a manager, closing is the cashier's or a manager's.
    let shift = open_shift(&app, &kasir, shop.outlet, 0).await;
    let twice = app
        .post(
            "/shifts/open",
            Some(&kasir),
            &json!({"outlet_id": shop.outlet, "start_cash": 0}),
        )
        .await;
    expect_problem(twice, StatusCode::CONFLICT, "SHIFT_ALREADY_OPEN").await;
    let for_other = json!({"outlet_id": shop.outlet, "start_cash": 50_000, "user_id": kasir3_id});
    expect_problem(
        app.post("/shifts/open", Some(&kasir2), &for_other).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    let opened = expect_json(
        app.post("/shifts/open", Some(&manager), &for_other).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(opened["user_id"], kasir3_id.to_string());
    let negative = app
        .post(
            "/shifts/open",
            Some(&kasir2),
            &json!({"outlet_id": shop.outlet, "start_cash": -1}),
        )
        .await;
    expect_problem(negative, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    let close = json!({"shift_id": shift["id"], "end_cash": 0});
    expect_problem(
        app.post("/shifts/close", Some(&kasir2), &close).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        app.get(
            &format!("/shifts/{}", shift["id"].as_str().unwrap()),
            Some(&kasir2),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_json(
        app.post("/shifts/close", Some(&manager), &close).await,
        StatusCode::OK,
    )
    .await;
    let listed = expect_json(app.get("/shifts", Some(&manager)).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let own = expect_json(app.get("/shifts", Some(&kasir)).await, StatusCode::OK).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_cash_refund_after_the_shift_closed_comes_from_the_refunders_drawer() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let (_, manager) = app
        .staff(&shop.owner, "manager1", Role::Manager, shop.outlet)
        .await;
    let shift = open_shift(&app, &kasir, shop.outlet, 0).await;
    let order = order_of(&app, &kasir, shop.outlet, shop.products[0], 1).await;
    let payment = expect_json(
        pay(
            &app,
            &kasir,
            &order,
            json!({"method": "CASH", "amount": 10_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect_json(
        app.post(
            "/shifts/close",
            Some(&kasir),
            &json!({"shift_id": shift["id"], "end_cash": 10_000}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let refund = format!("/payments/{}/refund", payment["id"].as_str().unwrap());
    expect_problem(
        app.post(&refund, Some(&manager), &json!({"reason": "x"}))
            .await,
        StatusCode::CONFLICT,
        "NO_OPEN_SHIFT",
    )
    .await;
    let manager_shift = open_shift(&app, &manager, shop.outlet, 50_000).await;
    let refunded = expect_json(
        app.post(&refund, Some(&manager), &json!({"reason": "x"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refunded["refund_shift_id"], manager_shift["id"]);
    let closed = app
        .post(
            "/shifts/close",
            Some(&manager),
            &json!({"shift_id": manager_shift["id"], "end_cash": 40_000}),
        )
        .await;
    let closed = expect_json(closed, StatusCode::OK).await;
    assert_eq!(
        (
            closed["expected_cash"].as_i64(),
            closed["cash_difference"].as_i64()
        ),
        (Some(40_000), Some(0))
    );
}

#[tokio::test]
async fn paying_every_order_lets_the_table_close_without_force() {
    let app = spawn_app().await;
    let shop = app.shop(&[12_000]).await;
    open_shift(&app, &shop.owner, shop.outlet, 0).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let guest = session["token"].as_str().unwrap();
    let body = json!({"items": [{"product_id": shop.products[0], "quantity": 1}]});
    let first = app.order(guest, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.order(guest, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = session["id"].as_str().unwrap();
    let close = format!("/table-sessions/{id}/close");

    expect_json(
        pay(
            &app,
            &shop.owner,
            &first,
            json!({"method": "CASH", "amount": 12_000, "tendered": 20_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let bill = expect_json(
        app.get(&format!("/table-sessions/{id}/bill"), Some(guest))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            bill["total_amount"].as_i64(),
            bill["paid_amount"].as_i64(),
            bill["outstanding"].as_i64()
        ),
        (Some(24_000), Some(12_000), Some(12_000))
    );
    expect_problem(
        app.post(&close, Some(&shop.owner), &json!({})).await,
        StatusCode::CONFLICT,
        "SESSION_HAS_UNPAID_ORDERS",
    )
    .await;
    expect_json(
        pay(
            &app,
            &shop.owner,
            &second,
            json!({"method": "QRIS", "amount": 12_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let bill = expect_json(
        app.get(&format!("/table-sessions/{id}/bill"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bill["outstanding"], 0);
    expect_json(
        app.post(&close, Some(&shop.owner), &json!({})).await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn sales_reports_leave_out_voids_and_subtract_refunds() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000, 4_000]).await;
    open_shift(&app, &shop.owner, shop.outlet, 0).await;
    let a = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 2).await; // 20000
    let b = order_of(&app, &shop.owner, shop.outlet, shop.products[1], 1).await; // 4000
    let voided = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 5).await;
    expect_json(
        app.set_status(
            &shop.owner,
            &voided,
            &json!({"status": "VOIDED", "reason": "test"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_json(
        pay(
            &app,
            &shop.owner,
            &a,
            json!({"method": "CASH", "amount": 20_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let qris = expect_json(
        pay(
            &app,
            &shop.owner,
            &b,
            json!({"method": "QRIS", "amount": 4_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let refund = format!("/payments/{}/refund", qris["id"].as_str().unwrap());
    expect_json(
        app.post(&refund, Some(&shop.owner), &json!({"reason": "complaint"}))
            .await,
        StatusCode::OK,
    )
    .await;

    let base = format!("/reports/sales?outlet_id={}", shop.outlet);
    let day = expect_json(app.get(&base, Some(&shop.owner)).await, StatusCode::OK).await;
    assert_eq!(day["rows"].as_array().unwrap().len(), 1);
    assert_eq!(day["totals"]["orders"], 2);
    assert_eq!(
        (
            day["totals"]["gross_sales"].as_i64(),
            day["totals"]["refunds"].as_i64(),
            day["totals"]["net_sales"].as_i64()
        ),
        (Some(24_000), Some(4_000), Some(20_000))
    );

    let methods = expect_json(
        app.get(&format!("{base}&group_by=method"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    let keys: Vec<&str> = methods["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["CASH", "QRIS"]);
    assert_eq!(methods["rows"][1]["net_sales"], 0);

    let products = expect_json(
        app.get(&format!("{base}&group_by=product"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(products["rows"][0]["key"], "Dish 0");
    assert_eq!(
        products["rows"][0]["quantity"], 2,
        "the voided 5 are left out"
    );
    let hours = expect_json(
        app.get(&format!("{base}&group_by=hour"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hours["totals"]["gross_sales"], 24_000);

    let csv = app
        .request(Method::GET, &base, Some(&shop.owner))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("key,orders,quantity,discount_amount,gross_sales,refunds,net_sales\r\n"),
        "{text}"
    );
    assert!(text.contains("TOTAL,2,0,0,24000,4000,20000"), "{text}");
    let csv = app
        .get(
            &format!("{base}&format=csv&group_by=method"),
            Some(&shop.owner),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("QRIS,1,0,0,4000,4000,0"), "{csv}");

    expect_problem(
        app.get(
            &format!("{base}&from=2026-12-31&to=2026-01-01"),
            Some(&shop.owner),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        app.get(&format!("{base}&group_by=week"), Some(&shop.owner))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        app.get(&format!("{base}&from=yesterday"), Some(&shop.owner))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
}

/// Reports group in the database: a year of a busy shop (more orders than SQLite allows
/// statement parameters, which listing their ids once hit) is summed exactly, every grouping.
#[tokio::test]
async fn a_sales_report_over_more_orders_than_sql_parameters_sums_them_in_the_database() {
    const COPIES: i64 = 33_000;
    let app = spawn_app().await;
    let shop = app.shop(&[12_000]).await;
    let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 2).await;
    let payment = expect_json(
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "QRIS", "amount": 24_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let refund = format!("/payments/{}/refund", payment["id"].as_str().unwrap());
    expect_json(
        app.post(&refund, Some(&shop.owner), &json!({"reason": "cold"}))
            .await,
        StatusCode::OK,
    )
    .await;

    // Copy the order with its item and refunded payment, straight in the database.
    let postgres = app.db.url.starts_with("postgres");
    let id = |prefix: char| {
        if postgres {
            format!("CAST('{prefix}0000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0') AS uuid)")
        } else {
            format!("unhex(printf('{prefix}%031x', i))")
        }
    };
    let series = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {COPIES})"
    );
    let (order_id, item_id, payment_id) = (id('a'), id('b'), id('c'));
    app.query_db(&format!(
        "{series} INSERT INTO orders (id, outlet_id, table_session_id, business_date, number, \
         source, status, note, subtotal, service_charge_amount, tax_amount, total_amount, \
         paid_amount, payment_status, version, created_by, created_at, updated_at) \
         SELECT {order_id}, outlet_id, table_session_id, business_date, number + i, source, \
         status, note, subtotal, service_charge_amount, tax_amount, total_amount, paid_amount, \
         payment_status, version, created_by, created_at, updated_at FROM orders, n"
    ))
    .await;
    app.query_db(&format!(
        "{series} INSERT INTO order_items (id, order_id, product_id, name, unit_price, quantity, \
         note, modifiers, line_total) \
         SELECT {item_id}, {order_id}, product_id, name, unit_price, quantity, note, modifiers, \
         line_total FROM order_items, n"
    ))
    .await;
    app.query_db(&format!(
        "{series} INSERT INTO payments (id, order_id, outlet_id, shift_id, method, amount, \
         tendered, change_amount, reference, created_by, created_at, refunded_at, refunded_by, \
         refund_reason, refund_shift_id) \
         SELECT {payment_id}, {order_id}, outlet_id, shift_id, method, amount, tendered, \
         change_amount, reference, created_by, created_at, refunded_at, refunded_by, \
         refund_reason, refund_shift_id FROM payments, n"
    ))
    .await;

    if postgres {
        // What autovacuum does after such growth; a planner that still thinks the outlet has
        // one order would nest loops over 33,000 × 33,000 rows.
        app.query_db("ANALYZE").await;
    }
    let orders = COPIES + 1;
    let base = format!("/reports/sales?outlet_id={}", shop.outlet);
    for group in ["day", "hour", "product", "method"] {
        let report = expect_json(
            app.get(&format!("{base}&group_by={group}"), Some(&shop.owner))
                .await,
            StatusCode::OK,
        )
        .await;
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{group}: {rows:?}");
        let quantity = if group == "product" { 2 * orders } else { 0 };
        assert_eq!(
            rows[0],
            json!({
                "key": rows[0]["key"],
                "orders": orders,
                "quantity": quantity,
                "discount_amount": 0,
                "gross_sales": 24_000 * orders,
                "refunds": 24_000 * orders,
                "net_sales": 0,
            }),
            "{group}"
        );
        assert_eq!(report["totals"]["orders"], orders, "{group}");
    }
}

/// Text in a CSV download cannot run as a spreadsheet formula, and quoting follows RFC 4180.
#[tokio::test]
async fn csv_downloads_defuse_formulas_in_names() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let names = [
        "=1+2",
        "+62 Kopi",
        "-Es Teh",
        "@SUM(A1)",
        "Nasi, \"Spesial\"",
    ];
    for name in names {
        let product = app
            .create_product(&shop.owner, shop.outlet, name, 5_000)
            .await;
        order_of(&app, &shop.owner, shop.outlet, product, 1).await;
    }
    let csv = app
        .get(
            &format!(
                "/reports/sales?outlet_id={}&group_by=product&format=csv",
                shop.outlet
            ),
            Some(&shop.owner),
        )
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "key,orders,quantity,discount_amount,gross_sales,refunds,net_sales",
            "'+62 Kopi,1,1,0,5000,0,5000",
            "'-Es Teh,1,1,0,5000,0,5000",
            "'=1+2,1,1,0,5000,0,5000",
            "'@SUM(A1),1,1,0,5000,0,5000",
            "\"Nasi, \"\"Spesial\"\"\",1,1,0,5000,0,5000",
            "TOTAL,5,5,0,25000,0,25000",
            "",
        ],
        "{csv}"
    );
}

/// Voiding a paid order would hide a sale whose money stays in the drawer: refund first.
#[tokio::test]
async fn an_order_with_payments_is_voided_only_after_a_refund() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
    let payment = expect_json(
        pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "QRIS", "amount": 4_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let void = json!({"status": "VOIDED", "reason": "wrong table"});
    let refused = expect_problem(
        app.set_status(&shop.owner, &order, &void).await,
        StatusCode::CONFLICT,
        "ORDER_HAS_PAYMENTS",
    )
    .await;
    assert!(refused["detail"].as_str().unwrap().contains("refund"));
    let unchanged = expect_json(
        app.get(&format!("/orders/{order}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged["status"], "NEW");
    let report = format!("/reports/sales?outlet_id={}", shop.outlet);
    let sales = expect_json(app.get(&report, Some(&shop.owner)).await, StatusCode::OK).await;
    assert_eq!(sales["totals"]["orders"], 1, "the sale stays in the report");

    let refund = format!("/payments/{}/refund", payment["id"].as_str().unwrap());
    expect_json(
        app.post(
            &refund,
            Some(&shop.owner),
            &json!({"reason": "wrong table"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let voided = expect_json(
        app.set_status(&shop.owner, &order, &void).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(voided["status"], "VOIDED");
}

/// A payment and a void racing on one order: never both.
#[tokio::test]
async fn a_payment_racing_a_void_never_both_succeed() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    for _ in 0..10 {
        let order = order_of(&app, &shop.owner, shop.outlet, shop.products[0], 1).await;
        let void = json!({"status": "VOIDED", "reason": "race"});
        let paying = json!({"method": "QRIS", "amount": 10_000});
        let (voided, paid) = tokio::join!(
            app.set_status(&shop.owner, &order, &void),
            pay(&app, &shop.owner, &order, paying),
        );
        let (voided, paid) = (voided.status(), paid.status());
        assert!(
            voided.is_success() != paid.is_success(),
            "void {voided}, payment {paid}"
        );
        let now = expect_json(
            app.get(&format!("/orders/{order}"), Some(&shop.owner))
                .await,
            StatusCode::OK,
        )
        .await;
        assert!(
            (now["status"] == "VOIDED") == (now["paid_amount"] == 0),
            "{now}"
        );
    }
}

/// An order's refund is shared among its lines by their share of the subtotal, rounded down
/// the same way on both databases: 1000 refunded of 1000 + 2000 → 333 and 666.
#[tokio::test]
async fn product_rows_share_a_refund_rounding_down() {
    let app = spawn_app().await;
    let shop = app.shop(&[1_000, 2_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [
        {"product_id": shop.products[0], "quantity": 1},
        {"product_id": shop.products[1], "quantity": 1},
    ]});
    let order = app.order(&shop.owner, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut payments = Vec::new();
    for amount in [1_000, 2_000] {
        let paid = pay(
            &app,
            &shop.owner,
            &order,
            json!({"method": "QRIS", "amount": amount}),
        )
        .await;
        payments.push(expect_json(paid, StatusCode::CREATED).await["id"].clone());
    }
    let refund = format!("/payments/{}/refund", payments[0].as_str().unwrap());
    expect_json(
        app.post(&refund, Some(&shop.owner), &json!({"reason": "cold"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let report = expect_json(
        app.get(
            &format!("/reports/sales?outlet_id={}&group_by=product", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let refunds: Vec<(&str, i64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["refunds"].as_i64().unwrap()))
        .collect();
    assert_eq!(refunds, [("Dish 0", 333), ("Dish 1", 666)]);
}
