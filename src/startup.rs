//! Start-up: connect → migrate → build the one `Route` that serves everything.
//! `main` (through `cli`) and the integration tests use the same `build`.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use poem::{endpoint::BoxEndpoint, EndpointExt, IntoResponse, Route};
use tokio::sync::Semaphore;

use crate::{
    api,
    auth::{jwt::JwtKeys, password::Passwords, rate_limit::LoginLimits},
    config::Config,
    db::Db,
    error::render_errors,
    files,
    memory::Memory,
    metrics::{self, Metrics},
    middleware::{limit_body, refuse_control_text, security_headers, shed_load},
    printing::worker::PrintWorker,
    realtime::{self, Realtime},
    server,
    service::{
        backups::{self, BackupState},
        health::RedisProbe,
    },
    state::{AppState, Inner},
    web,
};

/// Request bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A photo upload's body: the file (at most `product_images::MAX_UPLOAD_BYTES`, checked with
/// a clear 400) and room for a little more, so an oversized photo is told why.
pub const MAX_IMAGE_BODY_BYTES: usize = 8 * 1024 * 1024;

fn body_limit(req: &poem::Request) -> usize {
    if req.method() == poem::http::Method::PUT && req.uri().path().ends_with("/image") {
        MAX_IMAGE_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// A ready-to-serve application.
pub struct App {
    pub state: AppState,
    pub endpoint: BoxEndpoint<'static>,
}

/// Creates the data folder, connects to the database and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    prepare_data_folder(config)?;
    let db = Db::connect_with(
        &config.database_url,
        config.group_commit,
        config.db_connections,
    )
    .await
    .context("cannot open the database (check DATABASE_URL)")?;
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}

/// The data folder and a SQLite database file, private to this user (see `files`).
pub fn prepare_data_folder(config: &Config) -> anyhow::Result<()> {
    files::private_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            config.data_dir.display()
        )
    })?;
    files::private_database(&config.database_url)
        .context("cannot create or restrict the SQLite database file")
}

/// Connects to the database, applies migrations and assembles every route.
pub async fn build(config: Config) -> anyhow::Result<App> {
    let db = open_database(&config).await?;

    let keys = JwtKeys::load(
        config.jwt_secret.as_deref(),
        &config.data_dir,
        config.token_ttl,
    )
    .context("cannot load or create the JWT secret in the data folder")?;
    let redis_client = config
        .redis_url
        .as_deref()
        .map(redis::Client::open)
        .transpose()
        .context("invalid REDIS_URL")?;
    let redis = redis_client.clone().map(RedisProbe::new);

    let spec = api::spec_json();
    let metrics = Metrics::new(&spec, api::BASE_PATH).context("cannot set up the metrics")?;
    let memory = Arc::new(Memory::new(config.realtime.poll_interval));
    let realtime = Realtime::start(
        db.clone(),
        redis_client,
        config.realtime.clone(),
        metrics.clone(),
        memory.clone(),
    )
    .await
    .context("cannot start realtime delivery")?;
    let printing = PrintWorker::start(db.clone(), config.print.clone(), realtime.clone());
    let backups = Arc::new(BackupState::default());
    if let (true, Some(every)) = (config.is_sqlite(), config.backup_every) {
        backups::schedule(
            db.clone(),
            config.data_dir.clone(),
            every,
            config.backup_keep,
            backups.clone(),
        );
    }
    let public_url = config.public_url_for(config.bind.port());
    let state = AppState::new(Inner {
        public_url,
        config,
        db,
        keys,
        passwords: Passwords::default(),
        login_limits: LoginLimits::default(),
        redis,
        realtime,
        printing,
        metrics,
        backups,
        memory,
    });
    let endpoint = routes(state.clone(), spec);
    Ok(App { state, endpoint })
}

/// `/api/v1/…` (REST + spec), `/docs` (Swagger UI, bundled: no CDN) and the web pages.
fn routes(state: AppState, spec: String) -> BoxEndpoint<'static> {
    let docs = web::swagger_ui(api::swagger_ui_html(&spec));
    let realtime = state.realtime.clone();
    let printing = state.printing.clone();
    let metrics = state.metrics.clone();
    let permits = Arc::new(Semaphore::new(state.config.limits.max_in_flight));
    let timeout = state.config.limits.request_timeout;
    Route::new()
        .at(
            format!("{}/openapi.json", api::BASE_PATH),
            poem::endpoint::make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .nest("/docs", Route::new().at("/", docs))
        .at(
            "/metrics",
            poem::endpoint::make(|req: poem::Request| async move {
                let state = req.data::<AppState>().cloned();
                match state {
                    Some(state) => metrics::endpoint(&req, &state, &state.metrics).await,
                    None => poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        )
        .nest(api::BASE_PATH, api::service())
        .nest("/", web::routes())
        .around(refuse_control_text)
        .around(|next, req| {
            let limit = body_limit(&req);
            limit_body(next, req, limit)
        })
        .around(move |next, req| shed_load(next, req, permits.clone(), timeout))
        .data(state)
        .around(move |next, req| {
            realtime::announce_writes(next, req, realtime.clone(), printing.clone())
        })
        .around(render_errors)
        .around(move |next, req| metrics::track(next, req, metrics.clone()))
        .around(security_headers)
        .boxed()
}

/// Runs the server until SIGINT/SIGTERM, then finishes in-flight requests.
pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let signal = shutdown_signal().context("cannot install signal handlers")?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind} (KEDAI_BIND)"))?;
    // The port actually bound (KEDAI_BIND may ask for port 0), so QR codes carry it.
    config.bind = listener.local_addr().unwrap_or(bind);
    config.connections.max_connections = connection_cap(config.connections.max_connections);
    let local = config.bind;
    let limits = config.connections.clone();
    let App { state, endpoint } = build(config).await?;
    let realtime = state.realtime.clone();
    let shutdown = async move {
        signal.await;
        // WebSocket clients get a close frame instead of a dropped connection.
        realtime.begin_shutdown();
    };

    tracing::info!("Starting server on {local}");
    let public_url = &state.public_url;
    tracing::info!("Phones and tablets on the shop network reach Kedai at {public_url}");
    tracing::info!("API docs: {public_url}/docs");

    server::run(
        listener,
        endpoint,
        limits,
        shutdown,
        Duration::from_secs(10),
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}

/// Raises the open-file limit as far as the system allows and keeps `wanted` connections
/// below it, with room for the database and log files, so the cap (not `EMFILE`) decides.
fn connection_cap(wanted: usize) -> usize {
    const RESERVED_FILES: u64 = 256;
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let room = usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    if wanted > room {
        tracing::warn!(
            "the open-file limit ({files}) allows {room} connections, not {wanted} (KEDAI_MAX_CONNECTIONS)"
        );
    }
    wanted.min(room.max(1))
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when
/// first polled, so a signal that arrives right after start-up is not missed.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
