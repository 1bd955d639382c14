//! Dependency faults: PostgreSQL going away under load, Redis going away. The service is
//! reached through a loopback proxy that can pull the plug — every open connection is cut and
//! new ones are refused, which is what clients see while PostgreSQL restarts — so the test
//! leaves the shared servers alone while other tests run beside it.

use std::{
    collections::HashSet,
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use tokio::{
    net::{TcpListener, TcpSocket, TcpStream},
    sync::watch,
};

use crate::helpers::{
    expect_json, postgres_or_skip, redis_or_skip, start, TestApp, TestDb, WsClient,
};

const WAIT: Duration = Duration::from_secs(10);

/// A TCP proxy on loopback in front of a real service.
struct FaultProxy {
    address: SocketAddr,
    up: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    async fn start(target: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let (up, watch_up) = watch::channel(true);
        let task = tokio::spawn(serve(listener, address, target, watch_up));
        FaultProxy { address, up, task }
    }

    /// `url` with its host and port replaced by the proxy's.
    fn in_front_of(&self, url: &str) -> String {
        let mut url = Url::parse(url).expect("service URL");
        url.set_ip_host(self.address.ip()).expect("host");
        url.set_port(Some(self.address.port())).expect("port");
        url.to_string()
    }

    /// Cuts every open connection and refuses new ones.
    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    listener: TcpListener,
    address: SocketAddr,
    target: SocketAddr,
    mut up: watch::Receiver<bool>,
) {
    let mut listener = Some(listener);
    loop {
        match &listener {
            Some(open) => {
                let accepted = tokio::select! {
                    accepted = open.accept() => accepted.ok(),
                    changed = up.changed() => match changed {
                        Ok(()) => None,
                        Err(_) => return, // the proxy was dropped
                    },
                };
                if let Some((client, _)) = accepted {
                    tokio::spawn(pipe(client, target, up.clone()));
                } else if !*up.borrow() {
                    // Closing the listener makes connects fail with "connection refused".
                    listener = None;
                }
            }
            None => {
                if up.wait_for(|up| *up).await.is_err() {
                    return;
                }
                let socket = TcpSocket::new_v4().expect("socket");
                socket.set_reuseaddr(true).expect("SO_REUSEADDR");
                socket.bind(address).expect("rebind the proxy's port");
                listener = Some(socket.listen(128).expect("listen"));
            }
        }
    }
}

async fn pipe(mut client: TcpStream, target: SocketAddr, mut up: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = up.wait_for(|up| !*up) => {} // dropping both ends cuts the connection
    }
}

fn socket_address(url: &str) -> SocketAddr {
    let url = Url::parse(url).expect("service URL");
    let host = url.host_str().expect("host");
    let port = url.port_or_known_default().unwrap_or(match url.scheme() {
        "redis" => 6379,
        _ => 5432,
    });
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .expect("resolve")
        .find(|address| address.ip().is_loopback())
        .expect("services are reached on loopback only")
}

/// What one order request got.
struct Outcome {
    key: String,
    status: StatusCode,
    content_type: String,
    body: Value,
    took: Duration,
    sent_at: Instant,
}

async fn place_order(app: &TestApp, token: &str, body: &Value, key: String) -> Outcome {
    let sent_at = Instant::now();
    let response = app
        .client
        .post(app.url("/orders"))
        .bearer_auth(token)
        .header("Idempotency-Key", &key)
        .timeout(Duration::from_secs(15))
        .json(body)
        .send()
        .await
        .expect("Kedai answers even while its database is away");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.json().await.unwrap_or(Value::Null);
    Outcome {
        key,
        status,
        content_type,
        body,
        took: sent_at.elapsed(),
        sent_at,
    }
}

/// Reads NEW_ORDER frames until the one for `order_id`.
async fn wait_for_order(socket: &mut WsClient, order_id: &Value) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match socket.next_of("NEW_ORDER", WAIT).await {
            Some(frame) if frame["payload"]["id"] == *order_id => return true,
            Some(_) => continue,
            None => return false,
        }
    }
    false
}

