//! `Idempotency-Key` replays answer like a read of what the key created: a caller who can no
//! longer see it (moved to another outlet, a closed table) gets what reading it gets, and a
//! key belongs to one caller.

use kedai::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{expect_json, expect_problem, spawn_app, Shop, TestApp};

async fn keyed(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(Method::POST, path, Some(token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

/// The owner moves `user` to `outlet` (PATCH /users/{id}).
async fn move_to(app: &TestApp, shop: &Shop, user: Uuid, outlet: Uuid) {
    expect_json(
        app.patch(
            &format!("/users/{user}"),
            Some(&shop.owner),
            &json!({"outlet_id": outlet}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

/// Asserts a refused replay: the same status, code and detail as the read, and none of `secrets`
/// (the stored object's ids and contents) in the body.
async fn refused_like(replay: reqwest::Response, read: &Value, secrets: &[String]) {
    let status = StatusCode::from_u16(read["status"].as_u64().unwrap() as u16).unwrap();
    let problem = expect_problem(replay, status, read["code"].as_str().unwrap()).await;
    assert_eq!(problem["detail"], read["detail"], "{problem}");
    let text = problem.to_string();
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "{secret} leaked: {text}");
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.query_db(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .await
        .first()
        .map(|r| r.try_get::<i64>("", "n").unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_moved_cashiers_order_replay_is_refused_like_a_read() {
    let app = spawn_app().await;
    let shop = app.shop(&[12_345]).await;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    // Without outlet_id the order goes to the caller's outlet; with it, to the one named.
    let implicit =
        json!({"note": "secret-note", "items": [{"product_id": shop.products[0], "quantity": 2}]});
    let explicit = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let first = expect_json(
        keyed(&app, &kasir, "/orders", "order-1", &implicit).await,
        StatusCode::CREATED,
    )
    .await;
    let second = expect_json(
        keyed(&app, &kasir, "/orders", "order-2", &explicit).await,
        StatusCode::CREATED,
    )
    .await;

    move_to(&app, &shop, kasir_id, cabang).await;
    let secrets = [
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
        shop.outlet.to_string(),
        shop.products[0].to_string(),
        "secret-note".to_owned(),
        first["total_amount"].to_string(),
    ];
    for (order, key, body) in [
        (&first, "order-1", &implicit),
        (&second, "order-2", &explicit),
    ] {
        let read = expect_problem(
            app.get(
                &format!("/orders/{}", order["id"].as_str().unwrap()),
                Some(&kasir),
            )
            .await,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        )
        .await;
        refused_like(
            keyed(&app, &kasir, "/orders", key, body).await,
            &read,
            &secrets,
        )
        .await;
    }
    assert_eq!(
        count(&app, "orders").await,
        2,
        "a refused replay creates nothing"
    );

    // Back at the first outlet, the key answers with its order again.
    move_to(&app, &shop, kasir_id, shop.outlet).await;
    let again = expect_json(
        keyed(&app, &kasir, "/orders", "order-1", &implicit).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(count(&app, "orders").await, 2);
}

#[tokio::test]
async fn a_moved_cashiers_payment_replay_is_refused_like_a_read() {
    let app = spawn_app().await;
    let shop = app.shop(&[12_345]).await;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&kasir),
            &json!({"outlet_id": shop.outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let order = app
        .order(
            &kasir,
            &json!({"items": [{"product_id": shop.products[0], "quantity": 1}]}),
        )
        .await;
    let order_id = order["id"].as_str().unwrap();
    let path = format!("/orders/{order_id}/payments");
    let body =
        json!({"method": "CASH", "amount": 12_345, "tendered": 20_000, "reference": "secret-ref"});
    let payment = expect_json(
        keyed(&app, &kasir, &path, "pay-1", &body).await,
        StatusCode::CREATED,
    )
    .await;

    // Someone with an open shift is not moved: close it first.
    let close = json!({"shift_id": shift["id"], "end_cash": 12_345});
    expect_json(
        app.post("/shifts/close", Some(&kasir), &close).await,
        StatusCode::OK,
    )
    .await;
    move_to(&app, &shop, kasir_id, cabang).await;
    let read = expect_problem(
        app.get(&path, Some(&kasir)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let secrets = [
        payment["id"].as_str().unwrap().to_owned(),
        payment["shift_id"].as_str().unwrap().to_owned(),
        shop.outlet.to_string(),
        "secret-ref".to_owned(),
        "7655".to_owned(),
    ];
    refused_like(
        keyed(&app, &kasir, &path, "pay-1", &body).await,
        &read,
        &secrets,
    )
    .await;
    assert_eq!(count(&app, "payments").await, 1);
}

#[tokio::test]
async fn a_moved_cashiers_shift_replays_are_refused_like_a_read() {
    let app = spawn_app().await;
    let shop = app.shop(&[12_345]).await;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let open = json!({"outlet_id": shop.outlet, "start_cash": 123_456});
    let shift = expect_json(
        keyed(&app, &kasir, "/shifts/open", "open-1", &open).await,
        StatusCode::CREATED,
    )
    .await;
    let shift_id = shift["id"].as_str().unwrap();
    let close = json!({"shift_id": shift_id, "end_cash": 123_400, "note": "secret-count"});
    expect_json(
        keyed(&app, &kasir, "/shifts/close", "close-1", &close).await,
        StatusCode::OK,
    )
    .await;

    move_to(&app, &shop, kasir_id, cabang).await;
    let read = expect_problem(
        app.get(&format!("/shifts/{shift_id}"), Some(&kasir)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let secrets = [
        shift_id.to_owned(),
        shop.outlet.to_string(),
        "123456".to_owned(),
        "secret-count".to_owned(),
    ];
    refused_like(
        keyed(&app, &kasir, "/shifts/open", "open-1", &open).await,
        &read,
        &secrets,
    )
    .await;
    refused_like(
        keyed(&app, &kasir, "/shifts/close", "close-1", &close).await,
        &read,
        &secrets,
    )
    .await;
    // The other reads of the old outlet's shift agree.
    expect_problem(
        app.get(&format!("/shifts/{shift_id}/report"), Some(&kasir))
            .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let listed = expect_json(app.get("/shifts", Some(&kasir)).await, StatusCode::OK).await;
    assert_eq!(listed["items"], json!([]), "{listed}");
    assert_eq!(count(&app, "shifts").await, 1);
}

#[tokio::test]
async fn a_guest_replay_after_the_table_closed_gets_410_like_a_read() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let guest = session["token"].as_str().unwrap();
    let body = json!({"items": [{"product_id": shop.products[0], "quantity": 1}]});
    let order = expect_json(
        keyed(&app, guest, "/orders", "cart-1", &body).await,
        StatusCode::CREATED,
    )
    .await;
    expect_json(
        app.post(
            &format!("/table-sessions/{}/close", session["id"].as_str().unwrap()),
            Some(&shop.owner),
            &json!({"force": true, "reason": "left"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let read = expect_problem(
        app.get(
            &format!("/orders/{}", order["id"].as_str().unwrap()),
            Some(guest),
        )
        .await,
        StatusCode::GONE,
        "SESSION_CLOSED",
    )
    .await;
    let secrets = [order["id"].as_str().unwrap().to_owned()];
    refused_like(
        keyed(&app, guest, "/orders", "cart-1", &body).await,
        &read,
        &secrets,
    )
    .await;
}

#[tokio::test]
async fn a_key_belongs_to_its_caller() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let (_, one) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let (_, two) = app
        .staff(&shop.owner, "kasir2", Role::Kasir, shop.outlet)
        .await;
    let session = app.open_table(&one, shop.table).await;
    let guest = session["token"].as_str().unwrap();
    let body = json!({"table_session_id": session["id"], "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let mut ids = Vec::new();
    for token in [&one, &two, guest] {
        let order = expect_json(
            keyed(&app, token, "/orders", "same-key", &body).await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(order["id"].clone());
    }
    ids.sort_by_key(Value::to_string);
    ids.dedup();
    assert_eq!(ids.len(), 3, "each caller's key is its own");

    let open = json!({"outlet_id": shop.outlet, "start_cash": 0});
    let first = expect_json(
        keyed(&app, &one, "/shifts/open", "same-key", &open).await,
        StatusCode::CREATED,
    )
    .await;
    let second = expect_json(
        keyed(&app, &two, "/shifts/open", "same-key", &open).await,
        StatusCode::CREATED,
    )
    .await;
    assert_ne!(first["id"], second["id"]);
    assert_ne!(first["user_id"], second["user_id"]);
}
