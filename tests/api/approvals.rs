//! Manager approvals: a token from a manager's PIN on the tablet allows one action above the
//! caller's role, once, for that action and order, for two minutes, for whoever asked on that
//! tablet; the audit row names both.

use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::devices::{enrol, pin_login, set_pin, token_of};
use crate::helpers::{expect_json, expect_problem, id_of, Shop, TestApp};

/// A shop (cashier cap 0 %) with a tablet where `kasir` (PIN 1111) is signed in, a
/// `manajer` (2468) and a second cashier `kasir2` (1357) who may sign in there too.
struct Till {
    shop: Shop,
    secret: String,
    /// `kasir`'s PIN sign-in on the tablet.
    kasir: String,
    /// `kasir`'s password sign-in, on no tablet.
    kasir_web: String,
    manager_id: Uuid,
}

async fn till(app: &TestApp) -> Till {
    let shop = app.shop(&[10_000, 4_000]).await;
    let owner = &shop.owner;
    let (kasir_id, kasir_web) = app.staff(owner, "kasir", Role::Kasir, shop.outlet).await;
    let (kasir2_id, _) = app.staff(owner, "kasir2", Role::Kasir, shop.outlet).await;
    let (manager_id, _) = app
        .staff(owner, "manajer", Role::Manager, shop.outlet)
        .await;
    for (user, pin) in [
        (kasir_id, "1111"),
        (kasir2_id, "1357"),
        (manager_id, "2468"),
    ] {
        assert_eq!(
            set_pin(app, owner, user, pin).await.status(),
            StatusCode::NO_CONTENT
        );
    }
    let (_, secret) = enrol(app, owner, shop.outlet, "Kasir depan").await;
    let kasir = token_of(pin_login(app, &secret, "kasir", "1111").await).await;
    Till {
        shop,
        secret,
        kasir,
        kasir_web,
        manager_id,
    }
}

/// An order of one of each dish, taken by `token` and accepted by the kitchen.
async fn accepted_order(app: &TestApp, till: &Till, token: &str) -> Value {
    let body = json!({"outlet_id": till.shop.outlet, "items": [
        {"product_id": till.shop.products[0], "quantity": 2},
        {"product_id": till.shop.products[1], "quantity": 1}]});
    let order = app.order(token, &body).await;
    let id = order["id"].as_str().unwrap();
    let accepted = app
        .set_status(&till.shop.owner, id, &json!({"status": "ACCEPTED"}))
        .await;
    expect_json(accepted, StatusCode::OK).await
}

async fn approve(
    app: &TestApp,
    token: &str,
    action: &str,
    order: Option<&str>,
    username: &str,
    pin: &str,
) -> reqwest::Response {
    let body = json!({"action": action, "order_id": order, "username": username, "pin": pin});
    app.post("/approvals", Some(token), &body).await
}

async fn approval(app: &TestApp, token: &str, action: &str, order: Option<&str>) -> String {
    let granted = expect_json(
        approve(app, token, action, order, "manajer", "2468").await,
        StatusCode::CREATED,
    )
    .await;
    assert!(granted["expires_at"].is_string());
    granted["approval_token"].as_str().unwrap().to_owned()
}

fn void_path(order: &Value, line: usize) -> String {
    format!(
        "/orders/{}/items/{}/void",
        order["id"].as_str().unwrap(),
        order["items"][line]["id"].as_str().unwrap()
    )
}

/// `request`, carrying `approval` when there is one.
fn approved(request: reqwest::RequestBuilder, approval: Option<String>) -> reqwest::RequestBuilder {
    match approval {
        Some(approval) => request.header("X-Approval", approval),
        None => request,
    }
}

async fn void(
    app: &TestApp,
    token: &str,
    order: &Value,
    line: usize,
    approval: Option<&str>,
) -> reqwest::Response {
    let request = app
        .request(reqwest::Method::POST, &void_path(order, line), Some(token))
        .json(&json!({"quantity": 1, "reason": "salah pesan"}));
    approved(request, approval.map(str::to_owned))
        .send()
        .await
        .unwrap()
}

