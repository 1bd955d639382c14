//! Realtime order events: the outbox relay, the bus between instances, and the WebSocket.
//!
//! The database is the source of truth. Every change writes an event in its own transaction;
//! ids become visible in increasing order (on PostgreSQL the relay numbers them first, see
//! `service::events::sequence`). Each instance runs one relay that reads new rows in id order
//! and fans them out to its WebSocket clients through an in-process broadcast hub. `announce` only rings the doorbell:
//! after a write, this instance's relay wakes at once, and with Redis (`bus::RedisBus`) every
//! other instance's relay too. A periodic poll covers a doorbell that was missed (e.g. Redis down).

pub mod bus;
pub mod frames;
pub mod ws;

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use poem::{Endpoint, IntoResponse, Request, Response};
use sea_orm::DbBackend;
use serde_json::json;
use tokio::sync::{broadcast, watch, Notify};
use uuid::Uuid;

use crate::{
    db::Db,
    entity::event,
    memory::{Forget, Memory},
    metrics::Metrics,
    service::events,
};

/// An event as clients receive it, serialized once for every client.
#[derive(Debug)]
pub struct Frame {
    pub id: i64,
    pub kind: String,
    pub outlet_id: Uuid,
    pub table_session_id: Option<Uuid>,
    /// `{"id", "type", "outlet_id", "table_session_id", "at", "payload"}`
    pub json: String,
}

impl Frame {
    pub fn from_event(event: &event::Model) -> Frame {
        Frame {
            id: event.id,
            kind: event.kind.clone(),
            outlet_id: event.outlet_id,
            table_session_id: event.table_session_id,
            json: frame_value(event).to_string(),
        }
    }
}

/// An event's payload as JSON.
pub fn payload_value(event: &event::Model) -> serde_json::Value {
    serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null)
}

/// The JSON of one WebSocket frame: the stored payload as written from its documented type
/// (`frames`), wrapped as `frames::EventFrame` documents it (poem-openapi writes `at` with
/// `+00:00` where this writes `Z`).
pub fn frame_value(event: &event::Model) -> serde_json::Value {
    let payload = payload_value(event);
    json!({
        "id": event.id,
        "type": event.kind,
        "outlet_id": event.outlet_id,
        "table_session_id": event.table_session_id,
        "at": event.at,
        "payload": payload,
    })
}

/// Tunables; the defaults suit a shop.
#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// How often the relay looks for events it was not told about.
    pub poll_interval: Duration,
    /// Frames a client may fall behind before it is disconnected (1013) to resume with `since`.
    pub client_buffer: usize,
    /// WebSocket ping period; a client silent for two periods is dropped.
    pub ping_interval: Duration,
    /// Events older than this are pruned; resuming from before them needs a resync.
    pub retention: Duration,
    /// Idempotency keys are kept this long (at least a day).
    pub idempotency_retention: Duration,
    /// How often pruning runs.
    pub prune_interval: Duration,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig {
            poll_interval: Duration::from_secs(1),
            client_buffer: 4096,
            ping_interval: Duration::from_secs(25),
            retention: Duration::from_secs(7 * 86_400),
            idempotency_retention: Duration::from_secs(2 * 86_400),
            prune_interval: Duration::from_secs(3_600),
        }
    }
}

/// This instance's realtime machinery.
pub struct Realtime {
    hub: broadcast::Sender<Arc<Frame>>,
    wake: Arc<Notify>,
    /// With Redis: the other instances' doorbell.
    bus: Option<bus::RedisBus>,
    /// What this instance remembers (`memory`).
    memory: Arc<Memory>,
    shutdown: watch::Sender<bool>,
    pub config: RealtimeConfig,
}

impl Realtime {
    /// Starts the relay (and, with Redis, the bus tasks). They stop when this is dropped.
    pub async fn start(
        db: Db,
        redis: Option<redis::Client>,
        config: RealtimeConfig,
        metrics: Arc<Metrics>,
        memory: Arc<Memory>,
    ) -> anyhow::Result<Arc<Self>> {
        let (hub, _) = broadcast::channel(config.client_buffer);
        let wake = Arc::new(Notify::new());
        let (shutdown, _) = watch::channel(false);
        let bus = redis.map(|client| {
            bus::RedisBus::start(client, wake.clone(), memory.clone(), shutdown.subscribe())
        });
        let start_after = events::latest_id(db.conn()).await?;
        let realtime = Arc::new(Realtime {
            hub,
            wake: wake.clone(),
            bus,
            memory,
            shutdown,
            config,
        });
        tokio::spawn(relay(
            Arc::downgrade(&realtime),
            db.clone(),
            wake,
            start_after,
            metrics,
        ));
        tokio::spawn(prune_old(Arc::downgrade(&realtime), db));
        Ok(realtime)
    }

