//! `kedai-bench reports`: a year of a busy shop (orders copied in the database), then the
//! time of `GET /reports/sales` over that year for every grouping.
//!
//! `kedai-bench logins`: server memory after many sign-ins.
//!
//! `kedai-bench ws`: starts a Kedai server on 127.0.0.1, connects N WebSocket clients, places
//! orders one after another and measures how long each NEW_ORDER frame takes to reach each
//! client (receipt time − the order's `created_at`; same machine, same clock).
//!
//! SQLite (default): a fresh database in a temporary data folder. PostgreSQL: create an empty
//! database first (`createdb -h 127.0.0.1 -U postgres kedai_bench`) and pass its URL with
//! `--database-url`; Redis with `--redis-url`.

use std::{
    collections::HashSet,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use futures_util::{future::join_all, SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
    sync::watch,
    task::JoinHandle,
    time::{sleep, timeout},
};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{protocol::WebSocketConfig, Message},
};

mod logins;
mod outlets;
mod reports;

const CONNECT_BATCH: usize = 200;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const START_TIMEOUT: Duration = Duration::from_secs(60);
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
const LISTENING: &str = "Starting server on ";

#[derive(Parser)]
#[command(name = "kedai-bench", about = "Benchmarks for the Kedai server")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Realtime delivery latency of NEW_ORDER frames to N WebSocket clients.
    Ws(WsArgs),
    /// Sales-report time over a year of orders (100 a day by default).
    Reports(ReportsArgs),
    /// Server memory after many sign-ins (argon2 working memory must be given back).
    Logins(LoginsArgs),
    /// Many outlets ordering at once against a running server (`bench/ratios.sh`).
    Outlets(OutletsArgs),
    /// Serve a bare poem "hello" route (the HTTP ceiling `bench/http.sh` compares against).
    Hello {
        #[arg(long, default_value = "127.0.0.1:0")]
        bind: std::net::SocketAddr,
    },
}

#[derive(clap::Args)]
struct WsArgs {
    /// Server binary [default: $CARGO_TARGET_DIR/release/kedai or <workspace>/target/release/kedai]
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Client counts to measure, one step each.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
    clients: Vec<usize>,
    /// Orders placed per step, one after another.
    #[arg(long, default_value_t = 200)]
    orders: usize,
    /// Pause after each order, in milliseconds.
    #[arg(long, default_value_t = 20)]
    interval_ms: u64,
    /// URL of an EMPTY PostgreSQL database (e.g. made with `createdb`) [default: SQLite]
    #[arg(long)]
    database_url: Option<String>,
    /// Redis URL for the server's realtime bus [default: none, in-process bus]
    #[arg(long)]
    redis_url: Option<String>,
}

