//! Readiness of the database and Redis.

use std::time::Duration;

use tokio::sync::Mutex;

use crate::db::Db;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Checks Redis, reconnecting on demand (Redis may come and go while Kedai runs).
pub struct RedisProbe {
    client: redis::Client,
    conn: Mutex<Option<redis::aio::MultiplexedConnection>>,
}

impl RedisProbe {
    pub fn new(url: &str) -> redis::RedisResult<Self> {
        Ok(RedisProbe {
            client: redis::Client::open(url)?,
            conn: Mutex::new(None),
        })
    }

    pub async fn is_up(&self) -> bool {
        tokio::time::timeout(PROBE_TIMEOUT, self.ping())
            .await
            .unwrap_or(false)
    }

    async fn ping(&self) -> bool {
        let mut slot = self.conn.lock().await;
        if slot.is_none() {
            *slot = self.client.get_multiplexed_async_connection().await.ok();
        }
        let Some(conn) = slot.as_mut() else {
            return false;
        };
        let ok = redis::cmd("PING").query_async::<String>(conn).await.is_ok();
        if !ok {
            *slot = None;
        }
        ok
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
