use std::time::Duration;

use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    expect_json, expect_problem, postgres_or_skip, redis_or_skip, spawn_app, spawn_app_with,
    spawn_second_instance, WsEnd,
};

const WAIT: Duration = Duration::from_secs(5);

fn order_body(product: uuid::Uuid) -> Value {
    json!({"items": [{"product_id": product, "quantity": 1}]})
}

#[tokio::test]
async fn sockets_without_a_valid_token_are_refused_before_upgrade() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    assert_eq!(app.ws("").await.err(), Some(401));
    assert_eq!(app.ws("token=garbage").await.err(), Some(401));
    assert_eq!(app.ws("token=ts_not_a_session").await.err(), Some(401));
    assert!(app.ws(&format!("token={}", shop.owner)).await.is_ok());
    let (_, manager) = app
        .staff(&shop.owner, "manager1", Role::Manager, shop.outlet)
        .await;
    let elsewhere = uuid::Uuid::now_v7();
    assert_eq!(
        app.ws(&format!("token={manager}&outlet_id={elsewhere}"))
            .await
            .err(),
        Some(404)
    );
}

#[tokio::test]
async fn kitchens_get_their_outlets_orders_live_and_nothing_else() {
    let app = spawn_app().await;
    let shop = app.shop(&[15_000]).await;
    let other_outlet = app.create_outlet(&shop.owner, "Cabang").await;
    let other_product = app
        .create_product(&shop.owner, other_outlet, "Far", 1000)
        .await;
    let (_, kitchen) = app
        .staff(&shop.owner, "kitchen1", Role::Kitchen, shop.outlet)
        .await;
    let mut socket = app.ws(&format!("token={kitchen}")).await.unwrap();

    app.order(&shop.owner, &json!({"outlet_id": other_outlet, "items": [{"product_id": other_product, "quantity": 1}]})).await;
    let order = app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 2}]})).await;
    let frame = socket.next_of("NEW_ORDER", WAIT).await.expect("NEW_ORDER");
    assert_eq!(frame["type"], "NEW_ORDER");
    assert_eq!(frame["payload"]["id"], order["id"]);
    assert_eq!(frame["payload"]["status"], "NEW");
    assert_eq!(frame["outlet_id"], shop.outlet.to_string());
    assert_eq!(frame["payload"]["items"][0]["quantity"], 2);

    let id = order["id"].as_str().unwrap();
    expect_json(
        app.set_status(&kitchen, id, &json!({"status": "COOKING"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let frame = socket
        .next_of("ORDER_STATUS_CHANGED", WAIT)
        .await
        .expect("ORDER_STATUS_CHANGED");
    assert_eq!(frame["type"], "ORDER_STATUS_CHANGED");
    assert_eq!(frame["payload"]["id"], order["id"]);
    assert_eq!(frame["payload"]["status"], "COOKING");
    assert_eq!(frame["payload"]["previous_status"], "NEW");
    assert_eq!(frame["payload"]["number"], order["number"]);
    assert!(
        socket
            .next_frame(Duration::from_millis(500))
            .await
            .is_none(),
        "the other outlet's order never arrives"
    );
}

#[tokio::test]
async fn eighty_concurrent_orders_arrive_once_each_in_id_order() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();
    let clients = (0..8).map(|_| {
        let (app, owner, product) = (&app, shop.owner.clone(), shop.products[0]);
        async move {
            let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": product, "quantity": 1}]});
            let mut ids = Vec::new();
            for _ in 0..10 {
                ids.push(app.order(&owner, &body).await["id"].as_str().unwrap().to_owned());
            }
            ids
        }
    });
    let mut created: Vec<String> = futures::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    let frames = socket.frames_of("NEW_ORDER", 80, WAIT).await;
    let frame_ids: Vec<i64> = frames.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert!(
        frame_ids.windows(2).all(|w| w[0] < w[1]),
        "ids strictly increase: {frame_ids:?}"
    );
    let mut delivered: Vec<String> = frames
        .iter()
        .map(|f| f["payload"]["id"].as_str().unwrap().to_owned())
        .collect();
    created.sort();
    delivered.sort();
    assert_eq!(delivered, created, "each order exactly once");
    assert!(socket
        .next_frame(Duration::from_millis(300))
        .await
        .is_none());
}

/// PostgreSQL: event writers do not take turns, so they commit in any order. Three writers
/// append their events first (the lowest outbox ids) and stay open while 60 orders commit
/// around them, then commit newest first. Nobody waits for them, and the log still comes out
/// gap-free with each event once, the same live and on replay.
#[tokio::test]
async fn writers_that_commit_out_of_order_under_load_still_give_one_gap_free_log() {
    use sea_orm::{ConnectionTrait, TransactionTrait};

    let test = "writers_that_commit_out_of_order_under_load_still_give_one_gap_free_log";
    if postgres_or_skip(test).is_none() {
        return;
    }
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();
    // Setting the shop up made events of its own: let them go out first.
    app.events_logged().await;
    while socket
        .next_frame(Duration::from_millis(200))
        .await
        .is_some()
    {}
    let first_id = app
        .query_db("SELECT COALESCE(MAX(id), 0) AS id FROM events")
        .await[0]
        .try_get::<i64>("", "id")
        .unwrap();
    let direct = sea_orm::Database::connect(app.db.url.as_str())
        .await
        .unwrap();
    let order_body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let place_orders = |count: usize| {
        let (app, owner, body) = (&app, shop.owner.clone(), order_body.clone());
        futures::future::join_all((0..count).map(move |_| {
            let (owner, body) = (owner.clone(), body.clone());
            async move {
                app.order(&owner, &body).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        }))
    };
    let mut held = Vec::new();
    for i in 0..3 {
        let txn = direct.begin().await.unwrap();
        txn.execute_unprepared(&format!(
            "INSERT INTO event_outbox (kind, outlet_id, payload, at) \
             VALUES ('SHIFT_OPENED', '{}', '{{\"held\": {i}}}', now())",
            shop.outlet
        ))
        .await
        .unwrap();
        held.push(txn);
    }
    let mut created = Vec::new();
    let mut live = Vec::new();
    for _ in 0..3 {
        let placed = place_orders(20).await;
        // Delivered while the older writers are still open: nothing waits for them.
        while live.len() < created.len() + placed.len() {
            let frame = socket
                .next_frame(WAIT)
                .await
                .expect("orders go out at once");
            assert_eq!(frame["type"], "NEW_ORDER");
            live.push(frame);
        }
        created.extend(placed);
    }
    while let Some(txn) = held.pop() {
        created.extend(place_orders(5).await);
        txn.commit().await.unwrap();
    }
    while live.len() < created.len() + 3 {
        let frame = socket
            .next_frame(WAIT)
            .await
            .unwrap_or_else(|| panic!("{} of {} frames", live.len(), created.len() + 3));
        live.push(frame);
    }
    let ids: Vec<i64> = live.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = (first_id + 1..=first_id + ids.len() as i64).collect();
    assert_eq!(ids, expected, "gap-free and in order");
    let held_frames: Vec<i64> = live
        .iter()
        .filter(|f| f["type"] == "SHIFT_OPENED")
        .map(|f| f["payload"]["held"].as_i64().unwrap())
        .collect();
    assert_eq!(
        held_frames,
        [2, 1, 0],
        "each held event once, as it committed"
    );
    let mut delivered: Vec<String> = live
        .iter()
        .filter(|f| f["type"] == "NEW_ORDER")
        .map(|f| f["payload"]["id"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    created.sort();
    assert_eq!(delivered, created, "each order exactly once");
    assert!(socket
        .next_frame(Duration::from_millis(300))
        .await
        .is_none());

    // A client resuming from the middle gets exactly the rest, in the same order.
    let middle = ids[ids.len() / 2];
    let mut resumed = app
        .ws(&format!("token={}&since={middle}", shop.owner))
        .await
        .unwrap();
    for frame in live.iter().filter(|f| f["id"].as_i64().unwrap() > middle) {
        assert_eq!(&resumed.next_frame(WAIT).await.unwrap(), frame);
    }
}

#[tokio::test]
async fn reconnecting_with_since_replays_exactly_what_was_missed_then_goes_live() {
    let app = spawn_app().await;
    let shop = app.shop(&[5_000]).await;
    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();
    app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    let seen = socket.next_of("NEW_ORDER", WAIT).await.unwrap()["id"]
        .as_i64()
        .unwrap();
    socket.close().await;

    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let mut missed = Vec::new();
    for _ in 0..5 {
        missed.push(app.order(&shop.owner, &body).await["id"].clone());
    }
    let mut socket = app
        .ws(&format!("token={}&since={seen}", shop.owner))
        .await
        .unwrap();
    let replayed = socket.frames_of("NEW_ORDER", 5, WAIT).await;
    let replayed_orders: Vec<Value> = replayed
        .iter()
        .map(|f| f["payload"]["id"].clone())
        .collect();
    assert_eq!(replayed_orders, missed, "exactly the missed five, in order");

    let live = app.order(&shop.owner, &body).await;
    let frame = socket.next_of("NEW_ORDER", WAIT).await.unwrap();
    assert_eq!(frame["payload"]["id"], live["id"]);
    assert!(frame["id"].as_i64().unwrap() > replayed[4]["id"].as_i64().unwrap());
    assert!(
        socket
            .next_frame(Duration::from_millis(300))
            .await
            .is_none(),
        "no duplicates"
    );

    // The JSON feed is the same stream.
    let page = expect_json(
        app.get(&format!("/events?since={seen}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    let feed: Vec<Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["payload"]["id"].clone())
        .collect();
    assert_eq!(&feed[..5], &missed[..]);
    assert_eq!(page["next_since"], frame["id"]);
}

#[tokio::test]
async fn guests_see_their_own_orders_move_and_nothing_of_other_tables() {
    let app = spawn_app().await;
    let shop = app.shop(&[9_000]).await;
    let (table2, _) = app.create_table(&shop.owner, shop.outlet, "Meja 2").await;
    let mine = app.open_table(&shop.owner, shop.table).await;
    let theirs = app.open_table(&shop.owner, table2).await;
    let guest = mine["token"].as_str().unwrap();
    let mut socket = app.ws(&format!("token={guest}")).await.unwrap();

    app.order(
        theirs["token"].as_str().unwrap(),
        &order_body(shop.products[0]),
    )
    .await;
    let order = app.order(guest, &order_body(shop.products[0])).await;
    let frame = socket.next_of("NEW_ORDER", WAIT).await.unwrap();
    assert_eq!(frame["type"], "NEW_ORDER");
    assert_eq!(frame["payload"]["id"], order["id"]);
    expect_json(
        app.set_status(
            &shop.owner,
            order["id"].as_str().unwrap(),
            &json!({"status": "READY"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let frame = socket.next_of("ORDER_STATUS_CHANGED", WAIT).await.unwrap();
    assert_eq!(frame["type"], "ORDER_STATUS_CHANGED");
    assert_eq!(frame["payload"]["status"], "READY");

    // Sold out: guests' menus hear about it.
    let product = format!("/products/{}", shop.products[0]);
    expect_json(
        app.patch(&product, Some(&shop.owner), &json!({"available": false}))
            .await,
        StatusCode::OK,
    )
    .await;
    let frame = socket.next_of("PRODUCT_UPDATED", WAIT).await.unwrap();
    assert_eq!(frame["type"], "PRODUCT_UPDATED");
    assert_eq!(frame["payload"]["available"], false);
    assert!(
        socket
            .next_frame(Duration::from_millis(300))
            .await
            .is_none(),
        "nothing of the other table"
    );

    let feed = expect_json(
        app.get("/events?since=0", Some(guest)).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    // The shop's setup added the product (a menu change), then this table's own story.
    assert_eq!(
        kinds,
        [
            "PRODUCT_UPDATED",
            "TABLE_SESSION_OPENED",
            "NEW_ORDER",
            "ORDER_STATUS_CHANGED",
            "PRODUCT_UPDATED"
        ]
    );
}

#[tokio::test]
async fn resuming_from_before_retention_or_beyond_the_log_requires_a_resync() {
    let app = spawn_app_with(|config| {
        config.realtime.retention = Duration::ZERO;
        config.realtime.prune_interval = Duration::from_millis(100);
    })
    .await;
    let shop = app.shop(&[5_000]).await;
    app.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    tokio::time::sleep(Duration::from_millis(400)).await; // pruned by now
    let mut socket = app
        .ws(&format!("token={}&since=0", shop.owner))
        .await
        .unwrap();
    assert_eq!(
        socket.next_frame(WAIT).await.unwrap(),
        json!({"type": "RESYNC_REQUIRED"})
    );
    expect_problem(
        app.get("/events?since=0", Some(&shop.owner)).await,
        StatusCode::CONFLICT,
        "RESYNC_REQUIRED",
    )
    .await;
    let mut ahead = app
        .ws(&format!("token={}&since=999999", shop.owner))
        .await
        .unwrap();
    assert_eq!(
        ahead.next_frame(WAIT).await.unwrap()["type"],
        "RESYNC_REQUIRED"
    );
}

#[tokio::test]
async fn a_deactivated_users_socket_is_closed_at_the_next_ping() {
    let app =
        spawn_app_with(|config| config.realtime.ping_interval = Duration::from_millis(200)).await;
    let shop = app.shop(&[]).await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let mut socket = app.ws(&format!("token={kasir}")).await.unwrap();
    expect_json(
        app.patch(
            &format!("/users/{kasir_id}"),
            Some(&shop.owner),
            &json!({"active": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(socket.end(WAIT).await, Some(WsEnd::Closed(4401)));
}

#[tokio::test]
async fn a_percent_encoded_token_keeps_its_socket_through_the_pings() {
    let app =
        spawn_app_with(|config| config.realtime.ping_interval = Duration::from_millis(200)).await;
    let shop = app.shop(&[1000]).await;
    // The same token, with its dots percent-encoded as a client library may send them.
    let encoded = shop.owner.replace('.', "%2E");
    let mut socket = app.ws(&format!("token={encoded}")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await; // several re-checks
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let order = app.order(&shop.owner, &body).await;
    let frame = socket.next_of("NEW_ORDER", WAIT).await.expect("still open");
    assert_eq!(frame["payload"]["id"], order["id"]);
}

#[tokio::test]
async fn a_user_moved_to_another_outlet_loses_the_old_feed_at_the_next_ping() {
    let app =
        spawn_app_with(|config| config.realtime.ping_interval = Duration::from_millis(200)).await;
    let shop = app.shop(&[]).await;
    let other = app.create_outlet(&shop.owner, "Cabang").await;
    let (cook_id, cook) = app
        .staff(&shop.owner, "cook1", Role::Kitchen, shop.outlet)
        .await;
    let mut socket = app.ws(&format!("token={cook}")).await.unwrap();
    expect_json(
        app.patch(
            &format!("/users/{cook_id}"),
            Some(&shop.owner),
            &json!({"outlet_id": other}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // 1013 "try again": reconnecting derives the new outlet's feed.
    assert_eq!(socket.end(WAIT).await, Some(WsEnd::Closed(1013)));
    let mut again = app.ws(&format!("token={cook}")).await.unwrap();
    let product = app.create_product(&shop.owner, other, "Mie", 1000).await;
    let body = json!({"outlet_id": other, "items": [{"product_id": product, "quantity": 1}]});
    let order = app.order(&shop.owner, &body).await;
    let frame = again
        .next_of("NEW_ORDER", WAIT)
        .await
        .expect("the new outlet's order");
    assert_eq!(frame["payload"]["id"], order["id"]);
}

#[tokio::test]
async fn chatty_clients_are_cut_off() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();
    for _ in 0..40 {
        if !socket.send_text("{\"type\":\"hello\"}".into()).await {
            break;
        }
    }
    assert_eq!(socket.end(WAIT).await, Some(WsEnd::Closed(1008)));

    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();
    socket.send_text("x".repeat(10_000)).await;
    assert!(
        socket.end(WAIT).await.is_some(),
        "an oversized frame ends the connection"
    );
}

#[tokio::test]
async fn a_client_on_one_instance_sees_an_order_made_on_another() {
    let test = "a_client_on_one_instance_sees_an_order_made_on_another";
    let (Some(_), Some(_)) = (postgres_or_skip(test), redis_or_skip(test)) else {
        return;
    };
    // A long poll interval: delivery within the wait can only come through Redis.
    let slow_poll =
        |config: &mut kedai::Config| config.realtime.poll_interval = Duration::from_secs(60);
    let a = spawn_app_with(slow_poll).await;
    let b = spawn_second_instance(&a, slow_poll).await;
    let shop = a.shop(&[5_000]).await;
    let mut socket = a.ws(&format!("token={}", shop.owner)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // both subscribers are listening
    let order = b.order(&shop.owner, &json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]})).await;
    let frame = socket
        .next_of("NEW_ORDER", WAIT)
        .await
        .expect("the order made on B reaches A");
    assert_eq!(frame["type"], "NEW_ORDER");
    assert_eq!(frame["payload"]["id"], order["id"]);
}

#[tokio::test]
async fn a_role_change_in_the_same_outlet_closes_the_socket_for_a_reconnect() {
    let app =
        spawn_app_with(|config| config.realtime.ping_interval = Duration::from_millis(200)).await;
    let shop = app.shop(&[]).await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir1", Role::Kasir, shop.outlet)
        .await;
    let mut socket = app.ws(&format!("token={kasir}")).await.unwrap();
    expect_json(
        app.patch(
            &format!("/users/{kasir_id}"),
            Some(&shop.owner),
            &json!({"role": "KITCHEN"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Same outlet, same feed, but the page must reload what a KITCHEN may do.
    assert_eq!(socket.end(WAIT).await, Some(WsEnd::Closed(1013)));
}

/// Every frame type is documented (`EventFrame` in the spec, discriminated by `type`), and a
/// real frame of each, as the WebSocket sends it and `GET /events` lists it, parses as its
/// documented type.
#[tokio::test]
async fn every_frame_type_is_documented_and_real_frames_parse_as_documented() {
    use kedai::{realtime::frames::EventFrame, service::events::EventKind};
    use poem_openapi::types::ParseFromJSON;

    let spec = crate::openapi::committed_spec();
    let mapping = spec["components"]["schemas"]["EventFrame"]["discriminator"]["mapping"]
        .as_object()
        .expect("EventFrame is a union discriminated by type");
    let documented: Vec<&str> = mapping.keys().map(String::as_str).collect();
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(documented, kinds);

    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let order = app
        .order(
            &shop.owner,
            &json!({"table_session_id": session["id"], "items": [{"product_id": shop.products[0], "quantity": 2}]}),
        )
        .await;
    let order_id = order["id"].as_str().unwrap();
    let voided = app
        .post(
            &format!(
                "/orders/{order_id}/items/{}/void",
                order["items"][0]["id"].as_str().unwrap()
            ),
            Some(&shop.owner),
            &json!({"quantity": 1, "reason": "sent back"}),
        )
        .await;
    assert_eq!(voided.status(), StatusCode::OK);
    app.set_status(&shop.owner, order_id, &json!({"status": "ACCEPTED"}))
        .await;
    let shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&shop.owner),
            &json!({"outlet_id": shop.outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let paid = app
        .post(
            &format!("/orders/{order_id}/payments"),
            Some(&shop.owner),
            &json!({"method": "CASH", "amount": 10_000, "tendered": 10_000}),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::CREATED);
    app.patch(
        &format!("/products/{}", shop.products[0]),
        Some(&shop.owner),
        &json!({"available": false}),
    )
    .await;
    // A guest calls the waiter and a cashier answers.
    let call = app
        .post(
            &format!(
                "/table-sessions/{}/requests",
                session["id"].as_str().unwrap()
            ),
            Some(session["token"].as_str().unwrap()),
            &json!({"kind": "CALL_WAITER"}),
        )
        .await;
    let call = expect_json(call, StatusCode::CREATED).await;
    let answer = format!("/guest-requests/{}/ack", call["id"].as_str().unwrap());
    let answered = app.post(&answer, Some(&shop.owner), &json!({})).await;
    assert_eq!(answered.status(), StatusCode::OK);
    // Table moves: to a free table, then another table merged in.
    let (terrace, _) = app.create_table(&shop.owner, shop.outlet, "Terrace").await;
    let (bar, _) = app.create_table(&shop.owner, shop.outlet, "Bar").await;
    let joining = app.open_table(&shop.owner, bar).await;
    let session_id = session["id"].as_str().unwrap();
    let moved = app
        .post(
            &format!("/table-sessions/{session_id}/move"),
            Some(&shop.owner),
            &json!({"table_id": terrace}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let merged = app
        .post(
            &format!("/table-sessions/{session_id}/merge"),
            Some(&shop.owner),
            &json!({"session_id": joining["id"]}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let closed = app
        .post(
            &format!("/table-sessions/{}/close", session["id"].as_str().unwrap()),
            Some(&shop.owner),
            &json!({}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let end = json!({"shift_id": shift["id"], "end_cash": 10_000});
    assert_eq!(
        app.post("/shifts/close", Some(&shop.owner), &end)
            .await
            .status(),
        StatusCode::OK
    );

    // A printer nothing listens on (port 1 of loopback): its test page reports it unreachable.
    let printer = expect_json(
        app.post(
            &format!("/outlets/{}/printers", shop.outlet),
            Some(&shop.owner),
            &json!({"name": "Nowhere", "kind": "RECEIPT", "address": "127.0.0.1:1"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let test_page = format!("/printers/{}/test", printer["id"].as_str().unwrap());
    app.post(&test_page, Some(&shop.owner), &json!({})).await;
    for _ in 0..100 {
        if app
            .event_kinds()
            .await
            .iter()
            .any(|k| k == "PRINTER_STATUS")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let listed = expect_json(
        app.get("/events?since=0&limit=500", Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    let listed = listed["items"].as_array().unwrap();
    let mut socket = app
        .ws(&format!("token={}&since=0", shop.owner))
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..listed.len() {
        let frame = socket.next_frame(WAIT).await.expect("a replayed frame");
        let kind = frame["type"].as_str().unwrap().to_owned();
        assert!(
            EventFrame::parse_from_json(Some(frame.clone())).is_ok(),
            "{kind} does not parse as documented: {frame}"
        );
        if !seen.contains(&kind) {
            seen.push(kind);
        }
    }
    for frame in listed {
        assert!(
            EventFrame::parse_from_json(Some(frame.clone())).is_ok(),
            "{frame}"
        );
    }
    seen.sort();
    let mut all = kinds.clone();
    all.sort();
    assert_eq!(seen, all, "a frame of every type");
    // The order's payload is the order as GET /orders/{id} shows it (at creation).
    let new_order = listed.iter().find(|f| f["type"] == "NEW_ORDER").unwrap();
    assert_eq!(new_order["payload"]["id"], order["id"]);
    assert_eq!(new_order["payload"]["items"], order["items"]);
    let updated = listed
        .iter()
        .find(|f| f["type"] == "ORDER_UPDATED")
        .unwrap();
    assert_eq!(updated["payload"]["items"][0]["voided_quantity"], 1);
    assert_eq!(new_order["payload"]["total_amount"], order["total_amount"]);
}

/// Events written before payloads were typed are retired by migration 7 as if pruned: a
/// client resuming from before the upgrade is told to resync, and ids keep increasing.
#[tokio::test]
async fn the_upgrade_retires_events_of_the_old_shapes() {
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    app.open_table(&shop.owner, shop.table).await;
    app.events_logged().await;
    let before = app.query_db("SELECT MAX(id) AS id FROM events").await[0]
        .try_get::<i64>("", "id")
        .unwrap();
    // Back to before migration 7 (and the later ones), with an old-shaped event, then up again.
    let conn = sea_orm::Database::connect(app.db.url.as_str())
        .await
        .unwrap();
    use migration::MigratorTrait;
    let after_six = u32::try_from(migration::Migrator::migrations().len() - 6).unwrap();
    migration::Migrator::down(&conn, Some(after_six))
        .await
        .unwrap();
    conn.close().await.unwrap();
    app.query_db(&format!(
        "INSERT INTO events (id, kind, outlet_id, table_session_id, payload, at) \
         SELECT id + 1, 'NEW_ORDER', outlet_id, table_session_id, \
         '{{\"id\":\"old\",\"items\":[{{\"modifiers\":[\"Pedas\"]}}]}}', at \
         FROM events WHERE id = {before}"
    ))
    .await;
    let before = before + 1;
    let conn = sea_orm::Database::connect(app.db.url.as_str())
        .await
        .unwrap();
    migration::Migrator::up(&conn, None).await.unwrap();
    conn.close().await.unwrap();
    assert!(app.query_db("SELECT id FROM events").await.is_empty());
    expect_problem(
        app.get("/events?since=0", Some(&shop.owner)).await,
        StatusCode::CONFLICT,
        "RESYNC_REQUIRED",
    )
    .await;
    let next = app
        .open_table(
            &shop.owner,
            app.create_table(&shop.owner, shop.outlet, "Meja 2").await.0,
        )
        .await;
    assert_eq!(next["status"], "OPEN");
    app.events_logged().await;
    let after = app.query_db("SELECT MAX(id) AS id FROM events").await[0]
        .try_get::<i64>("", "id")
        .unwrap();
    assert!(after > before, "ids keep increasing: {before} then {after}");
    let listed = expect_json(
        app.get(&format!("/events?since={before}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["type"], "TABLE_SESSION_OPENED");
}
