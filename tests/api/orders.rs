use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect_json, expect_problem, spawn_app, Shop, TestApp};

const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn order_count(app: &TestApp, token: &str) -> usize {
    let page = expect_json(
        app.get("/orders?limit=200", Some(token)).await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_original_order_example_works_as_written() {
    let app = spawn_app().await;
    let shop = app.shop(&[75_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let body = json!({
        "outlet_id": shop.outlet,
        "table_session_id": session["id"],
        "note": "No onions",
        "items": [{"product_id": shop.products[0], "quantity": 2, "note": "Extra cheese"}]
    });
    let order = app.order(&shop.owner, &body).await;
    assert_eq!(order["status"], "NEW");
    assert_eq!(order["total_amount"], 150_000);
    assert!(order["id"].is_string());
    assert_eq!(order["number"], 1);
    assert_eq!(order["source"], "STAFF");
    assert_eq!(order["payment_status"], "UNPAID");
    assert_eq!(order["paid_amount"], 0);
    assert_eq!(order["items"][0]["name"], "Dish 0");
    assert_eq!(order["items"][0]["unit_price"], 75_000);
    assert_eq!(order["items"][0]["line_total"], 150_000);
    assert_eq!(order["items"][0]["note"], "Extra cheese");

    let fetched = expect_json(
        app.get(
            &format!("/orders/{}", order["id"].as_str().unwrap()),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fetched, order);

    // A takeaway order (no session) is fine too, and numbers go on.
    let takeaway = app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    assert_eq!(takeaway["number"], 2);
    assert!(takeaway["table_session_id"].is_null());
}

async fn five_percent_service_ten_percent_tax(app: &TestApp, shop: &Shop) {
    let rates = json!({"service_charge_bp": 500, "tax_bp": 1_000});
    expect_json(
        app.patch(
            &format!("/outlets/{}", shop.outlet),
            Some(&shop.owner),
            &rates,
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn totals_apply_service_then_tax() {
    let app = spawn_app().await;
    let shop = app.shop(&[8_000]).await;
    five_percent_service_ten_percent_tax(&app, &shop).await;
    let order = app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 3}]})).await;
    assert_eq!(order["subtotal"], 24_000);
    assert_eq!(order["service_charge_amount"], 1_200);
    assert_eq!(order["tax_amount"], 2_520);
    assert_eq!(order["total_amount"], 27_720);
}

#[tokio::test]
async fn changing_a_price_never_changes_an_existing_order() {
    let app = spawn_app().await;
    let shop = app.shop(&[20_000]).await;
    let order = app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    let product = format!("/products/{}", shop.products[0]);
    expect_json(
        app.patch(
            &product,
            Some(&shop.owner),
            &json!({"price": 99_000, "name": "Renamed"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let again = expect_json(
        app.get(
            &format!("/orders/{}", order["id"].as_str().unwrap()),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["total_amount"], 20_000);
    assert_eq!(again["items"][0]["name"], "Dish 0");
    assert_eq!(again["items"][0]["unit_price"], 20_000);
}

#[tokio::test]
async fn modifiers_are_checked_and_priced() {
    let app = spawn_app().await;
    let shop = app.shop(&[75_000]).await;
    let group = json!({"name": "Spice level", "min_select": 1, "max_select": 1,
        "options": [{"name": "Mild", "price_delta": 0}, {"name": "Extra hot", "price_delta": 2000}]});
    let group = expect_json(
        app.post(
            &format!("/products/{}/modifier-groups", shop.products[0]),
            Some(&shop.owner),
            &group,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mild = group["options"][0]["id"].clone();
    let hot = group["options"][1]["id"].clone();
    let other = app
        .create_product(&shop.owner, shop.outlet, "Plain", 1000)
        .await;
    let order_with = |options: Value| json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 2, "modifier_option_ids": options}]});

    for options in [
        json!([]),
        json!([mild, hot]),
        json!([hot, hot]),
        json!([uuid::Uuid::now_v7()]),
    ] {
        let response = app
            .post("/orders", Some(&shop.owner), &order_with(options))
            .await;
        expect_problem(response, StatusCode::BAD_REQUEST, "MODIFIERS_INVALID").await;
    }
    // An option of another product.
    let foreign = json!({"outlet_id": shop.outlet, "items": [{"product_id": other, "quantity": 1, "modifier_option_ids": [hot]}]});
    expect_problem(
        app.post("/orders", Some(&shop.owner), &foreign).await,
        StatusCode::BAD_REQUEST,
        "MODIFIERS_INVALID",
    )
    .await;
    assert_eq!(order_count(&app, &shop.owner).await, 0);

    let order = app.order(&shop.owner, &order_with(json!([hot]))).await;
    let item = &order["items"][0];
    assert_eq!(item["unit_price"], 77_000);
    assert_eq!(item["line_total"], 154_000);
    assert_eq!(item["modifiers"][0]["option_name"], "Extra hot");
    assert_eq!(item["modifiers"][0]["group_name"], "Spice level");
    assert_eq!(item["modifiers"][0]["price_delta"], 2000);

    // A sold-out option is refused.
    let group_id = group["id"].as_str().unwrap();
    let patch = json!({"options": [{"id": mild, "name": "Mild"}, {"id": hot, "name": "Extra hot", "price_delta": 2000, "available": false}]});
    expect_json(
        app.patch(
            &format!("/modifier-groups/{group_id}"),
            Some(&shop.owner),
            &patch,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post("/orders", Some(&shop.owner), &order_with(json!([hot])))
            .await,
        StatusCode::BAD_REQUEST,
        "MODIFIERS_INVALID",
    )
    .await;
}

#[tokio::test]
async fn bad_order_input_is_400_and_writes_nothing() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let product = shop.products[0];
    let other_owner_outlet = app.create_outlet(&shop.owner, "Cabang").await;
    let foreign_product = app
        .create_product(&shop.owner, other_owner_outlet, "Elsewhere", 5000)
        .await;
    let item = |q: Value| json!({"outlet_id": shop.outlet, "items": [{"product_id": product, "quantity": q}]});
    let bodies = [
        json!({"outlet_id": shop.outlet, "items": []}),
        json!({"outlet_id": shop.outlet}),
        item(json!(0)),
        item(json!(-1)),
        item(json!(1000)),
        item(json!(99_999_999_999_i64)),
        item(json!(1.5)),
        item(json!("2")),
        json!({"outlet_id": shop.outlet, "items": [{"product_id": product}]}),
        json!({"outlet_id": shop.outlet, "items": [{"product_id": "not-a-uuid", "quantity": 1}]}),
        json!({"outlet_id": "nope", "items": [{"product_id": product, "quantity": 1}]}),
        json!({"outlet_id": shop.outlet, "items": [{"product_id": uuid::Uuid::now_v7(), "quantity": 1}]}),
        json!({"outlet_id": shop.outlet, "items": [{"product_id": foreign_product, "quantity": 1}]}),
        json!({"outlet_id": uuid::Uuid::now_v7(), "items": [{"product_id": product, "quantity": 1}]}),
        json!({"outlet_id": shop.outlet, "note": "n".repeat(501), "items": [{"product_id": product, "quantity": 1}]}),
        json!({"outlet_id": shop.outlet, "table_session_id": uuid::Uuid::now_v7(), "items": [{"product_id": product, "quantity": 1}]}),
    ];
    for body in bodies {
        let response = app.post("/orders", Some(&shop.owner), &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let sold_out = format!("/products/{product}");
    expect_json(
        app.patch(&sold_out, Some(&shop.owner), &json!({"available": false}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post("/orders", Some(&shop.owner), &item(json!(1)))
            .await,
        StatusCode::CONFLICT,
        "PRODUCT_UNAVAILABLE",
    )
    .await;

    assert_eq!(order_count(&app, &shop.owner).await, 0);
    assert!(
        app.event_kinds().await.is_empty(),
        "no events for refused orders"
    );
}

#[tokio::test]
async fn concurrent_orders_get_distinct_consecutive_numbers() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let creates = (0..20).map(|_| app.post("/orders", Some(&shop.owner), &body));
    let responses = futures::future::join_all(creates).await;
    let mut numbers = Vec::new();
    for response in responses {
        numbers.push(
            expect_json(response, StatusCode::CREATED).await["number"]
                .as_i64()
                .unwrap(),
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
}

#[tokio::test]
async fn one_idempotency_key_makes_one_order() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 2}]});
    let attempts = (0..8).map(|_| {
        app.request(reqwest::Method::POST, "/orders", Some(&shop.owner))
            .header("Idempotency-Key", "order-abc-123")
            .json(&body)
            .send()
    });
    let responses = futures::future::join_all(attempts).await;
    let mut ids = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        ids.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every retry answers with the first order");
    assert_eq!(order_count(&app, &shop.owner).await, 1);

    let other = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 3}]});
    let reused = app
        .request(reqwest::Method::POST, "/orders", Some(&shop.owner))
        .header("Idempotency-Key", "order-abc-123")
        .json(&other)
        .send()
        .await
        .unwrap();
    expect_problem(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IDEMPOTENCY_KEY_REUSED",
    )
    .await;
    assert_eq!(order_count(&app, &shop.owner).await, 1);
    assert_eq!(app.event_kinds().await, ["NEW_ORDER"]);
}

#[tokio::test]
async fn status_moves_forward_may_skip_and_end() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let order = app.order(&shop.owner, &body).await;
    let id = order["id"].as_str().unwrap();

    let ready = expect_json(
        app.set_status(&shop.owner, id, &json!({"status": "READY"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ready["status"], "READY");
    assert_eq!(ready["version"], 2);
    let back = expect_problem(
        app.set_status(&shop.owner, id, &json!({"status": "COOKING"}))
            .await,
        StatusCode::CONFLICT,
        "ORDER_TRANSITION_INVALID",
    )
    .await;
    assert!(
        back["detail"].as_str().unwrap().contains("DONE, VOIDED"),
        "{back}"
    );
    expect_problem(
        app.set_status(&shop.owner, id, &json!({"status": "EATEN"}))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    let stale = app
        .set_status(&shop.owner, id, &json!({"status": "DONE", "version": 1}))
        .await;
    expect_problem(stale, StatusCode::CONFLICT, "ORDER_VERSION_CONFLICT").await;
    expect_json(
        app.set_status(&shop.owner, id, &json!({"status": "DONE", "version": 2}))
            .await,
        StatusCode::OK,
    )
    .await;
    for status in ["VOIDED", "NEW", "DONE"] {
        let response = app
            .set_status(&shop.owner, id, &json!({"status": status, "reason": "x"}))
            .await;
        expect_problem(response, StatusCode::CONFLICT, "ORDER_TRANSITION_INVALID").await;
    }
    assert_eq!(
        app.event_kinds().await,
        ["NEW_ORDER", "ORDER_STATUS_CHANGED", "ORDER_STATUS_CHANGED"]
    );
}

#[tokio::test]
async fn who_may_move_and_void_orders() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let (_, kitchen) = app
        .staff(&shop.owner, "kitchen1", Role::Kitchen, shop.outlet)
        .await;
    let (_, waiter) = app
        .staff(&shop.owner, "waiter1", Role::Waiter, shop.outlet)
        .await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    expect_problem(
        app.post("/orders", Some(&kitchen), &body).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    let order = app.order(&waiter, &body).await;
    let id = order["id"].as_str().unwrap();

    expect_json(
        app.set_status(&kitchen, id, &json!({"status": "COOKING"}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_json(
        app.set_status(&kitchen, id, &json!({"status": "READY"}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.set_status(&kitchen, id, &json!({"status": "DONE"}))
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        app.set_status(
            &waiter,
            id,
            &json!({"status": "VOIDED", "reason": "mistake"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        app.set_status(&kasir, id, &json!({"status": "VOIDED"}))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        app.set_status(&kasir, id, &json!({"status": "VOIDED", "reason": "   "}))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    let voided = expect_json(
        app.set_status(
            &kasir,
            id,
            &json!({"status": "VOIDED", "reason": "guest left"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(voided["status"], "VOIDED");
}

#[tokio::test]
async fn concurrent_identical_status_changes_have_one_winner() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let order = app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    let id = order["id"].as_str().unwrap();
    let body = json!({"status": "COOKING"});
    let moves = (0..16).map(|_| app.set_status(&shop.owner, id, &body));
    let statuses: Vec<StatusCode> = futures::future::join_all(moves)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        15,
        "{statuses:?}"
    );
    let now = expect_json(
        app.get(&format!("/orders/{id}"), Some(&shop.owner)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["version"], 2);
    assert_eq!(
        app.event_kinds().await,
        ["NEW_ORDER", "ORDER_STATUS_CHANGED"]
    );
}

#[tokio::test]
async fn order_lists_filter_and_page_within_the_outlet() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let elsewhere = app.create_product(&shop.owner, cabang, "Far", 1000).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    for _ in 0..3 {
        app.order(
            &kasir,
            &json!({"items": [{"product_id": shop.products[0], "quantity": 1}]}),
        )
        .await;
    }
    let far = app
        .order(
            &shop.owner,
            &json!({"outlet_id": cabang, "items": [{"product_id": elsewhere, "quantity": 1}]}),
        )
        .await;
    let first = expect_json(
        app.get("/orders?limit=2", Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = expect_json(
        app.get(&format!("/orders?limit=2&cursor={cursor}"), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    expect_problem(
        app.get(
            &format!("/orders/{}", far["id"].as_str().unwrap()),
            Some(&kasir),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let all = expect_json(app.get("/orders", Some(&shop.owner)).await, StatusCode::OK).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let new_only = expect_json(
        app.get(
            &format!("/orders?outlet_id={cabang}&status=NEW"),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(new_only["items"].as_array().unwrap().len(), 1);
    let none = expect_json(
        app.get(
            "/orders?created_after=2999-01-01T00:00:00Z",
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(none["items"].as_array().unwrap().is_empty());
}

fn void_path(order: &Value, line: usize) -> String {
    format!(
        "/orders/{}/items/{}/void",
        order["id"].as_str().unwrap(),
        order["items"][line]["id"].as_str().unwrap()
    )
}

/// Voiding 1 of 3 drops the bill by one unit price with service and tax recomputed; a comp
/// keeps the line on the ticket at 0; each is an ORDER_UPDATED with the whole order.
#[tokio::test]
async fn voiding_and_comping_items_recompute_the_bill() {
    let app = spawn_app().await;
    let shop = app.shop(&[8_000, 5_000]).await;
    five_percent_service_ten_percent_tax(&app, &shop).await;
    let order = app
        .order(
            &shop.owner,
            &json!({"outlet_id": shop.outlet, "items": [
                {"product_id": shop.products[0], "quantity": 3},
                {"product_id": shop.products[1], "quantity": 1},
            ]}),
        )
        .await;
    // 29000 + 5 % 1450 = 30450 + 10 % 3045 = 33495.
    assert_eq!(order["total_amount"], 33_495);
    let (_, kitchen) = app
        .staff(&shop.owner, "dapur", Role::Kitchen, shop.outlet)
        .await;
    let mut socket = app.ws(&format!("token={kitchen}")).await.unwrap();

    let voided = expect_json(
        app.post(
            &void_path(&order, 0),
            Some(&shop.owner),
            &json!({"quantity": 1, "reason": "sent back"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // 21000 + 1050 = 22050 + 2205 = 24255.
    assert_eq!(
        (
            voided["subtotal"].as_i64(),
            voided["service_charge_amount"].as_i64(),
            voided["tax_amount"].as_i64(),
            voided["total_amount"].as_i64()
        ),
        (Some(21_000), Some(1_050), Some(2_205), Some(24_255))
    );
    assert_eq!(voided["items"][0]["voided_quantity"], 1);
    assert_eq!(voided["items"][0]["line_total"], 16_000);
    assert_eq!(voided["version"], order["version"].as_i64().unwrap() + 1);
    let frame = socket
        .next_of("ORDER_UPDATED", WAIT)
        .await
        .expect("ORDER_UPDATED");
    assert_eq!(frame["payload"]["items"][0]["voided_quantity"], 1);

    let comped = expect_json(
        app.post(
            &void_path(&order, 1),
            Some(&shop.owner),
            &json!({"quantity": 1, "reason": "birthday", "comp": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(comped["items"][1]["comped_quantity"], 1);
    assert_eq!(comped["items"][1]["line_total"], 0);
    assert_eq!(comped["items"][1]["quantity"], 1, "still on the ticket");
    // 16000 + 800 = 16800 + 1680 = 18480.
    assert_eq!(comped["total_amount"], 18_480);
    // The sales report counts what was made (a comp was, a void was not) and what it charged.
    let report = expect_json(
        app.get(
            &format!("/reports/sales?outlet_id={}&group_by=product", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let rows: Vec<(&str, i64, i64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["quantity"].as_i64().unwrap(),
                r["gross_sales"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("Dish 0", 2, 16_000), ("Dish 1", 1, 0)]);
}

/// Bad corrections get a clear 4xx and change nothing.
#[tokio::test]
async fn bad_voids_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let shop = app.shop(&[8_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 2}]});
    let order = app.order(&shop.owner, &body).await;
    let other = app.order(&shop.owner, &body).await;
    let reason = |q: i32| json!({"quantity": q, "reason": "x"});
    let path = void_path(&order, 0);
    for (body, status, code) in [
        (reason(3), StatusCode::BAD_REQUEST, "VALIDATION_FAILED"),
        (reason(0), StatusCode::BAD_REQUEST, "VALIDATION_FAILED"),
        (
            json!({"quantity": 1, "reason": " "}),
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        ),
    ] {
        expect_problem(
            app.post(&path, Some(&shop.owner), &body).await,
            status,
            code,
        )
        .await;
    }
    // An item of another order, an order of another outlet.
    let foreign_item = format!(
        "/orders/{}/items/{}/void",
        order["id"].as_str().unwrap(),
        other["items"][0]["id"].as_str().unwrap()
    );
    expect_problem(
        app.post(&foreign_item, Some(&shop.owner), &reason(1)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let (_, elsewhere) = app
        .staff(&shop.owner, "kasir-cabang", Role::Kasir, cabang)
        .await;
    expect_problem(
        app.post(&path, Some(&elsewhere), &reason(1)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    // Paid in part: a void that would bring the total below it.
    let paid = app
        .post(
            &format!("/orders/{}/payments", order["id"].as_str().unwrap()),
            Some(&shop.owner),
            &json!({"method": "QRIS", "amount": 12_000}),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::CREATED);
    expect_problem(
        app.post(&path, Some(&shop.owner), &reason(1)).await,
        StatusCode::CONFLICT,
        "BELOW_PAID",
    )
    .await;
    let now = expect_json(
        app.get(
            &format!("/orders/{}", order["id"].as_str().unwrap()),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["total_amount"], 16_000);
    assert_eq!(now["items"][0]["voided_quantity"], 0);
    assert_eq!(
        now["version"].as_i64(),
        order["version"].as_i64().map(|v| v + 1),
        "only the payment moved it"
    );
}

/// 16 cashiers void the last unit of a line at once: exactly one succeeds.
#[tokio::test]
async fn concurrent_voids_of_the_last_unit_have_one_winner() {
    let app = spawn_app().await;
    let shop = app.shop(&[8_000, 5_000]).await;
    let order = app
        .order(
            &shop.owner,
            &json!({"outlet_id": shop.outlet, "items": [
                {"product_id": shop.products[0], "quantity": 1},
                {"product_id": shop.products[1], "quantity": 1},
            ]}),
        )
        .await;
    let path = void_path(&order, 0);
    let body = json!({"quantity": 1, "reason": "race"});
    let attempts = (0..16).map(|_| app.post(&path, Some(&shop.owner), &body));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let won = statuses.iter().filter(|s| s.is_success()).count();
    assert_eq!(won, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| s.is_success() || *s == StatusCode::CONFLICT || *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
    let now = expect_json(
        app.get(
            &format!("/orders/{}", order["id"].as_str().unwrap()),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["items"][0]["voided_quantity"], 1);
    assert_eq!(now["total_amount"], 5_000);
}

/// Writers that arrive together share one commit on SQLite, each in its own savepoint: the
/// ones that fail half-way (a closed table, found after their key was written) leave nothing
/// behind, and the others are all committed, numbered without gaps.
#[tokio::test]
async fn failing_writers_among_concurrent_ones_roll_back_alone() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let session_id = session["id"].as_str().unwrap().to_owned();
    let closed = app
        .post(
            &format!("/table-sessions/{session_id}/close"),
            Some(&shop.owner),
            &json!({}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let item = json!([{"product_id": shop.products[0], "quantity": 1}]);
    let requests = (0..40).map(|i| {
        let body = if i % 2 == 0 {
            json!({"outlet_id": shop.outlet, "items": item})
        } else {
            json!({"table_session_id": session_id, "items": item})
        };
        let request = app
            .request(reqwest::Method::POST, "/orders", Some(&shop.owner))
            .header("Idempotency-Key", format!("key-{i}"))
            .json(&body);
        async move { (i, request.send().await.unwrap()) }
    });
    let mut numbers = Vec::new();
    for (i, response) in futures::future::join_all(requests).await {
        if i % 2 == 0 {
            numbers.push(
                expect_json(response, StatusCode::CREATED).await["number"]
                    .as_i64()
                    .unwrap(),
            );
        } else {
            expect_problem(response, StatusCode::CONFLICT, "SESSION_CLOSED").await;
        }
    }
    numbers.sort();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());
    assert_eq!(order_count(&app, &shop.owner).await, 20);
    let keys = app.query_db("SELECT key FROM idempotency_keys").await;
    assert_eq!(
        keys.len(),
        20,
        "the failed writers' keys were rolled back with them"
    );
}

#[tokio::test]
async fn a_menu_change_reaches_the_next_order_here_at_once_and_on_another_instance_within_a_second()
{
    let (a, b) = crate::helpers::spawn_two_instances().await;
    let shop = a.shop(&[10_000, 5_000]).await;
    let (nasi, teh) = (shop.products[0], shop.products[1]);
    // Both instances have read (and so remember) the menu.
    for app in [&a, &b] {
        let placed = expect_json(order_one(app, &shop, nasi).await, StatusCode::CREATED).await;
        assert_eq!(placed["subtotal"], 10_000);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // B's subscriber listens

    // Each change: A (which made it) answers by it at once, B within a second.
    let changes: [(String, Value); 3] = [
        (format!("/products/{nasi}"), json!({"price": 12_000})),
        (
            format!("/outlets/{}", shop.outlet),
            json!({"tax_bp": 1_000}),
        ),
        (format!("/products/{teh}"), json!({"available": false})),
    ];
    for (path, change) in changes {
        expect_json(
            a.patch(&path, Some(&shop.owner), &change).await,
            StatusCode::OK,
        )
        .await;
        let changed = std::time::Instant::now();
        let mut first = true;
        for app in [&a, &b] {
            loop {
                let nasi_order = order_one(app, &shop, nasi).await;
                let teh_order = order_one(app, &shop, teh).await;
                let nasi_order = expect_json(nasi_order, StatusCode::CREATED).await;
                let done = match change.get("available") {
                    Some(_) => teh_order.status() == StatusCode::CONFLICT,
                    None => {
                        expect_json(teh_order, StatusCode::CREATED).await;
                        nasi_order["subtotal"] == 12_000
                            && nasi_order["tax_amount"] == change.get("tax_bp").map_or(0, |_| 1_200)
                    }
                };
                if done {
                    break;
                }
                assert!(
                    !first,
                    "{path}: the instance that changed it still takes the old menu"
                );
                assert!(
                    changed.elapsed() < std::time::Duration::from_secs(1),
                    "{path}: B still takes the old menu a second after the change on A"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            first = false;
        }
    }
}

/// One of `product` for the shop's outlet, by its owner.
async fn order_one(app: &TestApp, shop: &Shop, product: uuid::Uuid) -> reqwest::Response {
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": product, "quantity": 1}]});
    app.post("/orders", Some(&shop.owner), &body).await
}

#[tokio::test]
async fn an_order_changed_on_one_instance_reads_changed_on_another_within_a_second() {
    let (a, b) = crate::helpers::spawn_two_instances().await;
    let shop = a.shop(&[10_000]).await;
    let placed = expect_json(
        order_one(&a, &shop, shop.products[0]).await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/orders/{}", placed["id"].as_str().unwrap());
    // B has read (and so remembers) the order, twice without a write between.
    for _ in 0..2 {
        let read = expect_json(b.get(&path, Some(&shop.owner)).await, StatusCode::OK).await;
        assert_eq!(read["status"], "NEW");
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // B's subscriber listens

    let order_id = placed["id"].as_str().unwrap();
    let moved = a
        .set_status(&shop.owner, order_id, &json!({"status": "ACCEPTED"}))
        .await;
    expect_json(moved, StatusCode::OK).await;
    let changed = std::time::Instant::now();
    // A, which made the change, reads it at once.
    let read = expect_json(a.get(&path, Some(&shop.owner)).await, StatusCode::OK).await;
    assert_eq!(read["status"], "ACCEPTED");
    loop {
        let read = expect_json(b.get(&path, Some(&shop.owner)).await, StatusCode::OK).await;
        if read["status"] == "ACCEPTED" {
            break;
        }
        assert!(
            changed.elapsed() < std::time::Duration::from_secs(1),
            "B still reads the order as it was a second after A changed it"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
