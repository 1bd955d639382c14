//! `GET /ping`, `GET /health` and `GET /setup`.

use poem::web::Data;
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::{
    error::AppResult,
    service::{health, users},
    state::AppState,
};

pub struct SystemApi;

/// Liveness answer.
#[derive(Object)]
pub struct Pong {
    /// Always `pong`.
    pub message: String,
}

/// Readiness of each dependency.
#[derive(Object)]
pub struct HealthView {
    /// `ok` when every dependency is up, else `degraded`.
    pub status: String,
    /// `ok` or `down`.
    pub database: String,
    /// `ok`, `down`, or `disabled` when `REDIS_URL` is not set.
    pub redis: String,
    /// The latest scheduled backup: `ok`, `failed`, `skipped` (too little free disk),
    /// `pending` (none made since start) or `off` (PostgreSQL, or `KEDAI_BACKUP_EVERY=off`).
    pub backup: String,
    /// When the latest scheduled backup was tried.
    #[oai(nullable)]
    pub last_backup_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds since then.
    #[oai(nullable)]
    pub last_backup_age_seconds: Option<i64>,
}

/// Where a fresh install stands.
#[derive(Object)]
pub struct SetupView {
    /// No account exists yet: the first page creates the owner (`POST /auth/register`).
    pub needs_owner: bool,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// Every dependency is up.
    #[oai(status = 200)]
    Ready(Json<HealthView>),
    /// A dependency is down.
    #[oai(status = 503)]
    Unavailable(Json<HealthView>),
}

#[OpenApi(tag = "ApiTags::System")]
impl SystemApi {
    /// Liveness: the server is running.
    #[oai(path = "/ping", method = "get", operation_id = "ping")]
    async fn ping(&self) -> Json<Pong> {
        Json(Pong {
            message: "pong".into(),
        })
    }

    /// Readiness: the database and (when configured) Redis answer. 503 when one is down.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self, state: Data<&AppState>) -> HealthResponse {
        let health = health::check(&state.db, state.redis.as_ref()).await;
        let up = |ok: bool| if ok { "ok" } else { "down" }.to_owned();
        let scheduled = state.config.is_sqlite() && state.config.backup_every.is_some();
        let last = state.backups.last();
        let backup = match &last {
            Some(last) => last.outcome.as_str(),
            None if scheduled => "pending",
            None => "off",
        };
        let view = HealthView {
            status: if health.is_ready() { "ok" } else { "degraded" }.into(),
            database: up(health.database_up),
            redis: health.redis_up.map_or_else(|| "disabled".to_owned(), up),
            backup: backup.into(),
            last_backup_at: last.as_ref().map(|l| l.at),
            last_backup_age_seconds: last
                .as_ref()
                .map(|l| (chrono::Utc::now() - l.at).num_seconds()),
        };
        if health.is_ready() {
            HealthResponse::Ready(Json(view))
        } else {
            HealthResponse::Unavailable(Json(view))
        }
    }

    /// First run: whether the owner account still has to be created.
    #[oai(path = "/setup", method = "get", operation_id = "setup_state")]
    async fn setup(&self, state: Data<&AppState>) -> AppResult<Json<SetupView>> {
        let needs_owner = !users::any_user_exists(state.db.conn()).await?;
        Ok(Json(SetupView { needs_owner }))
    }
}
