//! The `kedai` binary as a shop owner runs it: default SQLite, CLI commands, exit codes.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use reqwest::StatusCode;

use crate::helpers::{postgres_or_skip, TestDb};

const CONFIG_VARS: [&str; 10] = [
    "KEDAI_METRICS_TOKEN",
    "KEDAI_LOG_FORMAT",
    "KEDAI_BIND",
    "DATABASE_URL",
    "REDIS_URL",
    "KEDAI_DATA_DIR",
    "KEDAI_JWT_SECRET",
    "KEDAI_PUBLIC_URL",
    "KEDAI_TOKEN_TTL",
    "KEDAI_TRUSTED_PROXIES",
];

fn kedai(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kedai"));
    command.current_dir(dir).env("RUST_LOG", "info");
    for var in CONFIG_VARS {
        command.env_remove(var);
    }
    command
}

/// A running server process, stopped with SIGTERM (or killed) when dropped.
struct Server {
    child: Child,
    address: String,
    /// What it has written to stderr since starting.
    log: mpsc::Receiver<String>,
    started: Vec<String>,
}

impl Server {
    fn start(mut command: Command) -> Server {
        command
            .env("KEDAI_BIND", "127.0.0.1:0")
            .env("KEDAI_PUBLIC_URL", "http://127.0.0.1:9")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = command.spawn().expect("start kedai");
        let (tx, rx) = mpsc::channel();
        // Owned by `Server` from here on, so its `Drop` reaps the process on every path.
        let mut server = Server {
            child,
            address: String::new(),
            log: rx,
            started: Vec::new(),
        };
        let stderr = server.child.stderr.take().expect("stderr");
        // Reads to the end even after nobody listens, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        while let Ok(line) = server.log.recv_timeout(Duration::from_secs(60)) {
            // `Starting server on 127.0.0.1:PORT`, as text or inside a JSON log line.
            let address = line.split("Starting server on ").nth(1).map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || ".:[]".contains(*c))
                    .collect::<String>()
            });
            if let Some(address) = address {
                server.address = format!("http://{address}");
            }
            server.started.push(line);
            if !server.address.is_empty() {
                return server;
            }
        }
        panic!(
            "server did not start; it said:\n{}",
            server.started.join("\n")
        );
    }

    /// Every line it logged, once it has stopped.
    fn log_lines(mut self) -> Vec<String> {
        let mut lines = std::mem::take(&mut self.started);
        while let Ok(line) = self.log.recv_timeout(Duration::from_secs(5)) {
            lines.push(line);
        }
        lines
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..150 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("server did not stop within 15 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn ping(address: &str) -> StatusCode {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    client
        .get(format!("{address}/api/v1/ping"))
        .send()
        .await
        .expect("ping")
        .status()
}

#[tokio::test]
async fn a_fresh_start_serves_on_embedded_sqlite_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(kedai(dir.path()));
    assert_eq!(ping(&server.address).await, StatusCode::OK);
    assert!(
        dir.path().join("kedai-data/kedai.db").exists(),
        "database created in ./kedai-data"
    );
    assert!(dir.path().join("kedai-data/jwt-secret").exists());
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM should be a clean shutdown, got {status}"
    );
}

#[tokio::test]
async fn the_same_binary_runs_on_postgresql() {
    let Some(_) = postgres_or_skip("the_same_binary_runs_on_postgresql") else {
        return;
    };
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = kedai(dir.path());
    command.env("DATABASE_URL", &db.url);
    let mut server = Server::start(command);
    assert_eq!(ping(&server.address).await, StatusCode::OK);
    assert!(
        !dir.path().join("kedai-data/kedai.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM should be a clean shutdown, got {status}"
    );
}

#[test]
fn bad_configuration_is_one_line_naming_the_variable_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("KEDAI_BIND", "not-an-address"),
        ("DATABASE_URL", "mysql://somewhere/db"),
        ("KEDAI_TOKEN_TTL", "forever"),
        ("KEDAI_JWT_SECRET", "too-short"),
        ("KEDAI_PUBLIC_URL", "localhost:8080"),
        ("REDIS_URL", "not a url"),
        ("KEDAI_METRICS_TOKEN", "short"),
    ] {
        let output = kedai(dir.path()).env(var, value).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{var}: {stderr}");
        assert!(stderr.contains(var), "{var}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if var == "DATABASE_URL" {
            assert!(
                !stderr.contains("somewhere"),
                "the URL may hold a password: {stderr}"
            );
        }
    }
}