async fn audit_rows(app: &TestApp, owner: &str, action: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/audit?action={action}"), Some(owner))
        .await;
    expect_json(response, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_approval_allows_one_void_of_its_order_once_and_the_log_names_both() {
    let app = crate::helpers::spawn_app().await;
    let till = till(&app).await;
    let order = accepted_order(&app, &till, &till.kasir).await;
    let other = accepted_order(&app, &till, &till.kasir).await;
    let order_id = order["id"].as_str().unwrap();

    // Once the kitchen has it, a KASIR's void needs a manager.
    let refused = void(&app, &till.kasir, &order, 0, None).await;
    let problem = expect_problem(refused, StatusCode::FORBIDDEN, "APPROVAL_REQUIRED").await;
    assert!(problem["detail"].as_str().unwrap().contains("VOID_ITEM"));

    // Who may approve: a MANAGER or OWNER with the right PIN, on a tablet, for one order.
    expect_problem(
        approve(
            &app,
            &till.kasir,
            "VOID_ITEM",
            Some(order_id),
            "kasir2",
            "1357",
        )
        .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        approve(
            &app,
            &till.kasir,
            "VOID_ITEM",
            Some(order_id),
            "manajer",
            "9999",
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    expect_problem(
        approve(&app, &till.kasir, "VOID_ITEM", None, "manajer", "2468").await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        approve(
            &app,
            &till.kasir,
            "SELL_HOUSE",
            Some(order_id),
            "manajer",
            "2468",
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        approve(
            &app,
            &till.kasir_web,
            "VOID_ITEM",
            Some(order_id),
            "manajer",
            "2468",
        )
        .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    let token = approval(&app, &till.kasir, "VOID_ITEM", Some(order_id)).await;
    // Not for another order, another action, or another person: and those tries leave it
    // unused.
    expect_problem(
        void(&app, &till.kasir, &other, 0, Some(&token)).await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    let discount = app
        .request(
            reqwest::Method::POST,
            &format!("/orders/{order_id}/discounts"),
            Some(&till.kasir),
        )
        .header("X-Approval", &token)
        .json(&json!({"kind": "PERCENT", "value": 1000, "reason": "langganan"}))
        .send()
        .await
        .unwrap();
    expect_problem(discount, StatusCode::FORBIDDEN, "APPROVAL_REQUIRED").await;
    let kasir2 = token_of(pin_login(&app, &till.secret, "kasir2", "1357").await).await;
    expect_problem(
        void(&app, &kasir2, &order, 0, Some(&token)).await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;

    let voided = expect_json(
        void(&app, &till.kasir, &order, 0, Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(voided["items"][0]["voided_quantity"], 1);
    let adjustment = voided["adjustments"].as_array().unwrap().last().unwrap();
    assert_eq!(adjustment["approved_by"], till.manager_id.to_string());
    // Used once: the same token again is refused, and nothing more is voided.
    expect_problem(
        void(&app, &till.kasir, &order, 0, Some(&token)).await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    let rows = audit_rows(&app, &till.shop.owner, "ITEM_VOIDED").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor_name"], "kasir");
    assert_eq!(rows[0]["approved_by"], till.manager_id.to_string());
    assert_eq!(rows[0]["approved_by_name"], "manajer");
    assert!(rows[0]["device_id"].is_string(), "{}", rows[0]);

    // Expired after two minutes (moved into the past here rather than waited for).
    let late = approval(&app, &till.kasir, "VOID_ITEM", Some(order_id)).await;
    app.query_db("UPDATE approvals SET expires_at = created_at WHERE used_at IS NULL")
        .await;
    let expired = expect_problem(
        void(&app, &till.kasir, &order, 0, Some(&late)).await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    assert!(expired["detail"].as_str().unwrap().contains("expired"));

    // A manager needs nobody's approval; the row then names no approver.
    let manager = token_of(pin_login(&app, &till.secret, "manajer", "2468").await).await;
    expect_json(void(&app, &manager, &order, 1, None).await, StatusCode::OK).await;
    let rows = audit_rows(&app, &till.shop.owner, "ITEM_VOIDED").await;
    assert_eq!(rows[0]["actor_name"], "manajer");
    assert!(rows[0]["approved_by"].is_null());
}

#[tokio::test]
async fn two_requests_racing_with_one_approval_have_one_winner() {
    let app = crate::helpers::spawn_app().await;
    let till = till(&app).await;
    let order = accepted_order(&app, &till, &till.kasir).await;
    let token = approval(&app, &till.kasir, "VOID_ITEM", order["id"].as_str()).await;
    let (first, second) = tokio::join!(
        void(&app, &till.kasir, &order, 0, Some(&token)),
        void(&app, &till.kasir, &order, 1, Some(&token)),
    );
    let statuses = [first.status(), second.status()];
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(won, 1, "{statuses:?}");
    let rows = audit_rows(&app, &till.shop.owner, "ITEM_VOIDED").await;
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn refunds_discounts_over_the_cap_and_the_drawer_take_an_approval_too() {
    let app = crate::helpers::spawn_app().await;
    let till = till(&app).await;
    let owner = till.shop.owner.clone();
    let order = accepted_order(&app, &till, &till.kasir).await;
    let order_id = order["id"].as_str().unwrap();

    // Any discount is over a 0 % cap.
    let discount = |approval: Option<String>| {
        let request = app
            .request(
                reqwest::Method::POST,
                &format!("/orders/{order_id}/discounts"),
                Some(&till.kasir),
            )
            .json(&json!({"kind": "PERCENT", "value": 1000, "reason": "langganan"}));
        approved(request, approval).send()
    };
    expect_problem(
        discount(None).await.unwrap(),
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    let token = approval(&app, &till.kasir, "DISCOUNT", Some(order_id)).await;
    let discounted = expect_json(discount(Some(token)).await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(
        discounted["discounts"][0]["approved_by"],
        till.manager_id.to_string()
    );
    let rows = audit_rows(&app, &owner, "DISCOUNT_GIVEN").await;
    assert_eq!(rows[0]["approved_by_name"], "manajer");

    // A refund of a QRIS payment.
    let pay = json!({"method": "QRIS", "amount": discounted["total_amount"]});
    let paid = app
        .post(&format!("/orders/{order_id}/payments"), Some(&owner), &pay)
        .await;
    let payment = expect_json(paid, StatusCode::CREATED).await;
    let refund_path = format!("/payments/{}/refund", id_of(&payment));
    let refund = |approval: Option<String>| {
        let request = app
            .request(reqwest::Method::POST, &refund_path, Some(&till.kasir))
            .json(&json!({"reason": "dobel bayar"}));
        approved(request, approval).send()
    };
    expect_problem(
        refund(None).await.unwrap(),
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    let token = approval(&app, &till.kasir, "REFUND", Some(order_id)).await;
    expect_json(refund(Some(token)).await.unwrap(), StatusCode::OK).await;
    let rows = audit_rows(&app, &owner, "PAYMENT_REFUNDED").await;
    assert_eq!(rows[0]["actor_name"], "kasir");
    assert_eq!(rows[0]["approved_by_name"], "manajer");

    // The drawer without a sale: an approval for no order.
    let till_printer = crate::fake_printer::FakePrinter::start().await;
    let body = json!({"name": "Till", "kind": "RECEIPT", "address": till_printer.address()});
    let printer = app
        .post(
            &format!("/outlets/{}/printers", till.shop.outlet),
            Some(&owner),
            &body,
        )
        .await;
    let printer = expect_json(printer, StatusCode::CREATED).await;
    let drawer_path = format!("/printers/{}/open-drawer", id_of(&printer));
    expect_problem(
        app.post(&drawer_path, Some(&till.kasir), &json!({})).await,
        StatusCode::FORBIDDEN,
        "APPROVAL_REQUIRED",
    )
    .await;
    let token = approval(&app, &till.kasir, "OPEN_DRAWER", None).await;
    let opened = app
        .request(reqwest::Method::POST, &drawer_path, Some(&till.kasir))
        .header("X-Approval", token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(opened.status().is_success(), "{}", opened.status());
    let rows = audit_rows(&app, &owner, "DRAWER_OPENED").await;
    assert_eq!(rows[0]["actor_name"], "kasir");
    assert_eq!(rows[0]["approved_by_name"], "manajer");
}

#[tokio::test]
async fn the_exceptions_report_counts_each_persons_corrections_approvals_and_cash_difference() {
    let app = crate::helpers::spawn_app().await;
    let till = till(&app).await;
    let owner = till.shop.owner.clone();
    let order = accepted_order(&app, &till, &till.kasir).await;
    let order_id = order["id"].as_str().unwrap();

    // kasir: one approved void of a 10 000 dish, one approved 10 % discount, a 500 short shift.
    let token = approval(&app, &till.kasir, "VOID_ITEM", Some(order_id)).await;
    expect_json(
        void(&app, &till.kasir, &order, 0, Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    let token = approval(&app, &till.kasir, "DISCOUNT", Some(order_id)).await;
    let discounted = app
        .request(
            reqwest::Method::POST,
            &format!("/orders/{order_id}/discounts"),
            Some(&till.kasir),
        )
        .header("X-Approval", token)
        .json(&json!({"kind": "PERCENT", "value": 1000, "reason": "langganan"}))
        .send()
        .await
        .unwrap();
    expect_json(discounted, StatusCode::CREATED).await;
    let opened = app
        .post(
            "/shifts/open",
            Some(&till.kasir),
            &json!({"outlet_id": till.shop.outlet, "start_cash": 100_000}),
        )
        .await;
    let shift = expect_json(opened, StatusCode::CREATED).await;
    let closed = app
        .post(
            "/shifts/close",
            Some(&till.kasir),
            &json!({"shift_id": shift["id"], "end_cash": 99_500}),
        )
        .await;
    expect_json(closed, StatusCode::OK).await;
    // The manager's own void of the other dish needs nobody.
    let manager = token_of(pin_login(&app, &till.secret, "manajer", "2468").await).await;
    expect_json(void(&app, &manager, &order, 1, None).await, StatusCode::OK).await;

    let path = format!("/reports/exceptions?outlet_id={}", till.shop.outlet);
    expect_problem(
        app.get(&path, Some(&till.kasir)).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    let report = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
    let staff = report["staff"].as_array().unwrap();
    let names: Vec<&str> = staff
        .iter()
        .map(|s| s["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kasir", "manajer"], "{report}");
    let kasir = &staff[0];
    assert_eq!(kasir["item_voids"], json!({"count": 1, "amount": 10_000}));
    // 10 % of what was left after the void: 10 000 + 4 000.
    assert_eq!(kasir["discounts"], json!({"count": 1, "amount": 1_400}));
    assert_eq!(kasir["approved"], 2);
    assert_eq!(kasir["shifts_closed"], 1);
    assert_eq!(kasir["cash_difference"], -500);
    assert_eq!(kasir["refunds"]["count"], 0);
    let manajer = &staff[1];
    assert_eq!(manajer["item_voids"], json!({"count": 1, "amount": 4_000}));
    assert_eq!(manajer["approved"], 0);

    // Another day has none of it.
    let path = format!("{path}&from=2020-01-01&to=2020-01-31");
    let empty = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(empty["staff"], json!([]));
}
