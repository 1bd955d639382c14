//! Everything a request handler may need, shared by all of them.

use std::sync::Arc;

use crate::{
    auth::{jwt::JwtKeys, password::Passwords, rate_limit::LoginLimits},
    config::Config,
    db::Db,
    printing::worker::PrintWorker,
    realtime::Realtime,
    service::health::RedisProbe,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    /// Base URL of table QR codes (`KEDAI_PUBLIC_URL` or the LAN address).
    pub public_url: String,
    pub db: Db,
    pub keys: JwtKeys,
    pub passwords: Passwords,
    pub login_limits: LoginLimits,
    pub redis: Option<RedisProbe>,
    pub realtime: Arc<Realtime>,
    pub printing: PrintWorker,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub backups: Arc<crate::service::backups::BackupState>,
    /// Token checks and menus remembered between requests (`memory`).
    pub memory: Arc<crate::memory::Memory>,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
