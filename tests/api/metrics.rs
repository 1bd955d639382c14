//! `GET /metrics`: off without a token, 401 with a wrong one, and counters that move.

use prometheus_parse::{Scrape, Value as Sample};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const TOKEN: &str = "metrics-token-for-the-test";

async fn scrape(app: &TestApp) -> Scrape {
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

/// The value of `metric` whose labels include every `(name, value)` in `labels` (0 if none).
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => *v,
            Sample::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
            Sample::Summary(_) => 0.0,
        })
        .sum()
}

#[tokio::test]
async fn metrics_are_404_without_a_configured_token_and_401_with_a_wrong_one() {
    let off = spawn_app().await;
    let response = off
        .client
        .get(format!("{}/metrics", off.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let on = spawn_app_with(|c| c.metrics_token = Some(TOKEN.into())).await;
    let url = format!("{}/metrics", on.address);
    let none = on.client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let wrong = on
        .client
        .get(&url)
        .bearer_auth("not-the-token-at-all")
        .send();
    let wrong = wrong.await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(!wrong.text().await.unwrap().contains("kedai_"));
}

#[tokio::test]
async fn counters_move_by_the_requests_and_orders_made() {
    let app = spawn_app_with(|c| c.metrics_token = Some(TOKEN.into())).await;
    let shop = app.shop(&[10_000]).await;
    let before = scrape(&app).await;
    let order_op = [("operation", "POST /api/v1/orders"), ("status", "201")];
    let get_op = [("operation", "GET /api/v1/orders/:id"), ("status", "200")];
    let missing_op = [("operation", "GET /api/v1/orders/:id"), ("status", "404")];

    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            app.order(&shop.owner, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for id in ids.iter().take(2) {
        let got = app.get(&format!("/orders/{id}"), Some(&shop.owner)).await;
        assert_eq!(got.status(), StatusCode::OK);
    }
    let missing = format!("/orders/{}", uuid::Uuid::new_v4());
    assert_eq!(
        app.get(&missing, Some(&shop.owner)).await.status(),
        StatusCode::NOT_FOUND
    );
    // A socket is open while the metrics are read.
    let socket = app
        .ws(&format!("token={}", shop.owner))
        .await
        .expect("socket");

    let after = scrape(&app).await;
    let moved = |metric: &str, labels: &[(&str, &str)]| {
        value(&after, metric, labels) - value(&before, metric, labels)
    };
    assert_eq!(moved("kedai_http_requests_total", &order_op), 3.0);
    assert_eq!(moved("kedai_http_requests_total", &get_op), 2.0);
    assert_eq!(moved("kedai_http_requests_total", &missing_op), 1.0);
    assert_eq!(moved("kedai_orders_created_total", &[]), 3.0);
    assert_eq!(
        moved(
            "kedai_http_request_duration_seconds",
            &[("operation", "GET /api/v1/orders/:id")]
        ),
        3.0
    );
    assert_eq!(value(&after, "kedai_websocket_connections", &[]), 1.0);
    assert!(value(&after, "kedai_db_pool_connections_max", &[]) >= 1.0);
    assert_eq!(value(&after, "kedai_print_queue_depth", &[]), 0.0);
    assert_eq!(value(&after, "kedai_print_jobs_failed", &[]), 0.0);
    assert!(
        after
            .samples
            .iter()
            .any(|s| s.metric == "kedai_relay_lag_seconds"),
        "relay lag is reported"
    );
    // Ids never become labels.
    for sample in &after.samples {
        if let Some(operation) = sample.labels.get("operation") {
            for id in &ids {
                assert!(!operation.contains(id.as_str()), "{operation}");
            }
        }
    }
    socket.close().await;
}

/// The hot path's round trips, counted: a regression that adds a statement to placing an
/// order (or to reading one) fails here. BEGIN and COMMIT are not counted.
#[tokio::test]
async fn placing_and_reading_an_order_take_a_known_number_of_statements() {
    let app = spawn_app_with(|c| {
        c.metrics_token = Some(TOKEN.into());
        // Other tests' notices over a shared Redis would make this instance forget (and
        // read again) the token checks and menus it remembers.
        c.redis_url = None;
    })
    .await;
    let shop = app.shop(&[10_000, 5_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [
        {"product_id": shop.products[0], "quantity": 1},
        {"product_id": shop.products[1], "quantity": 2},
    ]});
    let place = |key: String| {
        app.request(reqwest::Method::POST, "/orders", Some(&shop.owner))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    // The first order of the day also creates the day's counter row; the token check and the
    // outlet's menu are remembered after the first request.
    let first = place("warm-up".into()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let order: serde_json::Value = first.json().await.unwrap();
    let read = format!("/orders/{}", order["id"].as_str().unwrap());
    app.get(&read, Some(&shop.owner)).await;

    let before = scrape(&app).await;
    for i in 0..10 {
        assert_eq!(
            place(format!("key-{i}")).await.unwrap().status(),
            StatusCode::CREATED
        );
        assert_eq!(
            app.get(&read, Some(&shop.owner)).await.status(),
            StatusCode::OK
        );
    }
    let after = scrape(&app).await;
    let per_request = |operation: &str| {
        let labels = [("operation", operation)];
        let sum = |s: &Scrape| value(s, "kedai_db_statements_per_request_sum", &labels);
        let count = |s: &Scrape| value(s, "kedai_db_statements_per_request_count", &labels);
        (sum(&after) - sum(&before)) / (count(&after) - count(&before))
    };
    let place_order = per_request("POST /api/v1/orders");
    let read_order = per_request("GET /api/v1/orders/:id");
    eprintln!("statements: POST /orders {place_order}, GET /orders/{{id}} {read_order}");
    // The menu is remembered, so only the writes: the key with the day's counter, and the
    // order with its lines, its tickets and its event.
    assert_eq!(place_order, 2.0);
    // After each write: the order row; its lines are remembered under its version, the
    // token check too.
    assert_eq!(read_order, 1.0);

    // With no write since it was read, the whole order is remembered: no statement.
    app.events_logged().await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await; // the relay delivered
    app.get(&read, Some(&shop.owner)).await;
    let before = scrape(&app).await;
    for _ in 0..10 {
        assert_eq!(
            app.get(&read, Some(&shop.owner)).await.status(),
            StatusCode::OK
        );
    }
    let after = scrape(&app).await;
    let labels = [("operation", "GET /api/v1/orders/:id")];
    let sum = |s: &Scrape| value(s, "kedai_db_statements_per_request_sum", &labels);
    assert_eq!(
        sum(&after) - sum(&before),
        0.0,
        "reads without writes between"
    );
}
