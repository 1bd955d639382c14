//! `GET /metrics`: Prometheus text for whoever watches a chain's servers. Off unless
//! `KEDAI_METRICS_TOKEN` is set (then 404 → 401 without the bearer token).
//!
//! Requests are counted by operation, the spec's path template (`GET /api/v1/orders/:id`),
//! never the raw path, so ids and random 404 paths cannot grow the label set. The gauges
//! (pool, sockets, relay lag, print queue) are read when scraped. Each request's SQL
//! statements are counted too (`kedai_db_statements_per_request`), so a change that adds a
//! round trip to a hot path shows.

use std::{
    cell::Cell,
    sync::Arc,
    time::{Duration, Instant},
};

use poem::{http::StatusCode, Endpoint, IntoResponse, Request, Response};
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    EntityTrait, QuerySelect,
};

use crate::{domain::PrintJobStatus, entity::print_job, state::AppState};

/// Buckets of statements per request.
const STATEMENT_BUCKETS: [f64; 9] = [0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0];

tokio::task_local! {
    /// Statements the current request has sent so far (see `count_statement`).
    static STATEMENTS: Cell<u32>;
}

/// Counts one statement against the request being served, if any (the database's
/// per-statement callback; BEGIN, COMMIT and savepoints are not statements to it).
pub fn count_statement() {
    let _ = STATEMENTS.try_with(|count| count.set(count.get().saturating_add(1)));
}

/// Buckets of request latency in seconds: a till tap should be well under 100 ms.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: HistogramVec,
    orders_created: IntCounter,
    pool_in_use: IntGaugeVec,
    pool_idle: IntGaugeVec,
    pool_max: IntGaugeVec,
    websockets: IntGauge,
    relay_lag: Gauge,
    relay_lag_histogram: Histogram,
    print_queued: IntGauge,
    print_failed: IntGauge,
    operations: Vec<Operation>,
}