#[derive(clap::Args)]
struct ReportsArgs {
    /// Server binary [default: as for `ws`]
    #[arg(long)]
    server_bin: Option<PathBuf>,
    #[arg(long, default_value_t = 365)]
    days: i64,
    #[arg(long, default_value_t = 100)]
    orders_per_day: i64,
    /// Requests per grouping.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// URL of an EMPTY PostgreSQL database [default: SQLite]
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(clap::Args)]
struct LoginsArgs {
    /// Server binary [default: as for `ws`]
    #[arg(long)]
    server_bin: Option<PathBuf>,
    #[arg(long, default_value_t = 1000)]
    logins: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

#[derive(clap::Args)]
struct OutletsArgs {
    /// Base URL of a running server (http://127.0.0.1:PORT).
    #[arg(long)]
    url: String,
    /// Bearer token of a user who may order at every outlet (an OWNER).
    #[arg(long)]
    token: String,
    /// File of `outlet_id product_id` lines, one connection each.
    #[arg(long)]
    targets: PathBuf,
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let result = match Cli::parse().command {
        Cmd::Ws(args) => ws_bench(args).await,
        Cmd::Reports(args) => reports::run(args).await,
        Cmd::Logins(args) => logins::run(args).await,
        Cmd::Outlets(args) => outlets::run(args).await,
        Cmd::Hello { bind } => hello(bind).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The same stack as Kedai (poem on tokio, default configuration) with nothing behind it.
async fn hello(bind: std::net::SocketAddr) -> Result<()> {
    use poem::{
        get, handler,
        listener::{Acceptor, Listener, TcpListener},
        Route, Server,
    };
    #[handler]
    fn hello() -> &'static str {
        "hello"
    }
    let acceptor = TcpListener::bind(bind).into_acceptor().await?;
    let address = acceptor.local_addr()[0].to_string();
    println!("{LISTENING}{}", address.trim_start_matches("socket://"));
    Server::new_with_acceptor(acceptor)
        .run(Route::new().at("/", get(hello)))
        .await?;
    Ok(())
}

async fn ws_bench(args: WsArgs) -> Result<()> {
    let bin = server_bin(args.server_bin.as_deref())?;
    let nofile = raise_nofile_limit()?;
    if let Some(&most) = args.clients.iter().max() {
        if most as u64 + 100 > nofile {
            eprintln!("warning: {most} clients need more than the open-file limit of {nofile}");
        }
    }
    let data_dir = scratch_dir()?;
    let started = Instant::now();
    let spawned = Server::spawn(
        &bin,
        &data_dir,
        args.database_url.as_deref(),
        args.redis_url.as_deref(),
    )
    .await;
    let result = match spawned {
        Ok(mut server) => {
            let result = run_steps(&mut server, &args, started).await;
            server.stop().await;
            result
        }
        Err(err) => Err(err),
    };
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

/// A fresh temporary data folder.
fn scratch_dir() -> Result<PathBuf> {
    let data_dir = std::env::temp_dir().join(format!(
        "kedai-bench-{}-{}",
        std::process::id(),
        Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    Ok(data_dir)
}

/// Waits for the first 200 from `/ping`; returns the time since `spawned`.
async fn wait_ready(api: &Api, spawned: Instant) -> Result<Duration> {
    loop {
        let ok = api.http.get(format!("{}/ping", api.base)).send().await;
        if ok.is_ok_and(|r| r.status().as_u16() == 200) {
            return Ok(spawned.elapsed());
        }
        if spawned.elapsed() > START_TIMEOUT {
            bail!("GET /ping did not answer 200 within {START_TIMEOUT:?}");
        }
        sleep(Duration::from_millis(5)).await;
    }
}

/// `--server-bin`, else the first of the default locations that exists.
fn server_bin(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = flag {
        if path.is_file() {
            return Ok(path.to_owned());
        }
        bail!("--server-bin {} does not exist", path.display());
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(dir).join("release/kedai"));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/kedai"));
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned))
    {
        candidates.push(dir.join("kedai"));
    }
    if let Some(found) = candidates.iter().find(|path| path.is_file()) {
        return Ok(found.clone());
    }
    let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "the server binary was not found (looked at {}); run `cargo build --release -p kedai` \
         first or pass --server-bin",
        looked.join(", ")
    )
}

/// Raises the soft open-file limit to the hard one (the server inherits it); returns it.
fn raise_nofile_limit() -> Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error()).context("getrlimit(RLIMIT_NOFILE)");
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid rlimit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(std::io::Error::last_os_error()).context("setrlimit(RLIMIT_NOFILE)");
        }
    }
    Ok(limit.rlim_cur)
}

struct Server {
    child: Child,
    pid: u32,
    addr: SocketAddr,
    stderr: JoinHandle<()>,
}

