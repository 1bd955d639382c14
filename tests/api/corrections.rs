//! Corrections on the floor through the API: discounts, split bills, paying a whole table,
//! moving and merging tables. (Item voids are in `orders.rs`.)

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

/// A shop with 5 % service and 10 % tax, a KASIR, and an open shift for the owner.
async fn shop_with_rates(app: &TestApp, prices: &[i64]) -> (Shop, String) {
    let shop = app.shop(prices).await;
    let rates =
        json!({"service_charge_bp": 500, "tax_bp": 1_000, "max_cashier_discount_bp": 1_000});
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
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", kedai::auth::Role::Kasir, shop.outlet)
        .await;
    (shop, kasir)
}

fn totals(order: &Value) -> [i64; 5] {
    [
        "subtotal",
        "discount_amount",
        "service_charge_amount",
        "tax_amount",
        "total_amount",
    ]
    .map(|field| order[field].as_i64().unwrap())
}

async fn discount(app: &TestApp, token: &str, order: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/orders/{order}/discounts"), Some(token), &body)
        .await
}

#[tokio::test]
async fn the_worked_discount_example_matches_the_unit_example_and_the_cap_holds() {
    let app = spawn_app().await;
    let (shop, kasir) = shop_with_rates(&app, &[25_000, 5_000]).await;
    let order = app
        .order(
            &shop.owner,
            &json!({"outlet_id": shop.outlet, "items": [
                {"product_id": shop.products[0], "quantity": 2},
                {"product_id": shop.products[1], "quantity": 3}]}),
        )
        .await;
    let id = order["id"].as_str().unwrap();
    let first_line = order["items"][0]["id"].as_str().unwrap();
    let kasir_shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&kasir),
            &json!({"outlet_id": shop.outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // A KASIR may give 10 % here: 20 % is refused and changes nothing.
    let over = discount(
        &app,
        &kasir,
        id,
        json!({"item_id": first_line, "kind": "PERCENT", "value": 2_000, "reason": "regular"}),
    )
    .await;
    assert_eq!(over.status(), StatusCode::FORBIDDEN);
    let unchanged = expect_json(
        app.get(&format!("/orders/{id}"), Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged["version"], order["version"]);
    assert_eq!(totals(&unchanged), [65_000, 0, 3_250, 6_825, 75_075]);

    // The unit example (`domain::tests`): 10 % off the first line, then Rp3.000 off the order.
    expect_json(
        discount(
            &app,
            &kasir,
            id,
            json!({"item_id": first_line, "kind": "PERCENT", "value": 1_000, "reason": "regular"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let order = expect_json(
        discount(
            &app,
            &shop.owner,
            id,
            json!({"kind": "AMOUNT", "value": 3_000, "reason": "late dish"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(totals(&order), [65_000, 8_000, 2_850, 5_985, 65_835]);
    let shares: Vec<i64> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["discount_amount"].as_i64().unwrap())
        .collect();
    assert_eq!(shares, [7_250, 750]);
    let amounts: Vec<i64> = order["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [5_000, 3_000]);
    let kinds: Vec<&str> = order["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["DISCOUNT", "DISCOUNT"]);
    assert_eq!(order["adjustments"][0]["created_by_name"], "kasir");

    // A discount bigger than what is left is capped: total 0, never negative.
    let order = expect_json(
        discount(
            &app,
            &shop.owner,
            id,
            json!({"kind": "AMOUNT", "value": 1_000_000, "reason": "on the house"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(totals(&order), [65_000, 65_000, 0, 0, 0]);

    // Taking it back restores the example.
    // Taking back the owner's discount is not the KASIR's to do; the owner may.
    let big = order["discounts"][2]["id"].as_str().unwrap();
    let theirs = app
        .delete(&format!("/orders/{id}/discounts/{big}"), Some(&kasir))
        .await;
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
    let order = expect_json(
        app.delete(&format!("/orders/{id}/discounts/{big}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(totals(&order), [65_000, 8_000, 2_850, 5_985, 65_835]);

    // Bad input: clear 4xx, nothing changed.
    let version = order["version"].clone();
    for (body, status) in [
        (
            json!({"kind": "PERCENT", "value": 10_001, "reason": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"kind": "AMOUNT", "value": 0, "reason": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"kind": "AMOUNT", "value": 100, "reason": " "}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"item_id": Uuid::now_v7(), "kind": "AMOUNT", "value": 100, "reason": "x"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = discount(&app, &shop.owner, id, body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
    }
    let waiter = app
        .staff(
            &shop.owner,
            "waiter",
            kedai::auth::Role::Waiter,
            shop.outlet,
        )
        .await
        .1;
    let refused = discount(
        &app,
        &waiter,
        id,
        json!({"kind": "AMOUNT", "value": 1, "reason": "x"}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let after = expect_json(
        app.get(&format!("/orders/{id}"), Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["version"], version);

    // The reports: discount_amount by day, net sales by product, every correction with its
    // reason and who; the KASIR's Z-report lists theirs.
    let report = |group: &str| {
        let path = format!("/reports/sales?outlet_id={}&group_by={group}", shop.outlet);
        let (app, owner) = (&app, shop.owner.clone());
        async move { app.get(&path, Some(&owner)).await }
    };
    let by_day = expect_json(report("day").await, StatusCode::OK).await;
    assert_eq!(by_day["totals"]["discount_amount"], 8_000);
    assert_eq!(by_day["totals"]["gross_sales"], 65_835);
    let listed: Vec<(&str, i64, &str)> = by_day["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["amount"].as_i64().unwrap(),
                c["by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("DISCOUNT", 5_000, "kasir"),
            ("DISCOUNT", 3_000, "owner"),
            ("DISCOUNT", 57_000, "owner"),
            ("DISCOUNT_REMOVED", -57_000, "owner")
        ]
    );
    assert_eq!(by_day["corrections"][0]["item_name"], "Dish 0");
    let by_product = expect_json(report("product").await, StatusCode::OK).await;
    let nets: Vec<(i64, i64)> = by_product["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["gross_sales"].as_i64().unwrap(),
                r["discount_amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(nets, [(42_750, 7_250), (14_250, 750)]);
    let csv = report("day&format=csv").await.text().await.unwrap();
    assert!(
        csv.starts_with("key,orders,quantity,discount_amount,gross_sales"),
        "{csv}"
    );
    let z = expect_json(
        app.get(
            &format!("/shifts/{}/report", kasir_shift["id"].as_str().unwrap()),
            Some(&kasir),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mine: Vec<i64> = z["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(mine, [5_000]);
}

#[tokio::test]
async fn a_split_bill_adds_up_and_paying_both_closes_the_table() {
    let app = spawn_app().await;
    let (shop, _) = shop_with_rates(&app, &[20_000, 8_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let session_id = session["id"].as_str().unwrap();
    let order = app
        .order(
            &shop.owner,
            &json!({"table_session_id": session_id, "items": [
                {"product_id": shop.products[0], "quantity": 2},
                {"product_id": shop.products[1], "quantity": 4}]}),
        )
        .await;
    let id = order["id"].as_str().unwrap();
    // 40000 + 32000 = 72000; service 3600; tax 7560; total 83160.
    assert_eq!(totals(&order), [72_000, 0, 3_600, 7_560, 83_160]);
    let (nasi, teh) = (&order["items"][0]["id"], &order["items"][1]["id"]);

    // A Rp30.000 discount stays on the original, where only 20.000 would be left: refused,
    // rather than giving the difference away.
    let with_amount = expect_json(
        app.post(
            &format!("/orders/{id}/discounts"),
            Some(&shop.owner),
            &json!({"kind": "AMOUNT", "value": 30_000, "reason": "voucher"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let too_much = app
        .post(
            &format!("/orders/{id}/split"),
            Some(&shop.owner),
            &json!({"items": [{"item_id": nasi, "quantity": 1}, {"item_id": teh, "quantity": 4}]}),
        )
        .await;
    expect_problem(too_much, StatusCode::CONFLICT, "DISCOUNT_DOES_NOT_FIT").await;
    let voucher = with_amount["discounts"][0]["id"].as_str().unwrap();
    let removed = app
        .delete(
            &format!("/orders/{id}/discounts/{voucher}"),
            Some(&shop.owner),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);

    let split = app
        .post(
            &format!("/orders/{id}/split"),
            Some(&shop.owner),
            &json!({"items": [{"item_id": nasi, "quantity": 1}, {"item_id": teh, "quantity": 4}]}),
        )
        .await;
    let child = expect_json(split, StatusCode::CREATED).await;
    let parent = expect_json(
        app.get(&format!("/orders/{id}"), Some(&shop.owner)).await,
        StatusCode::OK,
    )
    .await;
    // Child: 20000 + 32000 = 52000 → 2600 service, 5460 tax, 60060. Parent: 20000 → 1000,
    // 2100, 23100. 60060 + 23100 = 83160: every amount here is a whole multiple of 20, so each
    // bill's 5 % and 10 % round exactly and the parts add up to the rupiah. (With odd prices
    // each bill rounds its own service and tax half-up, so the sum may differ by 1 per bill.)
    assert_eq!(totals(&child), [52_000, 0, 2_600, 5_460, 60_060]);
    assert_eq!(totals(&parent), [20_000, 0, 1_000, 2_100, 23_100]);
    assert_eq!(
        child["total_amount"].as_i64().unwrap() + parent["total_amount"].as_i64().unwrap(),
        83_160
    );
    assert_eq!(child["split_from"], order["id"]);
    assert_eq!(child["table_session_id"], order["table_session_id"]);
    assert_ne!(child["number"], order["number"]);
    assert_eq!(parent["adjustments"][2]["kind"], "SPLIT");

    // Taking everything is refused (nothing would be left), and so is a line twice.
    let all = app
        .post(
            &format!("/orders/{id}/split"),
            Some(&shop.owner),
            &json!({"items": [{"item_id": nasi, "quantity": 1}]}),
        )
        .await;
    expect_problem(all, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;

    let shift = json!({"outlet_id": shop.outlet, "start_cash": 0});
    expect_json(
        app.post("/shifts/open", Some(&shop.owner), &shift).await,
        StatusCode::CREATED,
    )
    .await;
    for (bill, amount) in [(&parent, 23_100), (&child, 60_060)] {
        let paid = app
            .post(
                &format!("/orders/{}/payments", bill["id"].as_str().unwrap()),
                Some(&shop.owner),
                &json!({"method": "CASH", "amount": amount}),
            )
            .await;
        assert_eq!(paid.status(), StatusCode::CREATED);
    }
    // A paid order cannot be split.
    let paid_split = app
        .post(
            &format!("/orders/{id}/split"),
            Some(&shop.owner),
            &json!({"items": [{"item_id": nasi, "quantity": 1}]}),
        )
        .await;
    assert_eq!(paid_split.status(), StatusCode::CONFLICT);
    let closed = app
        .post(
            &format!("/table-sessions/{session_id}/close"),
            Some(&shop.owner),
            &json!({}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
}

#[tokio::test]
async fn paying_the_table_settles_every_order_once_even_when_retried() {
    let app = spawn_app().await;
    let (shop, kasir) = shop_with_rates(&app, &[10_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let session_id = session["id"].as_str().unwrap();
    let mut total = 0;
    for quantity in [1, 2, 3] {
        let order = app
            .order(
                &kasir,
                &json!({"table_session_id": session_id, "items": [{"product_id": shop.products[0], "quantity": quantity}]}),
            )
            .await;
        total += order["total_amount"].as_i64().unwrap();
    }
    assert_eq!(total, 69_300);
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
    let pay = || {
        app.request(
            reqwest::Method::POST,
            &format!("/table-sessions/{session_id}/payments"),
            Some(&kasir),
        )
        .header("Idempotency-Key", "table-1-cash")
        .json(&json!({"method": "CASH", "amount": 69_300, "tendered": 100_000}))
        .send()
    };
    let first = expect_json(pay().await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(first["change_amount"], 30_700);
    assert_eq!(first["payments"].as_array().unwrap().len(), 3);
    assert!(first["orders"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["payment_status"] == "PAID"));
    let again = expect_json(pay().await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(again["batch_id"], first["batch_id"]);
    assert_eq!(again["payments"], first["payments"]);

    let report = expect_json(
        app.get(
            &format!("/shifts/{}/report", shift["id"].as_str().unwrap()),
            Some(&kasir),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["expected_cash"], 69_300, "{report}");
    let rows = app.query_db("SELECT COUNT(*) AS n FROM payments").await;
    assert_eq!(rows[0].try_get::<i64>("", "n").unwrap(), 3);

    // Nothing left to pay.
    let nothing = app
        .post(
            &format!("/table-sessions/{session_id}/payments"),
            Some(&kasir),
            &json!({"method": "QRIS", "amount": 1}),
        )
        .await;
    expect_problem(nothing, StatusCode::CONFLICT, "NOTHING_TO_PAY").await;
}

#[tokio::test]
async fn moving_and_merging_tables_follow_the_guests_and_reach_the_kitchen() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let kitchen = app
        .staff(
            &shop.owner,
            "dapur",
            kedai::auth::Role::Kitchen,
            shop.outlet,
        )
        .await
        .1;
    let mut socket = app.ws(&format!("token={kitchen}")).await.unwrap();
    let (terrace, terrace_slug) = app.create_table(&shop.owner, shop.outlet, "Teras").await;
    let (bar, _) = app.create_table(&shop.owner, shop.outlet, "Bar").await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let session_id = session["id"].as_str().unwrap();
    let other = app.open_table(&shop.owner, bar).await;
    let other_token = other["token"].as_str().unwrap().to_owned();
    let other_order = app
        .order(
            &other_token,
            &json!({"items": [{"product_id": shop.products[0], "quantity": 1}]}),
        )
        .await;

    // To a table that is open: 409, nothing moved.
    let occupied = app
        .post(
            &format!("/table-sessions/{session_id}/move"),
            Some(&shop.owner),
            &json!({"table_id": bar}),
        )
        .await;
    expect_problem(occupied, StatusCode::CONFLICT, "TABLE_OCCUPIED").await;

    let moved = app
        .post(
            &format!("/table-sessions/{session_id}/move"),
            Some(&shop.owner),
            &json!({"table_id": terrace}),
        )
        .await;
    let moved = expect_json(moved, StatusCode::OK).await;
    assert_eq!(moved["table_id"], json!(terrace));
    // The terrace's QR opens the moved session; the old table is free; the token still works.
    let scan = expect_json(
        app.post(
            "/table-sessions/scan",
            None,
            &json!({"qr_slug": terrace_slug}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(scan["id"], session["id"]);
    let tables = expect_json(
        app.get(
            &format!("/table-sessions?outlet_id={}&status=OPEN", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!tables["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["table_id"] == json!(shop.table)));
    let mine = app
        .get(&format!("/table-sessions/{session_id}/bill"), Some(&token))
        .await;
    assert_eq!(mine.status(), StatusCode::OK);
    let frame = socket
        .next_of("TABLE_SESSION_MOVED", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(frame["payload"]["from_table_id"], json!(shop.table));

    // Merge the bar into the terrace: its order moves, its token is gone with 410.
    let merged = app
        .post(
            &format!("/table-sessions/{session_id}/merge"),
            Some(&shop.owner),
            &json!({"session_id": other["id"]}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let bill = expect_json(
        app.get(&format!("/table-sessions/{session_id}/bill"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bill["orders"][0]["id"], other_order["id"]);
    assert_eq!(bill["orders"][0]["adjustments"][0]["kind"], "MOVE");
    let gone = app
        .get(
            &format!("/table-sessions/{}/bill", other["id"].as_str().unwrap()),
            Some(&other_token),
        )
        .await;
    expect_problem(gone, StatusCode::GONE, "SESSION_MERGED").await;
    let frame = socket
        .next_of("TABLE_SESSION_MERGED", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(frame["payload"]["order_ids"], json!([other_order["id"]]));

    // Move the order back out to a new session at the bar.
    let bar_again = app.open_table(&shop.owner, bar).await;
    let order_id = other_order["id"].as_str().unwrap();
    let back = app
        .post(
            &format!("/orders/{order_id}/move"),
            Some(&shop.owner),
            &json!({"table_session_id": bar_again["id"]}),
        )
        .await;
    let back = expect_json(back, StatusCode::OK).await;
    assert_eq!(back["table_session_id"], bar_again["id"]);
    let frame = socket
        .next_of("ORDER_UPDATED", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(frame["payload"]["id"], other_order["id"]);
}
