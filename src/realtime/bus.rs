//! The doorbell between instances: Redis pub/sub, so that every instance of a chain hears of
//! a write and its relay delivers the events, and of a changed account, tablet or menu so
//! that it forgets what it remembered of them (`memory`); and the reconnecting Redis
//! connection that the publisher and the `/health` probe use.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch, Notify};

use crate::memory::{Forget, Memory};

const EVENTS: &str = "kedai:events";

/// Rings the other instances' doorbell over Redis pub/sub (this instance's relay is woken
/// directly). If Redis is down, the others catch up by polling; both background tasks
/// reconnect by themselves.
pub struct RedisBus {
    events: mpsc::Sender<()>,
    forget: mpsc::Sender<Forget>,
}

impl RedisBus {
    pub fn start(
        client: redis::Client,
        wake: Arc<Notify>,
        memory: Arc<Memory>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        // A bell that is already ringing need not ring twice: capacity 1, extra rings dropped.
        let (events, events_pending) = mpsc::channel(1);
        // Notices to forget are rare; one lost when many are queued still expires by itself.
        let (forget, forget_pending) = mpsc::channel(16);
        tokio::spawn(publisher(
            RedisConnection::new(client.clone()),
            events_pending,
            forget_pending,
            shutdown.clone(),
        ));
        tokio::spawn(subscriber(client, wake, memory, shutdown));
        RedisBus { events, forget }
    }

    pub fn announce(&self) {
        let _ = self.events.try_send(());
    }

    /// Tells the other instances to forget `what`.
    pub fn forget(&self, what: Forget) {
        let _ = self.forget.try_send(what);
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis connection made on first use and again after a failure (Redis may come and go
/// while Kedai runs).
pub struct RedisConnection {
    client: redis::Client,
    conn: Option<redis::aio::MultiplexedConnection>,
}

impl RedisConnection {
    pub fn new(client: redis::Client) -> Self {
        RedisConnection { client, conn: None }
    }

    pub async fn query<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
    ) -> redis::RedisResult<T> {
        let conn = match self.conn.as_mut() {
            Some(conn) => conn,
            None => {
                let connect = self.client.get_multiplexed_async_connection();
                let conn = tokio::time::timeout(CONNECT_TIMEOUT, connect)
                    .await
                    .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
                self.conn.insert(conn)
            }
        };
        let result = cmd.query_async(conn).await;
        if result.is_err() {
            self.conn = None;
        }
        result
    }
}

async fn publisher(
    mut redis: RedisConnection,
    mut events: mpsc::Receiver<()>,
    mut forget: mpsc::Receiver<Forget>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let channel = tokio::select! {
            ring = events.recv() => match ring { Some(()) => EVENTS, None => return },
            what = forget.recv() => match what { Some(what) => what.channel(), None => return },
            _ = shutdown.changed() => return,
        };
        let published = redis
            .query::<i64>(redis::cmd("PUBLISH").arg(channel).arg(1))
            .await;
        if let Err(err) = published {
            tracing::warn!(error = %err, "redis unavailable; other instances will poll for events");
        }
    }
}

async fn subscriber(
    client: redis::Client,
    wake: Arc<Notify>,
    memory: Arc<Memory>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut channels = vec![EVENTS];
    channels.extend(Forget::ALL.map(Forget::channel));
    let mut backoff = Duration::from_millis(500);
    loop {
        if *shutdown.borrow() {
            return;
        }
        let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_pubsub()).await;
        match pubsub {
            Ok(Ok(mut pubsub)) => {
                if pubsub.subscribe(&channels).await.is_ok() {
                    backoff = Duration::from_millis(500);
                    // Catch up on anything announced while we were not listening.
                    wake.notify_one();
                    memory.forget_all();
                    let mut messages = pubsub.on_message();
                    loop {
                        tokio::select! {
                            message = messages.next() => match message {
                                Some(message) => {
                                    let channel = message.get_channel_name();
                                    match Forget::ALL.into_iter().find(|f| f.channel() == channel) {
                                        Some(what) => memory.forget(what),
                                        None => wake.notify_one(),
                                    }
                                }
                                None => break,
                            },
                            _ = shutdown.changed() => return,
                        }
                    }
                    tracing::warn!("redis subscription lost; reconnecting");
                }
            }
            Ok(Err(err)) => tracing::debug!(error = %err, "redis subscribe failed"),
            Err(_) => tracing::debug!("redis subscribe timed out"),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}