impl Server {
    /// Spawns the server and waits for its "Starting server on host:port" line.
    async fn spawn(
        bin: &Path,
        data_dir: &Path,
        database_url: Option<&str>,
        redis_url: Option<&str>,
    ) -> Result<Server> {
        let mut cmd = Command::new(bin);
        cmd.arg("serve").current_dir(data_dir);
        for (name, _) in std::env::vars_os() {
            let name_str = name.to_string_lossy();
            if name_str.starts_with("KEDAI_")
                || name_str == "DATABASE_URL"
                || name_str == "REDIS_URL"
            {
                cmd.env_remove(&name);
            }
        }
        cmd.env("KEDAI_BIND", "127.0.0.1:0")
            .env("KEDAI_PUBLIC_URL", "http://127.0.0.1:9")
            .env("KEDAI_DATA_DIR", data_dir)
            // Every bench client comes from 127.0.0.1: lift the per-device connection cap.
            .env("KEDAI_MAX_CONNECTIONS", "100000")
            .env("KEDAI_MAX_CONNECTIONS_PER_CLIENT", "100000")
            .env("RUST_LOG", "warn,kedai::startup=info");
        if let Some(url) = database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some(url) = redis_url {
            cmd.env("REDIS_URL", url);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let stderr = child.stderr.take().context("no stderr pipe")?;
        let mut lines = BufReader::new(stderr).split(b'\n');

        let mut seen = Vec::new();
        let addr = timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_segment().await? {
                let line = String::from_utf8_lossy(&line).into_owned();
                if let Some((_, rest)) = line.split_once(LISTENING) {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    return addr
                        .parse::<SocketAddr>()
                        .with_context(|| format!("cannot parse the address in {line:?}"));
                }
                seen.push(line);
            }
            Err(anyhow!("the server exited before listening"))
        })
        .await
        .unwrap_or_else(|_| {
            Err(anyhow!(
                "the server did not listen within {START_TIMEOUT:?}"
            ))
        })
        .map_err(|err| anyhow!("{err:#}; its output:\n{}", seen.join("\n")))?;

        let stderr = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_segment().await {
                eprintln!("  [server] {}", String::from_utf8_lossy(&line));
            }
        });
        Ok(Server {
            child,
            pid,
            addr,
            stderr,
        })
    }

    fn rss_mib(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("cannot read the server's /proc status")?;
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .context("no VmRSS in /proc status")?;
        Ok(kib / 1024.0)
    }

    /// SIGTERM, then SIGKILL if it has not exited in time.
    async fn stop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.pid) {
            // SAFETY: plain syscall; the pid is our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        if timeout(STOP_TIMEOUT, self.child.wait()).await.is_err() {
            eprintln!("the server did not stop within {STOP_TIMEOUT:?}; killing it");
            let _ = self.child.kill().await;
        }
        let _ = timeout(Duration::from_secs(2), &mut self.stderr).await;
    }
}

/// One client count's result.
struct Step {
    clients: usize,
    failed_connects: usize,
    samples: Vec<f64>,
    missing: usize,
    rss_mib: f64,
}