    /// Call after committing events.
    pub fn announce(&self) {
        self.wake.notify_one();
        if let Some(bus) = &self.bus {
            bus.announce();
        }
    }

    /// Call after committing a change to what `what` remembers: this instance forgets it
    /// now, the others when the notice reaches them (or, without it, within the poll
    /// interval, which is how long anything is remembered).
    pub fn forget(&self, what: Forget) {
        self.memory.forget(what);
        if let Some(bus) = &self.bus {
            bus.forget(what);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.hub.subscribe()
    }

    /// Flips to `true` when the server shuts down: sockets send a close frame and end.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn client_count(&self) -> usize {
        self.hub.receiver_count()
    }
}

impl Drop for Realtime {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.wake.notify_one();
    }
}

/// Reads committed events in id order and fans them out. Exits when `Realtime` is dropped.
/// Events read from the database at a time (relay and replay).
const PAGE: u64 = 500;

async fn relay(
    realtime: Weak<Realtime>,
    db: Db,
    wake: Arc<Notify>,
    mut last: i64,
    metrics: Arc<Metrics>,
) {
    // PostgreSQL: more than one batch was waiting in the outbox; look again soon.
    let mut waiting = false;
    loop {
        let poll = match realtime.upgrade() {
            Some(rt) => rt.config.poll_interval,
            None => return,
        };
        let next_look = if waiting {
            OUTBOX_RETRY.min(poll)
        } else {
            poll
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(next_look) => {}
        }
        if db.backend() == DbBackend::Postgres {
            match events::sequence(&db).await {
                Ok(left) => waiting = left,
                Err(err) => {
                    tracing::warn!(error = %err, "realtime relay cannot sequence events; retrying");
                    continue;
                }
            }
        }
        loop {
            let Some(rt) = realtime.upgrade() else { return };
            match events::all_events_after(db.conn(), last, PAGE).await {
                Ok(batch) => {
                    let full = batch.len() as u64 == PAGE;
                    if !batch.is_empty() {
                        // Something was written (here or on another instance).
                        rt.memory.orders.forget();
                    }
                    for event in &batch {
                        // No receivers is fine: nobody is watching.
                        let _ = rt.hub.send(Arc::new(Frame::from_event(event)));
                        metrics.relayed(event.at);
                        last = event.id;
                    }
                    if !full {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "realtime relay cannot read events; retrying");
                    break;
                }
            }
        }
    }
}

/// How soon the relay looks again when the outbox held more than one batch.
const OUTBOX_RETRY: Duration = Duration::from_millis(20);

/// Drops events past retention (and old idempotency keys), every `prune_interval`.
async fn prune_old(realtime: Weak<Realtime>, db: Db) {
    let mut shutdown = match realtime.upgrade() {
        Some(rt) => rt.shutdown_signal(),
        None => return,
    };
    loop {
        let Some(config) = realtime.upgrade().map(|rt| rt.config.clone()) else {
            return;
        };
        let now = chrono::Utc::now();
        let (Ok(retention), Ok(keys)) = (
            chrono::Duration::from_std(config.retention),
            chrono::Duration::from_std(config.idempotency_retention),
        ) else {
            return;
        };
        match events::prune(&db, now - retention, now - keys).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "pruned old events"),
            Err(err) => tracing::warn!(error = %err, "pruning old events failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(config.prune_interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// After a successful write request, rings the bus so events it committed go out now, and
/// wakes the print worker for the jobs it queued. After any write request, whatever its end
/// (cancelled too), the orders remembered whole are forgotten (`OrderCache`).
pub async fn announce_writes<E: Endpoint>(
    next: E,
    req: Request,
    realtime: Arc<Realtime>,
    printing: crate::printing::worker::PrintWorker,
) -> poem::Result<Response> {
    // GET, HEAD, OPTIONS (and TRACE, which no route answers) neither carry nor change data.
    let writes = !req.method().is_safe();
    struct ForgetOrders(Arc<Realtime>);
    impl Drop for ForgetOrders {
        fn drop(&mut self) {
            self.0.memory.orders.forget();
        }
    }
    let _forget = writes.then(|| ForgetOrders(realtime.clone()));
    let response = next.call(req).await?.into_response();
    if writes && response.status().is_success() {
        realtime.announce();
        // A committed write may have queued print jobs.
        printing.wake();
    }
    Ok(response)
}
