//! The doorbell between a write and the relays that deliver its events: in-process, or
//! Redis pub/sub so that every instance of a chain hears it.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch, Notify};

/// Tells relays that new events were committed.
pub trait Bus: Send + Sync + 'static {
    fn announce(&self);
}

/// One instance: wake the local relay.
pub struct LocalBus {
    wake: Arc<Notify>,
}

impl LocalBus {
    pub fn new(wake: Arc<Notify>) -> Self {
        LocalBus { wake }
    }
}

impl Bus for LocalBus {
    fn announce(&self) {
        self.wake.notify_one();
    }
}

const CHANNEL: &str = "kedai:events";

/// Several instances: wake the local relay at once, and publish on Redis for the others.
/// If Redis is down, local delivery is unaffected and the others catch up by polling; both
/// background tasks reconnect by themselves.
pub struct RedisBus {
    wake: Arc<Notify>,
    publish: mpsc::Sender<()>,
}

impl RedisBus {
    pub fn start(
        url: &str,
        wake: Arc<Notify>,
        shutdown: watch::Receiver<bool>,
    ) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        // A bell that is already ringing need not ring twice: capacity 1, extra rings dropped.
        let (publish, pending) = mpsc::channel(1);
        tokio::spawn(publisher(client.clone(), pending, shutdown.clone()));
        tokio::spawn(subscriber(client, wake.clone(), shutdown));
        Ok(RedisBus { wake, publish })
    }
}

impl Bus for RedisBus {
    fn announce(&self) {
        self.wake.notify_one();
        let _ = self.publish.try_send(());
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

async fn connect(client: &redis::Client) -> Option<redis::aio::MultiplexedConnection> {
    match tokio::time::timeout(CONNECT_TIMEOUT, client.get_multiplexed_async_connection()).await {
        Ok(Ok(conn)) => Some(conn),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "redis unavailable; other instances will poll for events");
            None
        }
        Err(_) => {
            tracing::warn!("redis connection timed out; other instances will poll for events");
            None
        }
    }
}

async fn publisher(
    client: redis::Client,
    mut pending: mpsc::Receiver<()>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conn = None;
    loop {
        tokio::select! {
            ring = pending.recv() => if ring.is_none() { return },
            _ = shutdown.changed() => return,
        }
        if conn.is_none() {
            conn = connect(&client).await;
        }
        if let Some(c) = conn.as_mut() {
            let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(1)
                .query_async(c)
                .await;
            if sent.is_err() {
                conn = None;
            }
        }
    }
}

async fn subscriber(client: redis::Client, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        if *shutdown.borrow() {
            return;
        }
        let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_pubsub()).await;
        match pubsub {
            Ok(Ok(mut pubsub)) => {
                if pubsub.subscribe(CHANNEL).await.is_ok() {
                    backoff = Duration::from_millis(500);
                    // Catch up on anything announced while we were not listening.
                    wake.notify_one();
                    let mut messages = pubsub.on_message();
                    loop {
                        tokio::select! {
                            message = messages.next() => match message {
                                Some(_) => wake.notify_one(),
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