#[test]
fn openapi_command_prints_the_committed_spec() {
    let dir = tempfile::tempdir().unwrap();
    let output = kedai(dir.path()).arg("openapi").output().unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let committed: serde_json::Value = crate::openapi::committed_spec();
    assert!(
        printed == committed,
        "run `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn migrate_and_user_create_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let status = kedai(dir.path())
        .args(["migrate", "status"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("Pending"));

    assert!(kedai(dir.path())
        .args(["migrate", "up"])
        .status()
        .unwrap()
        .success());
    let status = kedai(dir.path())
        .args(["migrate", "status"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&status.stdout);
    assert!(
        listed.contains("Applied") && !listed.contains("Pending"),
        "{listed}"
    );

    let refused = kedai(dir.path())
        .args(["migrate", "fresh"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "fresh needs --yes");

    let mut child = kedai(dir.path())
        .args(["user", "create", "--username", "Boss", "--role", "owner"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"owner-password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("created OWNER boss"));

    let unknown = kedai(dir.path())
        .args(["user", "create", "--username", "x", "--role", "chef"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[tokio::test]
async fn the_demo_loads_once_and_its_accounts_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let output = kedai(dir.path())
        .arg("demo")
        .env("KEDAI_PUBLIC_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(printed.contains("8 tables, 20 products"), "{printed}");
    let kasir_password = printed
        .lines()
        .find_map(|line| line.strip_prefix("KASIR"))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .expect("a KASIR line with a password")
        .to_owned();

    let again = kedai(dir.path()).arg("demo").output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has data"));

    let server = Server::start(kedai(dir.path()));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let login = client
        .post(format!("{}/api/v1/auth/login", server.address))
        .json(&serde_json::json!({"username": "kasir", "password": kasir_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let menu: serde_json::Value = client
        .get(format!("{}/api/v1/menu", server.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(menu["categories"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn backup_copies_the_live_database_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(kedai(dir.path()));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    register_boss(&client, &server).await;

    // While the server runs.
    let output = kedai(dir.path())
        .args(["backup", "copy.db"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let again = kedai(dir.path())
        .args(["backup", "copy.db"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "never overwrites");
    drop(server);
    assert_private(&dir.path().join("copy.db"), 0o600);

    // Restore: a fresh data folder whose kedai.db is the copy.
    let restored = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(restored.path().join("kedai-data")).unwrap();
    std::fs::copy(
        dir.path().join("copy.db"),
        restored.path().join("kedai-data/kedai.db"),
    )
    .unwrap();
    let server = Server::start(kedai(restored.path()));
    let login = client
        .post(format!("{}/api/v1/auth/login", server.address))
        .json(&serde_json::json!({"username": "boss", "password": "boss-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        StatusCode::OK,
        "the account came back with the copy"
    );
}

/// Orders placed with Idempotency-Keys while the server is killed with SIGKILL: after a restart
/// every acknowledged order is there, whole, and retrying the rest creates each exactly once.
async fn crash_keeps_every_acknowledged_order(database_url: Option<&str>) {
    use serde_json::{json, Value};
    let dir = tempfile::tempdir().unwrap();
    let command = |dir: &Path| {
        let mut command = kedai(dir);
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        command
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut server = Server::start(command(dir.path()));
    let api = format!("{}/api/v1", server.address);
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = client.post(format!("{api}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    post(
        "/auth/register",
        None,
        json!({"username": "boss", "password": "boss-password"}),
    )
    .await
    .unwrap();
    let login: Value = post(
        "/auth/login",
        None,
        json!({"username": "boss", "password": "boss-password"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let outlet: Value = post(
        "/outlets",
        Some(&token),
        json!({"name": "Pusat", "tax_bp": 1000}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let outlet = outlet["id"].as_str().unwrap().to_owned();
    let product: Value = post(
        &format!("/outlets/{outlet}/products"),
        Some(&token),
        json!({"name": "Nasi", "price": 12_500}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let body =
        json!({"outlet_id": outlet, "items": [{"product_id": product["id"], "quantity": 2}]});

    // Four cashiers ordering as fast as they can (bounded), until the power goes.
    let place = |key: String| {
        client
            .post(format!("{api}/orders"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let cashiers = (0..4).map(|c| {
        let place = &place;
        async move {
            let mut attempts: Vec<(String, Option<String>)> = Vec::new();
            for i in 0..300 {
                let key = format!("crash-{c}-{i}");
                let acknowledged = match place(key.clone()).await {
                    Ok(response) if response.status() == StatusCode::CREATED => response
                        .json::<Value>()
                        .await
                        .ok()
                        .and_then(|o| o["id"].as_str().map(str::to_owned)),
                    _ => None,
                };
                let failed = acknowledged.is_none();
                attempts.push((key, acknowledged));
                if failed {
                    break; // the server is gone
                }
            }
            attempts
        }
    });
    let kill = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = server.child.kill(); // SIGKILL: no shutdown, no flush
        let _ = server.child.wait();
    };
    let (attempts, ()) = tokio::join!(futures::future::join_all(cashiers), kill);
    let attempts: Vec<(String, Option<String>)> = attempts.into_iter().flatten().collect();
    let acknowledged = attempts.iter().filter(|(_, id)| id.is_some()).count();
    assert!(
        acknowledged > 0,
        "some orders were acknowledged before the kill"
    );
    eprintln!(
        "{acknowledged} of {} orders acknowledged before SIGKILL",
        attempts.len()
    );

    let server = Server::start(command(dir.path()));
    let api = format!("{}/api/v1", server.address);
    for (_, id) in attempts.iter().filter(|(_, id)| id.is_some()) {
        let order: Value = client
            .get(format!("{api}/orders/{}", id.as_ref().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(order["items"].as_array().map(Vec::len), Some(1), "{order}");
        assert_eq!(order["subtotal"], 25_000);
        assert_eq!(order["total_amount"], 27_500);
    }
    // Retrying every attempt with its key: acknowledged ones answer with the same order,
    // the others are created now — each once.
    for (key, id) in &attempts {
        let response = client
            .post(format!("{api}/orders"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let order: Value = response.json().await.unwrap();
        if let Some(id) = id {
            assert_eq!(
                order["id"].as_str(),
                Some(id.as_str()),
                "a retry of {key} replays"
            );
        }
    }
    let listed: Value = client
        .get(format!("{api}/orders?limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut count = listed["items"].as_array().unwrap().len();
    let mut cursor = listed["next_cursor"].as_str().map(str::to_owned);
    while let Some(next) = cursor {
        let page: Value = client
            .get(format!("{api}/orders?limit=200&cursor={next}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        count += page["items"].as_array().unwrap().len();
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(
        count,
        attempts.len(),
        "one order per key, {acknowledged} acknowledged before the kill"
    );
}

#[tokio::test]
async fn a_kill_9_loses_no_acknowledged_order_on_sqlite() {
    crash_keeps_every_acknowledged_order(None).await;
}

#[tokio::test]
async fn a_kill_9_loses_no_acknowledged_order_on_postgresql() {
    if postgres_or_skip("a_kill_9_loses_no_acknowledged_order_on_postgresql").is_none() {
        return;
    }
    let db = TestDb::create().await;
    crash_keeps_every_acknowledged_order(Some(&db.url)).await;
}

/// Creates the first account, `boss`, on a fresh server.
async fn register_boss(client: &reqwest::Client, server: &Server) {
    let register = client
        .post(format!("{}/api/v1/auth/register", server.address))
        .json(&serde_json::json!({"username": "boss", "password": "boss-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), StatusCode::CREATED);
}

/// The mode bits of `path` (Unix), asserted.
fn assert_private(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let found = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(found, mode, "{} is {found:o}", path.display());
    }
}

/// The data folder holds password hashes, guest tokens and the token secret: only the user
/// running Kedai may read it, on a fresh install and after an older one that left it open.
#[tokio::test]
async fn the_data_folder_and_every_file_in_it_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kedai-data");
    #[cfg(unix)]
    {
        // An older install: folder 0755, database 0644.
        use std::os::unix::fs::PermissionsExt;
        let old = tempfile::tempdir().unwrap();
        let old_data = old.path().join("kedai-data");
        drop(Server::start(kedai(old.path())));
        std::fs::set_permissions(&old_data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(
            old_data.join("kedai.db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        drop(Server::start(kedai(old.path())));
        assert_private(&old_data, 0o700);
        assert_private(&old_data.join("kedai.db"), 0o600);
    }

    let server = Server::start(kedai(dir.path()));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    register_boss(&client, &server).await;
    assert_private(&data, 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        assert_private(&entry.unwrap().path(), 0o600);
        files += 1;
    }
    assert!(
        data.join("kedai.db-wal").exists() && data.join("jwt-secret").exists(),
        "the database, its WAL and the secret are among the {files} files"
    );
}

/// Kitchen tickets queued while the printer is off survive a SIGKILL of the server: after a
/// restart every one prints, in order.
#[tokio::test]
async fn queued_tickets_print_after_a_kill_9_and_restart() {
    use crate::fake_printer::{text_of, Behaviour, FakePrinter};
    use serde_json::{json, Value};
    let dir = tempfile::tempdir().unwrap();
    let mut printer = FakePrinter::start().await;
    printer.set(Behaviour::Refuse).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut server = Server::start(kedai(dir.path()));
    register_boss(&client, &server).await;
    let api = format!("{}/api/v1", server.address);
    let login: Value = client
        .post(format!("{api}/auth/login"))
        .json(&json!({"username": "boss", "password": "boss-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let post = |path: String, body: Value| {
        client
            .post(format!("{api}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let created = |response: reqwest::Response| async move {
        assert!(response.status().is_success(), "{}", response.status());
        response.json::<Value>().await.unwrap()
    };
    let outlet = created(
        post("/outlets".into(), json!({"name": "Pusat"}))
            .await
            .unwrap(),
    )
    .await;
    let outlet = outlet["id"].as_str().unwrap().to_owned();
    let product = created(
        post(
            format!("/outlets/{outlet}/products"),
            json!({"name": "Nasi", "price": 12_500}),
        )
        .await
        .unwrap(),
    )
    .await;
    let dapur = json!({"name": "Dapur", "kind": "KITCHEN", "address": printer.address()});
    created(
        post(format!("/outlets/{outlet}/printers"), dapur)
            .await
            .unwrap(),
    )
    .await;
    let mut numbers = Vec::new();
    for _ in 0..5 {
        let body =
            json!({"outlet_id": outlet, "items": [{"product_id": product["id"], "quantity": 1}]});
        let order = created(post("/orders".into(), body).await.unwrap()).await;
        numbers.push(order["number"].as_i64().unwrap());
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _ = server.child.kill(); // SIGKILL, with five tickets waiting for the printer
    let _ = server.child.wait();
    assert!(printer.jobs().is_empty());

    printer.set(Behaviour::Print).await;
    let _server = Server::start(kedai(dir.path()));
    let printed = printer.wait_for_jobs(5, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(printer.jobs().len(), 5, "each queued ticket once");
    let printed: Vec<i64> = printed
        .iter()
        .map(|job| {
            let text = text_of(job);
            let after = text.split('#').nth(1).unwrap();
            after.split_whitespace().next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(printed, numbers, "in the order they were taken");
}

/// Runs sign-ins (right and wrong), PINs, a device enrolment, an approval and a socket with
/// its token in the query at debug level, and finds none of the secrets in any log line or
/// in the audit log.
#[tokio::test]
async fn no_password_pin_or_token_reaches_the_log_or_the_audit_log() {
    use serde_json::{json, Value};
    let dir = tempfile::tempdir().unwrap();
    let mut command = kedai(dir.path());
    command.env("RUST_LOG", "debug");
    let mut server = Server::start(command);
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let api = format!("{}/api/v1", server.address);
    let call = |method: reqwest::Method, path: &str, token: Option<&str>, body: Value| {
        let mut request = client.request(method, format!("{api}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let json_of = |response: reqwest::Response| async move {
        assert!(response.status().is_success(), "{}", response.status());
        response.json::<Value>().await.unwrap_or(Value::Null)
    };
    use reqwest::Method;
    let owner_password = "Owner-Secret-4417";
    let register = json!({"username": "boss", "password": owner_password});
    json_of(
        call(Method::POST, "/auth/register", None, register)
            .await
            .unwrap(),
    )
    .await;
    let wrong_password = "Wrong-Secret-9021";
    let wrong = json!({"username": "boss", "password": wrong_password});
    let refused = call(Method::POST, "/auth/login", None, wrong)
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let login = json!({"username": "boss", "password": owner_password});
    let login = json_of(
        call(Method::POST, "/auth/login", None, login)
            .await
            .unwrap(),
    )
    .await;
    let owner = login["access_token"].as_str().unwrap().to_owned();
    let outlet = json_of(
        call(
            Method::POST,
            "/outlets",
            Some(&owner),
            json!({"name": "Pusat"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let outlet = outlet["id"].as_str().unwrap().to_owned();
    let mut secrets = vec![owner_password.to_owned(), wrong_password.to_owned()];
    let mut users = Vec::new();
    for (name, role, pin) in [
        ("kasir", "KASIR", "482915"),
        ("manajer", "MANAGER", "735104"),
    ] {
        let password = format!("{name}-Secret-6613");
        let body = json!({"username": name, "password": password, "role": role,
                          "outlet_id": outlet});
        let user = json_of(
            call(Method::POST, "/auth/register", Some(&owner), body)
                .await
                .unwrap(),
        )
        .await;
        let path = format!("/users/{}/pin", user["id"].as_str().unwrap());
        let set = call(Method::PUT, &path, Some(&owner), json!({"pin": pin}));
        assert_eq!(set.await.unwrap().status(), StatusCode::NO_CONTENT);
        secrets.extend([password, pin.to_owned()]);
        users.push(user);
    }
    let path = format!("/outlets/{outlet}/devices");
    let enrolled = call(
        Method::POST,
        &path,
        Some(&owner),
        json!({"name": "Kasir depan"}),
    );
    let enrolled = json_of(enrolled.await.unwrap()).await;
    let device_secret = enrolled["device_secret"].as_str().unwrap().to_owned();
    let wrong_pin = "990011";
    let pin_login =
        |pin: &str| json!({"device_secret": device_secret, "username": "kasir", "pin": pin});
    let refused = call(Method::POST, "/auth/pin", None, pin_login(wrong_pin));
    assert_eq!(refused.await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let signed_in = call(Method::POST, "/auth/pin", None, pin_login("482915"));
    let kasir = json_of(signed_in.await.unwrap()).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let approve = json!({"action": "OPEN_DRAWER", "username": "manajer", "pin": "735104"});
    let approval = json_of(
        call(Method::POST, "/approvals", Some(&kasir), approve)
            .await
            .unwrap(),
    )
    .await["approval_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A token in a query string (as the WebSocket takes it) and a bad one in a header.
    let socket = client
        .get(format!("{api}/ws?token={kasir}"))
        .send()
        .await
        .unwrap();
    assert_ne!(socket.status(), StatusCode::OK);
    let bad = call(Method::GET, "/orders", Some(&approval), Value::Null)
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    secrets.extend([
        owner.clone(),
        kasir,
        device_secret.clone(),
        approval,
        wrong_pin.into(),
    ]);

    let audit = call(Method::GET, "/audit?limit=200", Some(&owner), Value::Null);
    let audit = audit.await.unwrap().text().await.unwrap();
    assert!(audit.contains("PIN_SIGN_IN_FAILED"), "{audit}");
    let status = server.terminate();
    assert!(status.success());
    let log = server.log_lines();
    assert!(log.len() > 20, "debug logging says more than that: {log:?}");
    for secret in &secrets {
        assert!(
            !audit.contains(secret.as_str()),
            "{secret} in the audit log"
        );
        for line in &log {
            assert!(!line.contains(secret.as_str()), "{secret} logged: {line}");
        }
    }
}

#[tokio::test]
async fn a_second_server_on_the_same_data_folder_exits_2_and_the_first_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let first = Server::start(kedai(dir.path()));
    let second = kedai(dir.path())
        .env("KEDAI_BIND", "127.0.0.1:0")
        .env("KEDAI_PUBLIC_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("already using the data folder ./kedai-data"),
        "{stderr}"
    );
    assert_eq!(ping(&first.address).await, StatusCode::OK);
    drop(first);

    // Once the first has gone (even killed), the folder is free again.
    let again = Server::start(kedai(dir.path()));
    assert_eq!(ping(&again.address).await, StatusCode::OK);
}

#[tokio::test]
async fn json_log_lines_parse_and_carry_no_password_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = kedai(dir.path());
    command
        .env("KEDAI_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug");
    let mut server = Server::start(command);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    register_boss(&client, &server).await;
    let login = |password: &'static str| {
        client
            .post(format!("{}/api/v1/auth/login", server.address))
            .json(&serde_json::json!({"username": "boss", "password": password}))
            .send()
    };
    assert_eq!(
        login("Wrong-Secret-1234").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let token = login("boss-password").await.unwrap();
    let token: serde_json::Value = token.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let me = client
        .get(format!("{}/api/v1/auth/me", server.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert!(server.terminate().success());
    let log = server.log_lines();
    assert!(log.len() > 5, "{log:?}");
    for line in &log {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(parsed["level"].is_string(), "{line}");
        assert!(parsed["fields"].is_object(), "{line}");
        for secret in ["boss-password", "Wrong-Secret-1234", token.as_str()] {
            assert!(!line.contains(secret), "{secret} logged: {line}");
        }
    }
    assert!(
        log.iter().any(|l| l.contains("Starting server on")),
        "{log:?}"
    );
}

/// Signs in as boss (see `register_boss`) and returns an API caller for the server.
async fn boss_token(client: &reqwest::Client, server: &Server) -> String {
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", server.address))
        .json(&serde_json::json!({"username": "boss", "password": "boss-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_owned()
}

/// An outlet with one dish; returns (outlet, product).
async fn small_menu(client: &reqwest::Client, server: &Server, token: &str) -> (String, String) {
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{}/api/v1{path}", server.address))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let outlet: serde_json::Value = post("/outlets", serde_json::json!({"name": "Pusat"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outlet = outlet["id"].as_str().unwrap().to_owned();
    let dish = serde_json::json!({"name": "Nasi Goreng", "price": 25_000});
    let product: serde_json::Value = post(&format!("/outlets/{outlet}/products"), dish)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (outlet, product["id"].as_str().unwrap().to_owned())
}

async fn place_order(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    menu: &(String, String),
) {
    let body =
        serde_json::json!({"outlet_id": menu.0, "items": [{"product_id": menu.1, "quantity": 1}]});
    let placed = client
        .post(format!("{}/api/v1/orders", server.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
}

async fn order_count(client: &reqwest::Client, server: &Server, token: &str) -> usize {
    let orders: serde_json::Value = client
        .get(format!("{}/api/v1/orders?limit=100", server.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    orders["items"].as_array().unwrap().len()
}

fn backup_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("kedai-data/backups"))
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "db"));
    files.sort();
    files
}

#[tokio::test]
async fn scheduled_backups_keep_three_verified_and_report_a_corrupt_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = kedai(dir.path());
    command
        .env("KEDAI_BACKUP_EVERY", "2s")
        .env("KEDAI_BACKUP_KEEP", "3");
    let server = Server::start(command);
    // A new connection each time: one idle through the waits below may be closed by then.
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    register_boss(&client, &server).await;
    let health = || async {
        let health: serde_json::Value = client
            .get(format!("{}/api/v1/health", server.address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        health
    };
    assert_eq!(health().await["backup"], "pending");

    tokio::time::sleep(Duration::from_secs(10)).await;
    let files = backup_files(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let now = health().await;
    assert_eq!(now["backup"], "ok", "{now}");
    assert!(
        now["last_backup_age_seconds"].as_i64().unwrap() <= 3,
        "{now}"
    );

    // A backup damaged on disk is reported and no longer counts as one of the three.
    let damaged = &files[2];
    let mut bytes = std::fs::read(damaged).unwrap();
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    std::fs::write(damaged, bytes).unwrap();
    let listed = kedai(dir.path())
        .args(["backup", "--list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        !listed.status.success(),
        "a corrupt backup fails the listing: {text}"
    );
    let name = damaged.file_name().unwrap().to_str().unwrap();
    let line = text.lines().find(|l| l.contains(name)).unwrap();
    assert!(line.contains("CORRUPT"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.ends_with("  ok")).count(),
        2,
        "{text}"
    );

    // The next rounds make new backups until three verified ones stand beside it again (a
    // round takes longer when the machine is busy, so up to 30 s is waited for).
    let mut text = String::new();
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let listed = kedai(dir.path())
            .args(["backup", "--list"])
            .output()
            .unwrap();
        text = String::from_utf8_lossy(&listed.stdout).into_owned();
        if text.lines().filter(|l| l.ends_with("  ok")).count() >= 3 {
            break;
        }
    }
    assert_eq!(
        text.lines().filter(|l| l.ends_with("  ok")).count(),
        3,
        "{text}"
    );
    assert!(
        text.contains(name),
        "the damaged file is left for a person: {text}"
    );
}

#[tokio::test]
async fn restore_brings_back_exactly_the_backups_orders_and_refuses_while_serving() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(kedai(dir.path()));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    register_boss(&client, &server).await;
    let token = boss_token(&client, &server).await;
    let menu = small_menu(&client, &server, &token).await;
    for _ in 0..2 {
        place_order(&client, &server, &token, &menu).await;
    }
    let made = kedai(dir.path()).arg("backup").output().unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let backup = backup_files(dir.path()).pop().expect("a backup");
    place_order(&client, &server, &token, &menu).await;

    // While the server holds the folder: exit 2, nothing changed.
    let refused = kedai(dir.path())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop it before restoring"));
    assert_eq!(order_count(&client, &server, &token).await, 3);
    drop(server);

    // A file that is not a backup is refused too.
    std::fs::write(dir.path().join("notes.db"), "not a database").unwrap();
    let bad = kedai(dir.path())
        .args(["restore", "notes.db"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    let restored = kedai(dir.path())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&restored.stdout);
    assert!(
        restored.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(said.contains("kept as"), "{said}");
    let kept = std::fs::read_dir(dir.path().join("kedai-data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("kedai.db.replaced-"))
        .count();
    assert!(kept >= 1, "the replaced database stays beside it");

    let server = Server::start(kedai(dir.path()));
    let token = boss_token(&client, &server).await;
    assert_eq!(order_count(&client, &server, &token).await, 2);
}
