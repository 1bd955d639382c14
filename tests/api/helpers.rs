//! `spawn_app()`: the real application on a random loopback port with its own database —
//! a SQLite file in a temp folder, or a fresh PostgreSQL database when
//! `KEDAI_TEST_DATABASE_URL` is set (dropped when the test ends).

use std::{path::PathBuf, time::Duration};

use kedai::{auth::Role, startup, Config};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

pub const OWNER: (&str, &str) = ("owner", "owner-password");
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// Set by `.ci/run`: tests that need a service or browser fail instead of skipping.
pub fn require_all() -> bool {
    std::env::var("KEDAI_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

pub fn test_database_url() -> Option<String> {
    std::env::var("KEDAI_TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

pub fn test_redis_url() -> Option<String> {
    std::env::var("KEDAI_TEST_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// `service` when it is configured; otherwise skips the test (`None`) with a notice — unless
/// the run requires every service, then the test fails.
pub fn or_skip<T>(test: &str, needs: &str, service: Option<T>) -> Option<T> {
    if service.is_none() {
        if require_all() {
            panic!("{test}: {needs} is required (KEDAI_TEST_REQUIRE_ALL=1)");
        }
        eprintln!("skipping {test}: set {needs} to run it");
    }
    service
}

pub fn postgres_or_skip(test: &str) -> Option<String> {
    or_skip(test, "KEDAI_TEST_DATABASE_URL", test_database_url())
}

pub fn redis_or_skip(test: &str) -> Option<String> {
    or_skip(test, "KEDAI_TEST_REDIS_URL", test_redis_url())
}

/// A database for one test.
pub struct TestDb {
    pub url: String,
    /// (admin URL, database name) on PostgreSQL, dropped on `Drop`.
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn create() -> TestDb {
        match test_database_url() {
            Some(admin_url) => {
                let name = format!("kedai_test_{}", Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(admin_url.as_str())
                    .await
                    .expect("connect to KEDAI_TEST_DATABASE_URL");
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                TestDb {
                    url: with_database(&admin_url, &name),
                    postgres: Some((admin_url, name)),
                    _dir: None,
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                TestDb {
                    url: format!("sqlite://{}/kedai.db?mode=rwc", dir.path().display()),
                    postgres: None,
                    _dir: Some(dir),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    use sea_orm::ConnectionTrait;
                    let admin = sea_orm::Database::connect(admin_url.as_str()).await.ok()?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// `postgres://u@h:5432/db?x` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: reqwest::Client,
    pub config: Config,
    server: tokio::task::JoinHandle<()>,
    // Declared last: dropped after the server task is aborted.
    pub db: TestDb,
    pub data_dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn test_config(db_url: &str, data_dir: PathBuf, port: u16) -> Config {
    Config {
        bind: format!("127.0.0.1:{port}").parse().expect("bind"),
        database_url: db_url.to_owned(),
        redis_url: test_redis_url(),
        data_dir,
        jwt_secret: Some(JWT_SECRET.to_owned()),
        metrics_token: None,
        backup_every: None,
        backup_keep: 3,
        group_commit: kedai::db::GROUP_COMMIT_MAX,
        db_connections: kedai::db::PG_CONNECTIONS,
        public_url: Some(format!("http://127.0.0.1:{port}")),
        token_ttl: Duration::from_secs(3600),
        trusted_proxies: Vec::new(),
        realtime: Default::default(),
        limits: Default::default(),
        print: Default::default(),
        connections: Default::default(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, letting the test adjust the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::create().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    start(db, data_dir, adjust).await
}

/// Starts the application on an existing database and data folder (a restart).
pub async fn start(
    db: TestDb,
    data_dir: tempfile::TempDir,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("tcp").port();
    let mut config = test_config(&db.url, data_dir.path().to_path_buf(), port);
    adjust(&mut config);
    let app = startup::build(config.clone()).await.expect("build app");
    let limits = config.connections.clone();
    let server = tokio::spawn(kedai::server::run(
        listener,
        app.endpoint,
        limits,
        std::future::pending(),
        Duration::ZERO,
    ));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        config,
        server,
        db,
        data_dir,
    }
}

impl TestApp {
    /// Stops this instance, keeping its database and data folder, and starts a new one on them.
    pub async fn restart(mut self) -> TestApp {
        self.server.abort();
        let server = std::mem::replace(&mut self.server, tokio::spawn(async {}));
        let _ = server.await;
        // Move the database and folder out without running `Drop` on them.
        let db = std::mem::replace(
            &mut self.db,
            TestDb {
                url: String::new(),
                postgres: None,
                _dir: None,
            },
        );
        let data_dir =
            std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("temp dir"));
        let jwt_secret = self.config.jwt_secret.clone();
        start(db, data_dir, move |config| config.jwt_secret = jwt_secret).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.address, path)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        self.request(Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .post(
                "/auth/login",
                None,
                &json!({"username": username, "password": password}),
            )
            .await;
        let body = expect_json(response, StatusCode::OK).await;
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// Registers the first account (the OWNER) and signs it in.
    pub async fn owner_token(&self) -> String {
        let response = self
            .post(
                "/auth/register",
                None,
                &json!({"username": OWNER.0, "password": OWNER.1}),
            )
            .await;
        expect_json(response, StatusCode::CREATED).await;
        self.login(OWNER.0, OWNER.1).await
    }

    pub async fn create_outlet(&self, token: &str, name: &str) -> Uuid {
        let response = self
            .post("/outlets", Some(token), &json!({"name": name}))
            .await;
        id_of(&expect_json(response, StatusCode::CREATED).await)
    }

    /// Creates an account with `token` and returns its id.
    pub async fn create_user(
        &self,
        token: &str,
        username: &str,
        role: Role,
        outlet_id: Option<Uuid>,
    ) -> Uuid {
        let response = self
            .post(
                "/auth/register",
                Some(token),
                &json!({"username": username, "password": format!("{username}-password"), "role": role.as_str(), "outlet_id": outlet_id}),
            )
            .await;
        id_of(&expect_json(response, StatusCode::CREATED).await)
    }

    /// A signed-in account of `role` at `outlet_id` (created by the owner). Returns (id, token).
    pub async fn staff(
        &self,
        owner_token: &str,
        username: &str,
        role: Role,
        outlet_id: Uuid,
    ) -> (Uuid, String) {
        let outlet = (role != Role::Owner).then_some(outlet_id);
        let id = self.create_user(owner_token, username, role, outlet).await;
        (
            id,
            self.login(username, &format!("{username}-password")).await,
        )
    }
}

pub fn id_of(body: &Value) -> Uuid {
    body["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("id in body")
}

/// Asserts the status and returns the JSON body.
pub async fn expect_json(response: reqwest::Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts an RFC 9457 problem with this status and code; returns it.
pub async fn expect_problem(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], status.as_u16(), "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    for field in ["type", "title", "detail"] {
        assert!(body[field].is_string(), "problem lacks {field}: {body}");
    }
    body
}

/// A small restaurant: an owner, one outlet, one table and products at the given prices.
pub struct Shop {
    pub owner: String,
    pub outlet: Uuid,
    pub table: Uuid,
    pub qr_slug: String,
    pub products: Vec<Uuid>,
}

impl TestApp {
    pub async fn shop(&self, prices: &[i64]) -> Shop {
        let owner = self.owner_token().await;
        let outlet = self.create_outlet(&owner, "Pusat").await;
        let (table, qr_slug) = self.create_table(&owner, outlet, "Meja 1").await;
        let mut products = Vec::new();
        for (i, price) in prices.iter().enumerate() {
            products.push(
                self.create_product(&owner, outlet, &format!("Dish {i}"), *price)
                    .await,
            );
        }
        Shop {
            owner,
            outlet,
            table,
            qr_slug,
            products,
        }
    }

    /// Returns (id, qr_slug).
    pub async fn create_table(&self, token: &str, outlet: Uuid, name: &str) -> (Uuid, String) {
        let response = self
            .post(
                &format!("/outlets/{outlet}/tables"),
                Some(token),
                &json!({"name": name}),
            )
            .await;
        let table = expect_json(response, StatusCode::CREATED).await;
        (
            id_of(&table),
            table["qr_slug"].as_str().expect("qr_slug").to_owned(),
        )
    }

    pub async fn create_category(&self, token: &str, outlet: Uuid, name: &str, sort: i32) -> Uuid {
        let body = json!({"name": name, "sort": sort});
        let response = self
            .post(&format!("/outlets/{outlet}/categories"), Some(token), &body)
            .await;
        id_of(&expect_json(response, StatusCode::CREATED).await)
    }

    pub async fn create_product(&self, token: &str, outlet: Uuid, name: &str, price: i64) -> Uuid {
        let body = json!({"name": name, "price": price});
        let response = self
            .post(&format!("/outlets/{outlet}/products"), Some(token), &body)
            .await;
        id_of(&expect_json(response, StatusCode::CREATED).await)
    }

    /// Opens the table; returns the session (with its guest `token`).
    pub async fn open_table(&self, token: &str, table: Uuid) -> Value {
        let response = self
            .post("/table-sessions", Some(token), &json!({"table_id": table}))
            .await;
        let status = response.status();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "open table: {status}"
        );
        response.json().await.expect("session JSON")
    }

    /// Places an order and expects 201.
    pub async fn order(&self, token: &str, body: &Value) -> Value {
        expect_json(
            self.post("/orders", Some(token), body).await,
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn set_status(&self, token: &str, order: &str, body: &Value) -> reqwest::Response {
        self.patch(&format!("/orders/{order}/status"), Some(token), body)
            .await
    }

    /// The kinds of the outbox events written so far, oldest first, menu changes left out
    /// (read from the database: they must be recorded with each change).
    pub async fn event_kinds(&self) -> Vec<String> {
        self.events_logged().await;
        self.query_db("SELECT kind FROM events WHERE kind <> 'PRODUCT_UPDATED' ORDER BY id")
            .await
            .iter()
            .map(|r| r.try_get::<String>("", "kind").expect("kind"))
            .collect()
    }

    /// Waits (up to 2 s) until every committed event is in the log: on PostgreSQL the relay
    /// moves them from the outbox shortly after their commit.
    pub async fn events_logged(&self) {
        if !self.db.url.starts_with("postgres") {
            return;
        }
        for _ in 0..100 {
            if self
                .query_db("SELECT id FROM event_outbox")
                .await
                .is_empty()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("events stay in the outbox");
    }

    /// The rows of `sql`, read straight from this test's database.
    pub async fn query_db(&self, sql: &str) -> Vec<sea_orm::QueryResult> {
        use sea_orm::{ConnectionTrait, Statement};
        let conn = sea_orm::Database::connect(self.db.url.as_str())
            .await
            .expect("connect");
        let rows = conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("query");
        conn.close().await.ok();
        rows
    }
}

/// A WebSocket client of `/api/v1/ws`.
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// How a socket ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum WsEnd {
    Closed(u16),
    Dropped,
}

impl TestApp {
    /// Connects with `query` (e.g. `token=…&since=3`); the HTTP status on refusal.
    pub async fn ws(&self, query: &str) -> Result<WsClient, u16> {
        let url = format!(
            "{}/api/v1/ws?{query}",
            self.address.replace("http://", "ws://")
        );
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => Ok(WsClient { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(other) => panic!("websocket connect failed: {other}"),
        }
    }
}

impl WsClient {
    /// The next JSON frame within `wait`, skipping pings and pongs.
    pub async fn next_frame(&mut self, wait: Duration) -> Option<Value> {
        use futures::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match message.ok()? {
                Message::Text(text) => {
                    return Some(serde_json::from_str(&text).expect("JSON frame"))
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next frame of this type, skipping others — e.g. the menu changes of a test's setup,
    /// which the relay may still be delivering when the socket connects.
    pub async fn next_of(&mut self, kind: &str, wait: Duration) -> Option<Value> {
        loop {
            let frame = self.next_frame(wait).await?;
            if frame["type"] == kind {
                return Some(frame);
            }
        }
    }

    /// `count` frames of this type, each within `wait` of the previous one.
    pub async fn frames_of(&mut self, kind: &str, count: usize, wait: Duration) -> Vec<Value> {
        let mut frames = Vec::with_capacity(count);
        while frames.len() < count {
            match self.next_of(kind, wait).await {
                Some(frame) => frames.push(frame),
                None => panic!("got {} of {count} {kind} frames: {frames:?}", frames.len()),
            }
        }
        frames
    }

    /// Reads until the server ends the socket (or `wait` passes).
    pub async fn end(&mut self, wait: Duration) -> Option<WsEnd> {
        use futures::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => return Some(WsEnd::Dropped),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Some(WsEnd::Closed(frame.map_or(1005, |f| u16::from(f.code))))
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn send_text(&mut self, text: String) -> bool {
        use futures::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::text(text))
            .await
            .is_ok()
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// A second server process' worth of application on `app`'s database (a scaled-out chain),
/// sharing its JWT secret.
/// Two instances on one database, for "changed on A, seen on B within a second". With Redis
/// their poll interval is 60 s, so only the Redis notice can tell B in time; without, 500 ms.
pub async fn spawn_two_instances() -> (TestApp, TestApp) {
    let poll = if test_redis_url().is_some() {
        Duration::from_secs(60)
    } else {
        Duration::from_millis(500)
    };
    let a = spawn_app_with(|config| config.realtime.poll_interval = poll).await;
    let b = spawn_second_instance(&a, |config| config.realtime.poll_interval = poll).await;
    (a, b)
}

pub async fn spawn_second_instance(app: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let shared = TestDb {
        url: app.db.url.clone(),
        postgres: None,
        _dir: None,
    };
    start(shared, tempfile::tempdir().expect("temp dir"), adjust).await
}

/// A `width`×`height` colour gradient encoded as `format` (a dish photo to upload).
pub fn gradient_image(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

impl TestApp {
    /// `PUT /products/{id}/image` with `body` as the photo file.
    pub async fn upload_photo(
        &self,
        token: &str,
        product: Uuid,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.request(
            Method::PUT,
            &format!("/products/{product}/image"),
            Some(token),
        )
        .header("content-type", "image/jpeg")
        .body(body)
        .send()
        .await
        .unwrap()
    }
}
