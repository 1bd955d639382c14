use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn opening_a_table_twice_returns_the_same_session() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let (_, waiter) = app
        .staff(&shop.owner, "waiter1", Role::Waiter, shop.outlet)
        .await;
    let response = app
        .post(
            "/table-sessions",
            Some(&waiter),
            &json!({"table_id": shop.table}),
        )
        .await;
    let first = expect_json(response, StatusCode::CREATED).await;
    assert!(first["token"].as_str().unwrap().starts_with("ts_"));
    assert_eq!(first["table_id"], shop.table.to_string());
    assert_eq!(first["outlet_id"], shop.outlet.to_string());
    assert!(first["expires_at"].is_string());
    let again = expect_json(
        app.post(
            "/table-sessions",
            Some(&waiter),
            &json!({"table_id": shop.table}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["token"], first["token"]);

    let (_, kitchen) = app
        .staff(&shop.owner, "kitchen1", Role::Kitchen, shop.outlet)
        .await;
    let response = app
        .post(
            "/table-sessions",
            Some(&kitchen),
            &json!({"table_id": shop.table}),
        )
        .await;
    expect_problem(response, StatusCode::FORBIDDEN, "FORBIDDEN").await;
    assert_eq!(app.event_kinds().await, ["TABLE_SESSION_OPENED"]);
}

#[tokio::test]
async fn concurrent_opens_of_one_table_make_one_session() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let body = json!({"table_id": shop.table});
    let opens = (0..8).map(|_| app.post("/table-sessions", Some(&shop.owner), &body));
    let mut ids = Vec::new();
    for response in futures::future::join_all(opens).await {
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            status == StatusCode::CREATED
                || status == StatusCode::OK
                || body["code"] == "TABLE_ALREADY_OPEN",
            "{status} {body}"
        );
        if status.is_success() {
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn validate_answers_with_names_404_or_410() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let valid = expect_json(
        app.post(
            "/table-sessions/validate",
            None,
            &json!({"token": session["token"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(valid["table_name"], "Meja 1");
    assert_eq!(valid["outlet_name"], "Pusat");
    assert_eq!(valid["id"], session["id"]);

    let unknown = app
        .post(
            "/table-sessions/validate",
            None,
            &json!({"token": "ts_nope"}),
        )
        .await;
    expect_problem(unknown, StatusCode::NOT_FOUND, "NOT_FOUND").await;

    let id = session["id"].as_str().unwrap();
    expect_json(
        app.post(
            &format!("/table-sessions/{id}/close"),
            Some(&shop.owner),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let closed = app
        .post(
            "/table-sessions/validate",
            None,
            &json!({"token": session["token"]}),
        )
        .await;
    expect_problem(closed, StatusCode::GONE, "SESSION_CLOSED").await;
}

#[tokio::test]
async fn scanning_a_table_qr_joins_or_opens_by_the_outlets_rule() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let scan = |slug: String| {
        let app = &app;
        async move {
            app.post("/table-sessions/scan", None, &json!({"qr_slug": slug}))
                .await
        }
    };
    expect_problem(
        scan(shop.qr_slug.clone()).await,
        StatusCode::CONFLICT,
        "TABLE_NOT_OPEN",
    )
    .await;
    expect_problem(
        scan("not-a-real-slug".into()).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;

    let session = app.open_table(&shop.owner, shop.table).await;
    let joined = expect_json(scan(shop.qr_slug.clone()).await, StatusCode::OK).await;
    assert_eq!(joined["token"], session["token"]);
    assert_eq!(joined["table_name"], "Meja 1");
    assert_eq!(joined["currency"], "IDR");

    // Self-service: a guest may open a closed table.
    let id = session["id"].as_str().unwrap();
    expect_json(
        app.post(
            &format!("/table-sessions/{id}/close"),
            Some(&shop.owner),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_json(
        app.patch(
            &format!("/outlets/{}", shop.outlet),
            Some(&shop.owner),
            &json!({"qr_self_service": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let opened = expect_json(scan(shop.qr_slug.clone()).await, StatusCode::CREATED).await;
    assert_ne!(opened["token"], session["token"]);

    // A rotated QR: the old slug is unknown, the new one works.
    let rotated = expect_json(
        app.post(
            &format!("/tables/{}/rotate-qr", shop.table),
            Some(&shop.owner),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        scan(shop.qr_slug.clone()).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let again = expect_json(
        scan(rotated["qr_slug"].as_str().unwrap().to_owned()).await,
        StatusCode::OK,
    )
    .await;
    // The same sitting, with a new token: phones holding the old one scan again.
    assert_eq!(again["id"], opened["id"]);
    assert_ne!(again["token"], opened["token"]);
}

#[tokio::test]
async fn guests_order_for_their_own_table_and_see_nothing_else() {
    let app = spawn_app().await;
    let shop = app.shop(&[12_000]).await;
    let (table2, _) = app.create_table(&shop.owner, shop.outlet, "Meja 2").await;
    let mine = app.open_table(&shop.owner, shop.table).await;
    let theirs = app.open_table(&shop.owner, table2).await;
    let guest = mine["token"].as_str().unwrap();
    let other_guest = theirs["token"].as_str().unwrap();

    let menu = expect_json(app.get("/menu", Some(guest)).await, StatusCode::OK).await;
    assert_eq!(menu["outlet_name"], "Pusat");
    assert_eq!(menu["categories"][0]["products"][0]["price"], 12_000);

    let body =
        json!({"items": [{"product_id": shop.products[0], "quantity": 2, "note": "tanpa es"}]});
    let order = app.order(guest, &body).await;
    assert_eq!(order["source"], "QR");
    assert_eq!(order["table_session_id"], mine["id"]);
    assert!(order["created_by"].is_null());
    let order_id = order["id"].as_str().unwrap();
    let their_order = app.order(other_guest, &body).await;
    let their_order_id = their_order["id"].as_str().unwrap();

    // Own things are visible…
    expect_json(
        app.get(&format!("/orders/{order_id}"), Some(guest)).await,
        StatusCode::OK,
    )
    .await;
    let listed = expect_json(app.get("/orders", Some(guest)).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let bill = expect_json(
        app.get(
            &format!("/table-sessions/{}/bill", mine["id"].as_str().unwrap()),
            Some(guest),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bill["total_amount"], 24_000);
    assert_eq!(bill["outstanding"], 24_000);

    // …another table's are not.
    expect_problem(
        app.get(&format!("/orders/{their_order_id}"), Some(guest))
            .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let theirs_id = theirs["id"].as_str().unwrap();
    for path in [
        format!("/table-sessions/{theirs_id}"),
        format!("/table-sessions/{theirs_id}/bill"),
        format!("/table-sessions/{theirs_id}/orders"),
    ] {
        expect_problem(
            app.get(&path, Some(guest)).await,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        )
        .await;
    }
    let filtered = expect_json(
        app.get(
            &format!("/orders?table_session_id={theirs_id}"),
            Some(guest),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(filtered["items"].as_array().unwrap().is_empty());
    let into_theirs = json!({"table_session_id": theirs_id, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    expect_problem(
        app.post("/orders", Some(guest), &into_theirs).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    // Staff-only routes are closed to guests.
    expect_problem(
        app.set_status(guest, order_id, &json!({"status": "DONE"}))
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    for path in ["/users", "/outlets", "/auth/me", "/table-sessions"] {
        expect_problem(
            app.get(path, Some(guest)).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
    }
    expect_problem(
        app.post(
            "/table-sessions",
            Some(guest),
            &json!({"table_id": shop.table}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        app.get("/menu", Some("ts_forged_token_value")).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
}

#[tokio::test]
async fn closing_needs_everything_settled_unless_a_manager_forces_it() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let (_, manager) = app
        .staff(&shop.owner, "manager1", Role::Manager, shop.outlet)
        .await;
    let session = app.open_table(&kasir, shop.table).await;
    let id = session["id"].as_str().unwrap();
    let guest = session["token"].as_str().unwrap();
    let body = json!({"items": [{"product_id": shop.products[0], "quantity": 1}]});
    let first = app.order(guest, &body).await;
    let second = app.order(guest, &body).await;
    let close = format!("/table-sessions/{id}/close");

    expect_problem(
        app.post(&close, Some(&kasir), &json!({})).await,
        StatusCode::CONFLICT,
        "SESSION_HAS_UNPAID_ORDERS",
    )
    .await;
    expect_problem(
        app.post(&close, Some(&kasir), &json!({"force": true, "reason": "x"}))
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_problem(
        app.post(&close, Some(&manager), &json!({"force": true}))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;

    // Voiding one leaves one unpaid.
    let void = json!({"status": "VOIDED", "reason": "ordered twice"});
    expect_json(
        app.set_status(&kasir, first["id"].as_str().unwrap(), &void)
            .await,
        StatusCode::OK,
    )
    .await;
    let bill = expect_json(
        app.get(&format!("/table-sessions/{id}/bill"), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bill["total_amount"], 10_000, "voided orders do not count");
    assert_eq!(bill["orders"].as_array().unwrap().len(), 2);
    expect_problem(
        app.post(&close, Some(&kasir), &json!({})).await,
        StatusCode::CONFLICT,
        "SESSION_HAS_UNPAID_ORDERS",
    )
    .await;

    let closed = expect_json(
        app.post(
            &close,
            Some(&manager),
            &json!({"force": true, "reason": "walked out"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["status"], "CLOSED");
    assert_eq!(closed["close_reason"], "walked out");
    expect_problem(
        app.post(&close, Some(&manager), &json!({})).await,
        StatusCode::CONFLICT,
        "SESSION_CLOSED",
    )
    .await;

    // The guest token is over; staff can no longer add to the session either.
    expect_problem(
        app.get("/menu", Some(guest)).await,
        StatusCode::GONE,
        "SESSION_CLOSED",
    )
    .await;
    expect_problem(
        app.post("/orders", Some(guest), &body).await,
        StatusCode::GONE,
        "SESSION_CLOSED",
    )
    .await;
    let staff_order =
        json!({"table_session_id": id, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    expect_problem(
        app.post("/orders", Some(&kasir), &staff_order).await,
        StatusCode::CONFLICT,
        "SESSION_CLOSED",
    )
    .await;
    let _ = second;

    // The table can be opened again, with a new token.
    let reopened = app.open_table(&kasir, shop.table).await;
    assert_ne!(reopened["id"], session["id"]);
    let kinds = app.event_kinds().await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "TABLE_SESSION_CLOSED")
            .count(),
        1
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "TABLE_SESSION_OPENED")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_table_with_history_is_deactivated_not_deleted() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    app.open_table(&shop.owner, shop.table).await;
    let response = app
        .delete(&format!("/tables/{}", shop.table), Some(&shop.owner))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let table = expect_json(
        app.get(&format!("/tables/{}", shop.table), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(table["active"], false);
}

#[tokio::test]
async fn session_lists_filter_by_status() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let (table2, _) = app.create_table(&shop.owner, shop.outlet, "Meja 2").await;
    let first = app.open_table(&shop.owner, shop.table).await;
    app.open_table(&shop.owner, table2).await;
    let id = first["id"].as_str().unwrap();
    expect_json(
        app.post(
            &format!("/table-sessions/{id}/close"),
            Some(&shop.owner),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let open = expect_json(
        app.get("/table-sessions?status=OPEN", Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let all = expect_json(
        app.get("/table-sessions", Some(&shop.owner)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let one = expect_json(
        app.get(&format!("/table-sessions/{id}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["status"], "CLOSED");
}

#[tokio::test]
async fn guest_tokens_are_shown_only_to_whoever_opens_the_table() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let (_, waiter) = app
        .staff(&shop.owner, "waiter1", Role::Waiter, shop.outlet)
        .await;
    let (_, kitchen) = app
        .staff(&shop.owner, "kitchen1", Role::Kitchen, shop.outlet)
        .await;
    // The waiter opening the table gets the token (the original's contract)…
    let opened = app.open_table(&waiter, shop.table).await;
    let guest = opened["token"].as_str().unwrap().to_owned();
    assert!(guest.starts_with("ts_"));
    // …but no list or read hands it out again, to any role.
    let id = opened["id"].as_str().unwrap();
    for token in [&shop.owner, &waiter, &kitchen] {
        let list = expect_json(
            app.get("/table-sessions?status=OPEN", Some(token)).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(list["items"][0]["token"], json!(null));
        let one = expect_json(
            app.get(&format!("/table-sessions/{id}"), Some(token)).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(one["token"], json!(null));
    }
    let body = json!({"table_id": shop.table});
    expect_problem(
        app.post("/table-sessions", Some(&kitchen), &body).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    // The guest still orders with it.
    let order = json!({"items": [{"product_id": shop.products[0], "quantity": 1}]});
    expect_json(
        app.post("/orders", Some(&guest), &order).await,
        StatusCode::CREATED,
    )
    .await;
}

#[tokio::test]
async fn a_table_taken_out_of_use_or_given_a_new_qr_ends_its_guests_access() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let order = json!({"items": [{"product_id": shop.products[0], "quantity": 1}]});
    let guest_of = |session: &serde_json::Value| session["token"].as_str().unwrap().to_owned();

    // A new QR code: the old printed code and every token it handed out stop working.
    let session = app.open_table(&shop.owner, shop.table).await;
    let before = guest_of(&session);
    let rotated = expect_json(
        app.post(
            &format!("/tables/{}/rotate-qr", shop.table),
            Some(&shop.owner),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.post("/orders", Some(&before), &order).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    // Guests at the table scan the new code and carry on in the same session.
    let scanned = expect_json(
        app.post(
            "/table-sessions/scan",
            None,
            &json!({"qr_slug": rotated["qr_slug"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(scanned["id"], session["id"]);
    let after = guest_of(&scanned);
    assert_ne!(after, before);
    expect_json(
        app.post("/orders", Some(&after), &order).await,
        StatusCode::CREATED,
    )
    .await;

    // Deactivated (and "deleted", which deactivates a table with history): 410.
    for change in ["deactivate", "delete"] {
        let response = if change == "delete" {
            app.delete(&format!("/tables/{}", shop.table), Some(&shop.owner))
                .await
        } else {
            app.patch(
                &format!("/tables/{}", shop.table),
                Some(&shop.owner),
                &json!({"active": false}),
            )
            .await
        };
        assert!(response.status().is_success(), "{change}");
        expect_problem(
            app.post("/orders", Some(&after), &order).await,
            StatusCode::GONE,
            "TABLE_INACTIVE",
        )
        .await;
        expect_problem(
            app.get("/menu", Some(&after)).await,
            StatusCode::GONE,
            "TABLE_INACTIVE",
        )
        .await;
        let reactivate = json!({"active": true});
        let table = format!("/tables/{}", shop.table);
        expect_json(
            app.patch(&table, Some(&shop.owner), &reactivate).await,
            StatusCode::OK,
        )
        .await;
    }
    // Staff can still see the session and its orders to settle it.
    expect_json(
        app.get(
            &format!("/table-sessions/{}/bill", session["id"].as_str().unwrap()),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}
