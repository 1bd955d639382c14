//! Readiness of the database and Redis.

use std::time::Duration;

use tokio::sync::Mutex;

use crate::{db::Db, realtime::bus::RedisConnection};

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Checks Redis, reconnecting on demand (Redis may come and go while Kedai runs).
pub struct RedisProbe {
    conn: Mutex<RedisConnection>,
}

impl RedisProbe {
    pub fn new(client: redis::Client) -> Self {
        RedisProbe {
            conn: Mutex::new(RedisConnection::new(client)),
        }
    }

    pub async fn is_up(&self) -> bool {
        let ping = async {
            let mut conn = self.conn.lock().await;
            conn.query::<String>(&redis::cmd("PING")).await.is_ok()
        };
        tokio::time::timeout(PROBE_TIMEOUT, ping)
            .await
            .unwrap_or(false)
    }
}

/// What `/health` reports.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    pub database_up: bool,
    /// `None` when Redis is not configured.
    pub redis_up: Option<bool>,
}

impl Health {
    pub fn is_ready(&self) -> bool {
        self.database_up && self.redis_up != Some(false)
    }
}

pub async fn check(db: &Db, redis: Option<&RedisProbe>) -> Health {
    let database = async {
        tokio::time::timeout(PROBE_TIMEOUT, db.ping())
            .await
            .is_ok_and(|r| r.is_ok())
    };
    let redis = async {
        match redis {
            Some(probe) => Some(probe.is_up().await),
            None => None,
        }
    };
    let (database_up, redis_up) = tokio::join!(database, redis);
    Health {
        database_up,
        redis_up,
    }
}