async fn run_steps(server: &mut Server, args: &WsArgs, spawned: Instant) -> Result<()> {
    let mut api = Api::new(server, Duration::from_secs(30))?;

    // Cold start: spawn → first 200 from /ping (includes migrations).
    let cold_start = wait_ready(&api, spawned).await?;
    let idle_rss = server.rss_mib()?;
    eprintln!(
        "server {} up in {:.0} ms, idle RSS {idle_rss:.1} MiB",
        server.addr,
        cold_start.as_secs_f64() * 1000.0
    );

    let outlet = api.owner_with_outlet().await?;
    let product = json!({"name": "Nasi", "price": 10000});
    let product = api
        .post(&format!("/outlets/{outlet}/products"), &product, 201)
        .await?;
    let order = json!({"outlet_id": outlet,
        "items": [{"product_id": str_field(&product, "id")?, "quantity": 1}]});

    let mut steps = Vec::new();
    for &clients in &args.clients {
        steps.push(measure(server, &api, &order, clients, args).await?);
        sleep(Duration::from_secs(1)).await; // let the server drop the closed sockets
    }

    let db = match &args.database_url {
        Some(url) if url.starts_with("postgres") => "PostgreSQL",
        Some(_) => "SQLite (--database-url)",
        None => "SQLite",
    };
    let redis = ["off", "on"][usize::from(args.redis_url.is_some())];
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "Database: {db}, Redis: {redis}; {} orders per step, {} ms apart; {cores} cores",
        args.orders, args.interval_ms
    );
    println!(
        "Cold start (spawn → first GET /api/v1/ping 200): {:.0} ms; idle server RSS: {:.1} MiB",
        cold_start.as_secs_f64() * 1000.0,
        idle_rss
    );
    println!();
    println!("| clients | samples | p50 ms | p99 ms | max ms | missing | server RSS MiB |");
    println!("|--------:|--------:|-------:|-------:|-------:|--------:|---------------:|");
    for step in &steps {
        let clients = match step.failed_connects {
            0 => step.clients.to_string(),
            failed => format!("{} ({failed} failed)", step.clients),
        };
        println!(
            "| {clients} | {} | {:.2} | {:.2} | {:.2} | {} | {:.1} |",
            step.samples.len(),
            percentile(&step.samples, 0.50),
            percentile(&step.samples, 0.99),
            step.samples.last().copied().unwrap_or(f64::NAN),
            step.missing,
            step.rss_mib
        );
    }
    Ok(())
}

/// One step: connect `clients` sockets, place the orders, collect the latencies, disconnect.
async fn measure(
    server: &Server,
    api: &Api,
    order: &Value,
    clients: usize,
    args: &WsArgs,
) -> Result<Step> {
    let ws_url = format!("ws://{}/api/v1/ws?token={}", server.addr, api.token);
    let (stop, stopped) = watch::channel(false);
    let received = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(clients);
    let mut failed_connects = 0;
    let mut first_error = None;
    let connecting = Instant::now();
    for start in (0..clients).step_by(CONNECT_BATCH) {
        let batch = CONNECT_BATCH.min(clients - start);
        let attempts = (0..batch).map(|_| {
            // Frames are small: the default 128 KiB read buffer × 10,000 clients is a lot.
            let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
            timeout(
                CONNECT_TIMEOUT,
                connect_async_with_config(&ws_url, Some(config), false),
            )
        });
        for attempt in join_all(attempts).await {
            match attempt {
                Ok(Ok((socket, _))) => {
                    handles.push(tokio::spawn(client(
                        socket,
                        stopped.clone(),
                        received.clone(),
                    )));
                }
                Ok(Err(err)) => {
                    failed_connects += 1;
                    first_error.get_or_insert_with(|| err.to_string());
                }
                Err(_) => {
                    failed_connects += 1;
                    first_error.get_or_insert_with(|| "connect timed out".to_owned());
                }
            }
        }
    }
    let connected = handles.len();
    eprintln!(
        "{clients} clients: {connected} connected in {:.1} s{}",
        connecting.elapsed().as_secs_f64(),
        first_error
            .map(|e| format!(", {failed_connects} failed (first: {e})"))
            .unwrap_or_default()
    );

    let mut placed = HashSet::with_capacity(args.orders);
    let ordering = Instant::now();
    for n in 1..=args.orders {
        let created = (api.post("/orders", order, 201).await)
            .with_context(|| format!("order {n} of {}", args.orders))?;
        placed.insert(str_field(&created, "id")?);
        sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let ordered_in = ordering.elapsed();
    let expected = placed.len() * connected;
    let deadline = Instant::now() + DELIVERY_TIMEOUT;
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "{clients} clients: {} orders placed in {:.1} s, {} of {expected} frames after {:.1} s",
        placed.len(),
        ordered_in.as_secs_f64(),
        received.load(Ordering::Relaxed),
        ordering.elapsed().as_secs_f64()
    );
    let rss_mib = server.rss_mib()?;

    let _ = stop.send(true);
    let mut samples = Vec::with_capacity(expected);
    let mut closed_early = 0;
    let join_deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
    for mut handle in handles {
        match tokio::time::timeout_at(join_deadline, &mut handle).await {
            Ok(Ok(result)) => {
                closed_early += usize::from(result.closed_early);
                let ours = result
                    .samples
                    .into_iter()
                    .filter(|(id, _)| placed.contains(id));
                samples.extend(ours.map(|(_, ms)| ms));
            }
            Ok(Err(_)) => {}
            Err(_) => handle.abort(),
        }
    }
    if closed_early > 0 {
        eprintln!("{clients} clients: {closed_early} connections were closed by the server");
    }
    samples.sort_by(f64::total_cmp);
    Ok(Step {
        clients,
        failed_connects,
        missing: expected.saturating_sub(samples.len()),
        samples,
        rss_mib,
    })
}

