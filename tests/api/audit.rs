//! The audit log: every audited action writes exactly one row, in its own transaction, that
//! names who did it; nobody can change or delete a row; a MANAGER sees only their outlet's.

use std::future::Future;

use kedai::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect_json, id_of, spawn_app, TestApp, OWNER};

async fn entries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/audit?limit=200{query}"), Some(token))
        .await;
    expect_json(response, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Runs `act` and checks it wrote exactly one `action` row naming `actor`; returns the row.
async fn once<F: Future<Output = ()>>(
    app: &TestApp,
    owner: &str,
    action: &str,
    actor: &str,
    act: F,
) -> Value {
    let query = format!("&action={action}");
    let before = entries(app, owner, &query).await.len();
    act.await;
    let after = entries(app, owner, &query).await;
    assert_eq!(after.len(), before + 1, "{action}: exactly one new row");
    let row = after[0].clone();
    assert_eq!(row["actor_name"], actor, "{action}: {row}");
    row
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn every_audited_action_writes_exactly_one_row_naming_who_did_it() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let product = app.create_product(&owner, outlet, "Nasi", 10_000).await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir", Role::Kasir, outlet).await;
    let order = |token: String| {
        let app = &app;
        async move {
            let body =
                json!({"outlet_id": outlet, "items": [{"product_id": product, "quantity": 3}]});
            app.order(&token, &body).await
        }
    };
    let login = json!({"username": "kasir", "password": "kasir-password"});

    once(&app, &owner, "SIGN_IN", "kasir", async {
        ok(app.post("/auth/login", None, &login).await).await;
    })
    .await;
    let failed = once(&app, &owner, "SIGN_IN_FAILED", "kasir", async {
        let wrong = json!({"username": "kasir", "password": "not-the-password-9"});
        assert_eq!(
            app.post("/auth/login", None, &wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
    assert!(
        !failed.to_string().contains("not-the-password-9"),
        "{failed}"
    );

    let created = once(&app, &owner, "USER_CREATED", OWNER.0, async {
        app.staff(&owner, "waiter", Role::Waiter, outlet).await;
    })
    .await;
    assert_eq!(created["details"]["role"], "WAITER");
    let changed = once(&app, &owner, "USER_CHANGED", OWNER.0, async {
        let body = json!({"role": "WAITER"});
        ok(app
            .patch(&format!("/users/{kasir_id}"), Some(&owner), &body)
            .await)
        .await;
    })
    .await;
    assert_eq!(changed["details"]["role"], "WAITER");
    let back = json!({"role": "KASIR"});
    ok(app
        .patch(&format!("/users/{kasir_id}"), Some(&owner), &back)
        .await)
    .await;

    let voidable = order(kasir.clone()).await;
    let (order_id, item) = (
        voidable["id"].as_str().unwrap().to_owned(),
        voidable["items"][0]["id"].as_str().unwrap().to_owned(),
    );
    let void = once(&app, &owner, "ITEM_VOIDED", "kasir", async {
        let body = json!({"quantity": 1, "reason": "salah pesan"});
        ok(app
            .post(
                &format!("/orders/{order_id}/items/{item}/void"),
                Some(&kasir),
                &body,
            )
            .await)
        .await;
    })
    .await;
    assert_eq!(void["object_id"], order_id.as_str());
    assert_eq!(void["details"]["reason"], "salah pesan");
    assert_eq!(void["details"]["amount"], 10_000);
    once(&app, &owner, "ITEM_COMPED", "kasir", async {
        let body = json!({"quantity": 1, "reason": "ulang tahun", "comp": true});
        ok(app
            .post(
                &format!("/orders/{order_id}/items/{item}/void"),
                Some(&kasir),
                &body,
            )
            .await)
        .await;
    })
    .await;
    let discount = once(&app, &owner, "DISCOUNT_GIVEN", OWNER.0, async {
        let body = json!({"kind": "AMOUNT", "value": 1000, "reason": "langganan"});
        ok(app
            .post(
                &format!("/orders/{order_id}/discounts"),
                Some(&owner),
                &body,
            )
            .await)
        .await;
    })
    .await;
    assert_eq!(discount["details"]["amount"], 1000);
    let discounts = expect_json(
        app.get(&format!("/orders/{order_id}"), Some(&owner)).await,
        StatusCode::OK,
    )
    .await;
    let discount_id = discounts["discounts"][0]["id"].as_str().unwrap().to_owned();
    once(&app, &owner, "DISCOUNT_REMOVED", OWNER.0, async {
        ok(app
            .delete(
                &format!("/orders/{order_id}/discounts/{discount_id}"),
                Some(&owner),
            )
            .await)
        .await;
    })
    .await;
    once(&app, &owner, "ORDER_VOIDED", OWNER.0, async {
        let body = json!({"status": "VOIDED", "reason": "tamu pergi"});
        ok(app.set_status(&owner, &order_id, &body).await).await;
    })
    .await;

    let shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&kasir),
            &json!({"outlet_id": outlet, "start_cash": 50_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let paid = order(kasir.clone()).await;
    let pay =
        json!({"method": "CASH", "amount": paid["total_amount"], "tendered": paid["total_amount"]});
    let payment = ok(app
        .post(
            &format!("/orders/{}/payments", paid["id"].as_str().unwrap()),
            Some(&kasir),
            &pay,
        )
        .await)
    .await;
    let refund = once(&app, &owner, "PAYMENT_REFUNDED", OWNER.0, async {
        let body = json!({"reason": "salah bayar"});
        ok(app
            .post(
                &format!("/payments/{}/refund", id_of(&payment)),
                Some(&owner),
                &body,
            )
            .await)
        .await;
    })
    .await;
    assert_eq!(refund["details"]["amount"], paid["total_amount"]);
    let closed = once(&app, &owner, "SHIFT_CLOSED", "kasir", async {
        let body = json!({"shift_id": shift["id"], "end_cash": 49_000});
        ok(app.post("/shifts/close", Some(&kasir), &body).await).await;
    })
    .await;
    assert_eq!(closed["details"]["cash_difference"], -1000);

    once(&app, &owner, "PRODUCT_CHANGED", "kasir", async {
        let body = json!({"available": false});
        ok(app
            .patch(&format!("/products/{product}"), Some(&kasir), &body)
            .await)
        .await;
    })
    .await;
    let renamed = entries(&app, &owner, "&action=PRODUCT_CHANGED").await.len();
    ok(app
        .patch(
            &format!("/products/{product}"),
            Some(&owner),
            &json!({"name": "Nasi Putih"}),
        )
        .await)
    .await;
    assert_eq!(
        entries(&app, &owner, "&action=PRODUCT_CHANGED").await.len(),
        renamed,
        "a new name is not a price or availability change"
    );
    let back = json!({"available": true});
    ok(app
        .patch(&format!("/products/{product}"), Some(&owner), &back)
        .await)
    .await;

    // A printer nothing listens on, switched off so nothing is ever sent.
    let mut printer = Value::Null;
    once(&app, &owner, "PRINTER_ADDED", OWNER.0, async {
        let body =
            json!({"name": "Kasir", "kind": "RECEIPT", "address": "127.0.0.1:1", "active": false});
        printer = ok(app
            .post(&format!("/outlets/{outlet}/printers"), Some(&owner), &body)
            .await)
        .await;
    })
    .await;
    let printer_id = printer["id"].as_str().unwrap().to_owned();
    once(&app, &owner, "PRINTER_CHANGED", OWNER.0, async {
        let body = json!({"copies": 2});
        ok(app
            .patch(&format!("/printers/{printer_id}"), Some(&owner), &body)
            .await)
        .await;
    })
    .await;
    once(&app, &owner, "PRINTER_REMOVED", OWNER.0, async {
        ok(app
            .delete(&format!("/printers/{printer_id}"), Some(&owner))
            .await)
        .await;
    })
    .await;

    // Drawer opens and receipt copies need a printer that takes jobs: a fake one.
    let till = crate::fake_printer::FakePrinter::start().await;
    let body = json!({"name": "Till", "kind": "RECEIPT", "address": till.address()});
    let till_printer = ok(app
        .post(&format!("/outlets/{outlet}/printers"), Some(&owner), &body)
        .await)
    .await;
    let (_, manager) = app.staff(&owner, "manajer", Role::Manager, outlet).await;
    once(&app, &owner, "DRAWER_OPENED", "manajer", async {
        let path = format!("/printers/{}/open-drawer", id_of(&till_printer));
        ok(app.post(&path, Some(&manager), &json!({})).await).await;
    })
    .await;
    expect_json(
        app.post(
            "/shifts/open",
            Some(&owner),
            &json!({"outlet_id": outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let sold = order(owner.clone()).await;
    let sold_id = sold["id"].as_str().unwrap();
    let pay = json!({"method": "QRIS", "amount": sold["total_amount"]});
    ok(app
        .post(&format!("/orders/{sold_id}/payments"), Some(&owner), &pay)
        .await)
    .await;
    let receipt = json!({"kind": "RECEIPT"});
    ok(app
        .post(&format!("/orders/{sold_id}/print"), Some(&owner), &receipt)
        .await)
    .await;
    once(&app, &owner, "RECEIPT_REPRINTED", OWNER.0, async {
        ok(app
            .post(&format!("/orders/{sold_id}/print"), Some(&owner), &receipt)
            .await)
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_log_cannot_be_changed_and_a_manager_sees_only_their_outlet() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (_, manager) = app.staff(&owner, "manajer", Role::Manager, pusat).await;
    let (_, other) = app.staff(&owner, "manajer2", Role::Manager, cabang).await;
    let (_, kasir) = app.staff(&owner, "kasir", Role::Kasir, pusat).await;
    for (token, outlet) in [(&manager, pusat), (&other, cabang)] {
        let product = app.create_product(&owner, outlet, "Teh", 5_000).await;
        let body = json!({"available": false});
        ok(app
            .patch(&format!("/products/{product}"), Some(token), &body)
            .await)
        .await;
    }

    let mine = entries(&app, &manager, "").await;
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|e| e["outlet_id"] == pusat.to_string()),
        "{mine:?}"
    );
    let elsewhere = app
        .get(&format!("/audit?outlet_id={cabang}"), Some(&manager))
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    let all = entries(&app, &owner, "").await;
    assert!(all.iter().any(|e| e["outlet_id"] == cabang.to_string()));
    assert_eq!(
        app.get("/audit", Some(&kasir)).await.status(),
        StatusCode::FORBIDDEN
    );
    let unknown = app.get("/audit?action=NOPE", Some(&owner)).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);

    // No route writes, changes or deletes an entry.
    let id = all[0]["id"].as_str().unwrap();
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        for path in ["/audit".to_owned(), format!("/audit/{id}")] {
            let response = app
                .request(method.clone(), &path, Some(&owner))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert!(
                matches!(response.status().as_u16(), 404 | 405),
                "{method} {path} → {}",
                response.status()
            );
        }
    }
    let spec = crate::openapi::committed_spec();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if path.starts_with("/audit") {
            let methods: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(methods, vec!["get"], "{path}");
        }
    }
    assert_eq!(entries(&app, &owner, "").await.len(), all.len());

    // CSV: one line per entry plus the header.
    let csv = app
        .get("/audit?format=csv&limit=200", Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("at,outlet_id,actor,approved_by,action"));
    assert_eq!(csv.trim_end().split("\r\n").count(), all.len() + 1);

    // More than a page: JSON pages at 50, a download without `limit` holds them all.
    let product = app.create_product(&owner, pusat, "Kopi", 8_000).await;
    for available in (0..60).map(|i| i % 2 == 1) {
        let body = json!({"available": available});
        ok(app
            .patch(&format!("/products/{product}"), Some(&owner), &body)
            .await)
        .await;
    }
    let page = expect_json(app.get("/audit", Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    assert!(page["next_cursor"].is_string());
    let csv = app
        .get("/audit?format=csv", Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.trim_end().split("\r\n").count(), all.len() + 60 + 1);
}