#[tokio::test]
async fn a_postgresql_restart_under_load_gives_fast_503s_then_recovers_by_itself() {
    if postgres_or_skip("a_postgresql_restart_under_load…").is_none() {
        return;
    }
    let db = TestDb::create().await;
    let proxy = FaultProxy::start(socket_address(&db.url)).await;
    let proxied_url = proxy.in_front_of(&db.url);
    let app = start(db, tempfile::tempdir().unwrap(), |config| {
        config.database_url = proxied_url;
        // Re-check the socket's token often, so that it happens during the outage.
        config.realtime.ping_interval = Duration::from_millis(300);
    })
    .await;
    let shop = app.shop(&[12_500, 8_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [
        {"product_id": shop.products[0], "quantity": 2},
        {"product_id": shop.products[1], "quantity": 1},
    ]});
    let mut kitchen_screen = app.ws(&format!("token={}", shop.owner)).await.unwrap();

    // Four cashiers order non-stop (bounded in count), while PostgreSQL goes away for 3 s.
    let stop = Arc::new(AtomicBool::new(false));
    let cashiers: Vec<_> = (0..4)
        .map(|cashier| {
            let (app, token, body, stop) = (&app, &shop.owner, &body, stop.clone());
            async move {
                let mut outcomes = Vec::new();
                for n in 0..400 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let key = format!("fault-{cashier}-{n}");
                    outcomes.push(place_order(app, token, body, key).await);
                }
                outcomes
            }
        })
        .collect();
    let outage = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        proxy.cut();
        let cut_at = Instant::now();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let health = expect_json(
            app.get("/health", None).await,
            StatusCode::SERVICE_UNAVAILABLE,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        proxy.restore();
        let restored_at = Instant::now();
        tokio::time::sleep(Duration::from_secs(3)).await;
        stop.store(true, Ordering::Relaxed);
        (cut_at, restored_at, health)
    };
    // The kitchen screen keeps reading (and answering pings) throughout.
    let kitchen = async {
        let mut seen = HashSet::new();
        while !stop.load(Ordering::Relaxed) {
            let frame = kitchen_screen.next_frame(Duration::from_millis(200)).await;
            if let Some(frame) = frame.filter(|f| f["type"] == "NEW_ORDER") {
                seen.insert(frame["payload"]["id"].clone());
            }
        }
        seen
    };
    let (outcomes, (cut_at, restored_at, health_during), mut seen) =
        tokio::join!(futures::future::join_all(cashiers), outage, kitchen);
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();

    assert_eq!(health_during["database"], "down", "{health_during}");
    let mut created = Vec::new();
    let mut refused = Vec::new();
    for outcome in &outcomes {
        match outcome.status {
            StatusCode::CREATED => created.push(outcome),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(outcome.content_type, "application/problem+json");
                assert_eq!(
                    outcome.body["code"], "SERVICE_UNAVAILABLE",
                    "{}",
                    outcome.body
                );
                // Fail fast: bounded by the 3 s pool wait, not a hung tablet.
                assert!(
                    outcome.took < Duration::from_secs(5),
                    "503 took {:?}",
                    outcome.took
                );
                refused.push(outcome);
            }
            other => panic!("unexpected {other} during the outage: {}", outcome.body),
        }
    }
    assert!(!refused.is_empty(), "the outage was not noticed");
    let recovered = created
        .iter()
        .filter(|o| o.sent_at > restored_at)
        .map(|o| o.sent_at)
        .min()
        .expect("orders succeed again after the outage, without restarting Kedai");
    assert!(recovered - restored_at < Duration::from_secs(3));
    assert!(created.iter().any(|o| o.sent_at < cut_at));
    eprintln!(
        "postgres outage: {} created, {} refused with 503 (slowest {:?}), first success {:?} after restore",
        created.len(),
        refused.len(),
        refused.iter().map(|o| o.took).max().unwrap_or_default(),
        recovered - restored_at
    );

    // The app is healthy again and every acknowledged order is whole.
    expect_json(app.get("/health", None).await, StatusCode::OK).await;
    for outcome in &created {
        let id = outcome.body["id"].as_str().unwrap();
        let order = expect_json(
            app.get(&format!("/orders/{id}"), Some(&shop.owner)).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(order["items"].as_array().unwrap().len(), 2);
        assert_eq!(order["subtotal"], 33_000);
    }
    // A refused request retried with its key is created once (its fate was unknown to the
    // client: the commit may or may not have happened before the cut).
    for outcome in &refused {
        let retried = place_order(&app, &shop.owner, &body, outcome.key.clone()).await;
        assert!(
            retried.status == StatusCode::CREATED || retried.status == StatusCode::OK,
            "retry: {} {}",
            retried.status,
            retried.body
        );
    }
    let orders = count_rows(&app, "orders").await;
    assert_eq!(orders, (created.len() + refused.len()) as i64);
    assert_eq!(count_rows(&app, "order_items").await, orders * 2);

    // The kitchen screen stayed connected through the outage and saw every acknowledged
    // order, including those the retries created.
    let after = app.order(&shop.owner, &body).await;
    let deadline = Instant::now() + WAIT;
    while !seen.contains(&after["id"]) && Instant::now() < deadline {
        match kitchen_screen.next_of("NEW_ORDER", WAIT).await {
            Some(frame) => seen.insert(frame["payload"]["id"].clone()),
            None => panic!("the kitchen screen's socket ended"),
        };
    }
    assert_eq!(
        seen.len() as i64,
        orders + 1,
        "each order reached the screen once"
    );
    for outcome in &created {
        assert!(seen.contains(&outcome.body["id"]));
    }
}

async fn count_rows(app: &TestApp, table: &str) -> i64 {
    let rows = app
        .query_db(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .await;
    rows[0].try_get("", "n").expect("n")
}

#[tokio::test]
async fn with_redis_gone_rest_and_same_instance_websockets_keep_working() {
    let Some(redis_url) = redis_or_skip("with_redis_gone_rest_and_same_instance…") else {
        return;
    };
    let proxy = FaultProxy::start(socket_address(&redis_url)).await;
    let proxied_url = proxy.in_front_of(&redis_url);
    let db = TestDb::create().await;
    let app = start(db, tempfile::tempdir().unwrap(), |config| {
        config.redis_url = Some(proxied_url);
        // Only the Redis doorbell or the same-instance wake-up can deliver promptly.
        config.realtime.poll_interval = Duration::from_secs(60);
    })
    .await;
    let shop = app.shop(&[10_000]).await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 1}]});
    let health = expect_json(app.get("/health", None).await, StatusCode::OK).await;
    assert_eq!(health["redis"], "ok");
    let mut socket = app.ws(&format!("token={}", shop.owner)).await.unwrap();

    proxy.cut();
    let health = expect_json(
        app.get("/health", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(health["redis"], "down");
    assert_eq!(health["database"], "ok");
    for _ in 0..3 {
        let order = app.order(&shop.owner, &body).await;
        let sent = Instant::now();
        assert!(wait_for_order(&mut socket, &order["id"]).await);
        // Well inside the 60 s poll: the local wake-up does not need Redis.
        assert!(sent.elapsed() < Duration::from_secs(2));
    }

    proxy.restore();
    let deadline = Instant::now() + WAIT;
    loop {
        let response = app.get("/health", None).await;
        if response.status() == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/health stays down after Redis is back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let order = app.order(&shop.owner, &body).await;
    assert!(wait_for_order(&mut socket, &order["id"]).await);
}