struct ClientResult {
    /// (order id, latency in ms)
    samples: Vec<(String, f64)>,
    closed_early: bool,
}

/// Reads frames until told to stop; records each NEW_ORDER's delivery latency.
async fn client<S>(
    mut socket: S,
    mut stop: watch::Receiver<bool>,
    received: Arc<AtomicUsize>,
) -> ClientResult
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + SinkExt<Message>
        + Unpin,
{
    let mut samples = Vec::new();
    let closed_early = loop {
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(frame)) = frame else { break true };
                let now = Utc::now();
                if let Message::Text(text) = frame {
                    if let Some(sample) = latency(text.as_str(), now) {
                        samples.push(sample);
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            _ = stop.wait_for(|stop| *stop) => break false,
        }
    };
    let _ = timeout(Duration::from_secs(2), socket.close()).await;
    ClientResult {
        samples,
        closed_early,
    }
}

/// (order id, receipt − created_at in ms) of a NEW_ORDER frame.
fn latency(text: &str, received: DateTime<Utc>) -> Option<(String, f64)> {
    let frame: Value = serde_json::from_str(text).ok()?;
    if frame.get("type")?.as_str()? != "NEW_ORDER" {
        return None;
    }
    let payload = frame.get("payload")?;
    let created = DateTime::parse_from_rfc3339(payload.get("created_at")?.as_str()?).ok()?;
    let micros = (received - created.with_timezone(&Utc)).num_microseconds()?;
    Some((
        payload.get("id")?.as_str()?.to_owned(),
        micros as f64 / 1000.0,
    ))
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1))
        .copied()
        .unwrap_or(f64::NAN)
}

/// JSON over HTTP to `http://<addr>/api/v1`, with the bearer token once signed in.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// Not signed in yet; requests give up after `timeout`.
    fn new(server: &Server, timeout: Duration) -> Result<Api> {
        Ok(Api {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(timeout)
                .build()?,
            base: format!("http://{}/api/v1", server.addr),
            token: String::new(),
        })
    }

    /// Registers the first owner on an empty database, signs in and creates an outlet;
    /// returns the outlet's id.
    async fn owner_with_outlet(&mut self) -> Result<String> {
        let login = json!({"username": "owner", "password": "bench-password-1"});
        (self.post("/auth/register", &login, 201).await)
            .context("the database must be empty (drop and re-create it)")?;
        self.token = str_field(
            &self.post("/auth/login", &login, 200).await?,
            "access_token",
        )?;
        str_field(
            &self
                .post("/outlets", &json!({"name": "Bench"}), 201)
                .await?,
            "id",
        )
    }

    async fn post(&self, path: &str, body: &Value, expect: u16) -> Result<Value> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.as_u16() != expect {
            bail!("POST {path}: expected {expect}, got {status}: {text}");
        }
        serde_json::from_str(&text).with_context(|| format!("POST {path}: not JSON: {text}"))
    }
}

fn str_field(value: &Value, name: &str) -> Result<String> {
    value
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("no string {name:?} in {value}"))
}