impl Metrics {
    /// `spec` is the OpenAPI document whose paths name the operations.
    pub fn new(spec: &str, base_path: &str) -> prometheus::Result<Arc<Self>> {
        let registry = Registry::new_custom(Some("kedai".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["operation", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response head",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation"],
        )?;
        let statements = HistogramVec::new(
            HistogramOpts::new(
                "db_statements_per_request",
                "SQL statements a request sent (BEGIN, COMMIT, savepoints not counted)",
            )
            .buckets(STATEMENT_BUCKETS.to_vec()),
            &["operation"],
        )?;
        let orders_created = IntCounter::new("orders_created_total", "Orders placed")?;
        let pool = |name: &str, help: &str| IntGaugeVec::new(Opts::new(name, help), &["pool"]);
        let pool_in_use = pool("db_pool_connections_in_use", "Connections lent out")?;
        let pool_idle = pool("db_pool_connections_idle", "Connections open and free")?;
        let pool_max = pool("db_pool_connections_max", "Connections the pool may open")?;
        let websockets = IntGauge::new("websocket_connections", "Open realtime sockets")?;
        let relay_lag = Gauge::new(
            "relay_lag_seconds",
            "Commit-to-relay delay of the last event delivered",
        )?;
        let relay_lag_histogram = Histogram::with_opts(
            HistogramOpts::new(
                "relay_delay_seconds",
                "Commit-to-relay delay of every event delivered",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )?;
        let print_queued = IntGauge::new("print_queue_depth", "Print jobs waiting or printing")?;
        let print_failed = IntGauge::new("print_jobs_failed", "Print jobs that gave up")?;
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(statements.clone()),
            Box::new(orders_created.clone()),
            Box::new(pool_in_use.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
            Box::new(websockets.clone()),
            Box::new(relay_lag.clone()),
            Box::new(relay_lag_histogram.clone()),
            Box::new(print_queued.clone()),
            Box::new(print_failed.clone()),
        ] {
            registry.register(collector)?;
        }
        Ok(Arc::new(Metrics {
            registry,
            requests,
            latency,
            statements,
            orders_created,
            pool_in_use,
            pool_idle,
            pool_max,
            websockets,
            relay_lag,
            relay_lag_histogram,
            print_queued,
            print_failed,
            operations: operations(spec, base_path),
        }))
    }

    /// The label of a request: its operation, or a coarse bucket outside the API.
    fn operation(&self, method: &str, path: &str) -> &str {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let found = self.operations.iter().find(|op| {
            op.method == method
                && op.segments.len() == segments.len()
                && op
                    .segments
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        });
        match found {
            Some(op) => &op.label,
            None if path.starts_with("/api/") => "other API",
            None if path == "/metrics" => "metrics",
            None if path.starts_with("/docs") => "docs",
            None => "page",
        }
    }

    /// A relayed event that was committed at `at`.
    pub fn relayed(&self, at: chrono::DateTime<chrono::Utc>) {
        let lag = (chrono::Utc::now() - at)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .as_secs_f64();
        self.relay_lag.set(lag);
        self.relay_lag_histogram.observe(lag);
    }

    async fn render(&self, state: &AppState) -> Result<String, String> {
        for (name, pool) in state.db.pools() {
            self.pool_in_use
                .with_label_values(&[name])
                .set(i64::from(pool.in_use));
            self.pool_idle
                .with_label_values(&[name])
                .set(i64::from(pool.idle));
            self.pool_max
                .with_label_values(&[name])
                .set(i64::from(pool.max));
        }
        self.websockets
            .set(i64::try_from(state.realtime.client_count()).unwrap_or(i64::MAX));
        let (queued, failed) = print_job_counts(state).await.map_err(|e| e.to_string())?;
        self.print_queued.set(queued);
        self.print_failed.set(failed);
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .map_err(|e| e.to_string())?;
        String::from_utf8(text).map_err(|e| e.to_string())
    }
}

/// Print jobs waiting or printing, and failed, in one query.
async fn print_job_counts(state: &AppState) -> Result<(i64, i64), sea_orm::DbErr> {
    let rows: Vec<(PrintJobStatus, i64)> = print_job::Entity::find()
        .select_only()
        .column(print_job::Column::Status)
        .column_as(Expr::col(print_job::Column::Id).count(), "jobs")
        .group_by(print_job::Column::Status)
        .into_tuple()
        .all(state.db.conn())
        .await?;
    let sum = |wanted: &[PrintJobStatus]| {
        rows.iter()
            .filter(|(status, _)| wanted.contains(status))
            .map(|(_, jobs)| jobs)
            .sum()
    };
    Ok((
        sum(&[PrintJobStatus::Queued, PrintJobStatus::Printing]),
        sum(&[PrintJobStatus::Failed]),
    ))
}

/// One API operation: how requests are matched to it, and its label.
struct Operation {
    method: String,
    /// `{…}` segments match anything.
    segments: Vec<String>,
    /// `GET /api/v1/orders/:id`: `:id`, not `{id}`, as braces inside label values trip up
    /// some parsers.
    label: String,
}

fn operations(spec: &str, base_path: &str) -> Vec<Operation> {
    let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
    let Some(paths) = spec.get("paths").and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    let mut operations = Vec::new();
    for (path, methods) in paths {
        let full = format!("{base_path}{path}");
        let segments: Vec<String> = full.split('/').map(str::to_owned).collect();
        let shown: Vec<String> = segments
            .iter()
            .map(
                |t| match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => format!(":{name}"),
                    None => t.clone(),
                },
            )
            .collect();
        for method in methods.as_object().into_iter().flat_map(|m| m.keys()) {
            let method = method.to_uppercase();
            operations.push(Operation {
                label: format!("{method} {}", shown.join("/")),
                method,
                segments: segments.clone(),
            });
        }
    }
    operations
}

/// Counts and times every request (outside the error renderer, so statuses are final).
pub async fn track<E: Endpoint>(
    next: E,
    req: Request,
    metrics: Arc<Metrics>,
) -> poem::Result<Response> {
    let operation = metrics
        .operation(req.method().as_str(), req.uri().path())
        .to_owned();
    let started = Instant::now();
    let (response, statements) = STATEMENTS
        .scope(Cell::new(0), async {
            let response = next.call(req).await.map(IntoResponse::into_response);
            (response, STATEMENTS.with(Cell::get))
        })
        .await;
    metrics
        .statements
        .with_label_values(&[&operation])
        .observe(f64::from(statements));
    let status = match &response {
        Ok(response) => response.status(),
        Err(err) => err.status(),
    };
    metrics
        .latency
        .with_label_values(&[&operation])
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[&operation, status.as_str()])
        .inc();
    if status == StatusCode::CREATED && ORDER_CREATING.contains(&operation.as_str()) {
        metrics.orders_created.inc();
    }
    response
}

/// The operations whose 201 is a new order (staff and guests).
const ORDER_CREATING: [&str; 2] = [
    "POST /api/v1/orders",
    "POST /api/v1/table-sessions/:id/orders",
];

/// `GET /metrics` with `Authorization: Bearer <KEDAI_METRICS_TOKEN>`.
pub async fn endpoint(req: &Request, state: &AppState, metrics: &Metrics) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Digests compared, so the time taken says nothing about the token.
    let matches = given.is_some_and(|given| {
        use sha2::{Digest, Sha256};
        Sha256::digest(given) == Sha256::digest(token)
    });
    if !matches {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("www-authenticate", "Bearer")
            .finish();
    }
    match metrics.render(state).await {
        Ok(text) => Response::builder()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the metrics");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
