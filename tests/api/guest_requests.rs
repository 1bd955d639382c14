//! Guests calling from their table: the call rings on the cashier's socket at once, the same
//! call again within 30 s is 429, and answering it stops the ringing everywhere.

use std::time::Duration;

use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, id_of, spawn_app};

#[tokio::test]
async fn a_guests_call_rings_on_the_cashier_socket_once_per_30_s_until_answered() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let (_, kitchen) = app
        .staff(&shop.owner, "dapur", Role::Kitchen, shop.outlet)
        .await;
    let session = app.open_table(&kasir, shop.table).await;
    let session_id = id_of(&session);
    let guest = session["token"].as_str().unwrap().to_owned();
    let (other_table, _) = app.create_table(&shop.owner, shop.outlet, "Meja 2").await;
    let other_guest = app.open_table(&kasir, other_table).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut till = app.ws(&format!("token={kasir}")).await.unwrap();
    let mut table = app.ws(&format!("token={guest}")).await.unwrap();

    let path = format!("/table-sessions/{session_id}/requests");
    let waiter = json!({"kind": "CALL_WAITER"});
    let called = expect_json(
        app.post(&path, Some(&guest), &waiter).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(called["kind"], "CALL_WAITER");
    assert_eq!(called["table_name"], "Meja 1");
    let frame = till
        .next_of("GUEST_REQUEST", Duration::from_secs(1))
        .await
        .expect("the call rings on the till within a second");
    assert_eq!(frame["payload"]["id"], called["id"]);

    // Tapping again rings nothing new; asking for the bill is another call.
    let again = app.post(&path, Some(&guest), &waiter).await;
    let retry_after: u64 = again.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    expect_problem(again, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
    let bill = app
        .post(&path, Some(&guest), &json!({"kind": "BILL"}))
        .await;
    let bill = expect_json(bill, StatusCode::CREATED).await;

    // Not for another table's guest, not for staff, not for a kind that does not exist.
    expect_problem(
        app.post(&path, Some(&other_guest), &waiter).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_problem(
        app.post(&path, Some(&kasir), &waiter).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    let bogus = app
        .post(&path, Some(&guest), &json!({"kind": "DANCE"}))
        .await;
    assert_eq!(bogus.status(), StatusCode::BAD_REQUEST);

    let open = expect_json(
        app.get("/guest-requests", Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CALL_WAITER", "BILL"]);

    // The kitchen does not answer the floor; a cashier does, once.
    let ack = format!("/guest-requests/{}/ack", called["id"].as_str().unwrap());
    expect_problem(
        app.post(&ack, Some(&kitchen), &json!({})).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    let answered = expect_json(
        app.post(&ack, Some(&kasir), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answered["acknowledged_by"], "kasir");
    assert!(answered["acknowledged_at"].is_string());
    let frame = till
        .next_of("GUEST_REQUEST_ACKNOWLEDGED", Duration::from_secs(5))
        .await
        .expect("the till stops ringing");
    assert_eq!(frame["payload"]["id"], called["id"]);
    let seen = table
        .next_of("GUEST_REQUEST_ACKNOWLEDGED", Duration::from_secs(5))
        .await
        .expect("the guest sees the call answered");
    assert_eq!(seen["payload"]["acknowledged_by"], "kasir");
    let twice = expect_json(
        app.post(&ack, Some(&kasir), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(twice["acknowledged_at"], answered["acknowledged_at"]);
    let open = expect_json(
        app.get("/guest-requests", Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["id"], bill["id"]);
    app.events_logged().await;
    let acks = app
        .query_db("SELECT id FROM events WHERE kind = 'GUEST_REQUEST_ACKNOWLEDGED'")
        .await;
    assert_eq!(acks.len(), 1, "answering twice records one event");
}
