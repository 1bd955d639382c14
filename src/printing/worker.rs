//! The print worker, one per instance. For each printer with unfinished jobs it sends the
//! oldest, one at a time, so a printer's jobs come out in the order they were made.
//!
//! Claims are leases written to the job row: a job is taken by one conditional update
//! (`QUEUED`, or `PRINTING` whose lease ran out → `PRINTING` until now + lease). The update
//! has one winner on SQLite and PostgreSQL alike, so two instances never send a job at once,
//! and no transaction stays open while a printer is slow. A printer's next job is only taken
//! once the one before it is finished, whichever instance sent it. A worker that dies leaves
//! its lease to expire; the job is then sent again, marked as a possible reprint.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::{sync::watch, task::JoinSet};
use uuid::Uuid;

use super::{
    escpos::encode,
    layout::{Align, Block, Document, Labels, Paper, Size},
    transport::{self, PrintError, Timeouts},
};
use crate::{
    db::Db,
    domain::{PrintJobKind, PrintJobStatus},
    entity::{print_job, printer},
    error::AppResult,
    realtime::Realtime,
    service::events::{self, Event},
};

/// How long a drawer kick is retried.
const DRAWER_GIVE_UP: Duration = Duration::from_secs(30);

/// The worker's tunables (not settable from the environment; tests shorten them).
#[derive(Debug, Clone)]
pub struct PrintConfig {
    pub timeouts: Timeouts,
    /// Waits after the 1st, 2nd, … failed try; the last one repeats.
    pub backoff: Vec<Duration>,
    /// A job still failing this long after it was queued (or retried) is FAILED.
    pub give_up_after: Duration,
    /// How long a claim holds a job; longer than a whole try with every timeout.
    pub lease: Duration,
    /// How often the queue is looked at without being woken.
    pub poll: Duration,
    /// How often idle printers in trouble are asked how they are.
    pub probe_every: Duration,
}

impl Default for PrintConfig {
    fn default() -> Self {
        PrintConfig {
            timeouts: Timeouts::default(),
            backoff: [1, 2, 5, 10, 30, 60]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            give_up_after: Duration::from_secs(15 * 60),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            probe_every: Duration::from_secs(10),
        }
    }
}

impl PrintConfig {
    fn backoff_after(&self, attempts: i32) -> Duration {
        let index = usize::try_from(std::cmp::max(attempts, 1) - 1).unwrap_or(0);
        self.backoff
            .get(index)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(60))
    }
}

/// Wakes the worker: something may have been queued.
#[derive(Clone)]
pub struct PrintWorker {
    wake: Arc<watch::Sender<u64>>,
}

impl PrintWorker {
    /// Starts the worker on the runtime; it runs as long as the runtime does.
    pub fn start(db: Db, config: PrintConfig, realtime: Arc<Realtime>) -> PrintWorker {
        let (wake, woken) = watch::channel(0_u64);
        let queue = Queue {
            db,
            config,
            realtime,
        };
        tokio::spawn(supervise(Arc::new(queue), woken));
        PrintWorker {
            wake: Arc::new(wake),
        }
    }

    /// Cheap; many wakes before the worker looks are one look.
    pub fn wake(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// What the supervisor and its senders share.
struct Queue {
    db: Db,
    config: PrintConfig,
    /// Rung after a PRINTER_STATUS event commits, so banners show at once.
    realtime: Arc<Realtime>,
}

/// Looks for printers with unfinished jobs and runs one sender per printer; now and then asks
/// printers in trouble with nothing to print how they are, so a banner clears when one is back.
async fn supervise(queue: Arc<Queue>, mut woken: watch::Receiver<u64>) {
    let (db, config) = (&queue.db, &queue.config);
    let mut last_probe = tokio::time::Instant::now();
    let mut senders: JoinSet<()> = JoinSet::new();
    // Which printer each sender serves, by task: a sender that panicked frees its printer too.
    let mut busy: HashMap<tokio::task::Id, Uuid> = HashMap::new();
    loop {
        while let Some(done) = senders.try_join_next_with_id() {
            let id = done.map_or_else(|err| err.id(), |(id, ())| id);
            busy.remove(&id);
        }
        match printers_with_work(db).await {
            Ok(printers) => {
                for printer_id in printers {
                    if !busy.values().any(|p| *p == printer_id) {
                        let task = senders.spawn(send_all(queue.clone(), printer_id));
                        busy.insert(task.id(), printer_id);
                    }
                }
            }
            Err(err) => tracing::warn!("print queue: cannot read it: {err}"),
        }
        if last_probe.elapsed() >= config.probe_every {
            last_probe = tokio::time::Instant::now();
            match printers_in_trouble(db).await {
                Ok(printers) => {
                    for printer in printers {
                        if !busy.values().any(|p| *p == printer.id) {
                            tokio::spawn(probe(queue.clone(), printer));
                        }
                    }
                }
                Err(err) => tracing::warn!("print queue: cannot read the printers: {err}"),
            }
        }
        tokio::select! {
            changed = woken.changed() => {
                if changed.is_err() {
                    return;
                }
                // A burst of writes (an order, its payment) is one look.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            _ = tokio::time::sleep(config.poll) => {}
        }
    }
}

fn unfinished() -> Condition {
    Condition::any()
        .add(print_job::Column::Status.eq(PrintJobStatus::Queued))
        .add(print_job::Column::Status.eq(PrintJobStatus::Printing))
}

async fn printers_with_work(db: &Db) -> AppResult<Vec<Uuid>> {
    Ok(print_job::Entity::find()
        .select_only()
        .column(print_job::Column::PrinterId)
        .distinct()
        .filter(unfinished())
        .into_tuple()
        .all(db.conn())
        .await?)
}

/// Active printers whose last word was not OK.
async fn printers_in_trouble(db: &Db) -> AppResult<Vec<printer::Model>> {
    Ok(printer::Entity::find()
        .filter(printer::Column::Active.eq(true))
        .filter(printer::Column::Status.is_not_in(["OK", "UNKNOWN"]))
        .all(db.conn())
        .await?)
}

/// Asks an idle printer how it is (connect, `DLE EOT`), without printing anything.
async fn probe(queue: Arc<Queue>, printer: printer::Model) {
    let timeouts = &queue.config.timeouts;
    let connect = tokio::net::TcpStream::connect(printer.address.as_str());
    let status = match tokio::time::timeout(timeouts.connect, connect).await {
        Ok(Ok(mut stream)) => match transport::query_status(&mut stream, timeouts).await {
            Ok(state) => state.map_or("OK", |s| s.as_str()),
            Err(_) => "UNREACHABLE",
        },
        _ => "UNREACHABLE",
    };
    if let Err(err) = record_status(&queue, &printer, status, None).await {
        tracing::warn!("print queue: printer {}: {err}", printer.id);
    }
}

/// Sends the printer's jobs in order for as long as it has any. Waits (a back-off, another
/// instance's send) are slept here, at most a poll interval at a time, so a retry or a new
/// job is seen within one.
async fn send_all(queue: Arc<Queue>, printer_id: Uuid) {
    let config = &queue.config;
    loop {
        match send_next(&queue, printer_id).await {
            Ok(Next::Sent) => continue,
            Ok(Next::WaitUntil(at)) => {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(std::cmp::min(wait, config.poll)).await;
            }
            Ok(Next::Nothing) => return,
            Err(err) => {
                tracing::warn!("print queue: printer {printer_id}: {err}");
                tokio::time::sleep(config.poll).await;
            }
        }
    }
}

enum Next {
    Sent,
    WaitUntil(chrono::DateTime<Utc>),
    Nothing,
}

async fn send_next(queue: &Queue, printer_id: Uuid) -> AppResult<Next> {
    let (db, config) = (&queue.db, &queue.config);
    let Some(head) = print_job::Entity::find()
        .filter(print_job::Column::PrinterId.eq(printer_id))
        .filter(unfinished())
        .order_by_asc(print_job::Column::Id)
        .one(db.conn())
        .await?
    else {
        return Ok(Next::Nothing);
    };
    let now = Utc::now();
    let taken_over = head.status == PrintJobStatus::Printing;
    if let Some(until) = head.claimed_until.filter(|_| taken_over) {
        if until > now {
            // Another worker is sending it: the printer is busy until it is done.
            return Ok(Next::WaitUntil(std::cmp::min(
                until,
                now + chrono_of(config.poll * 2),
            )));
        }
    }
    if head.next_attempt_at > now {
        return Ok(Next::WaitUntil(head.next_attempt_at));
    }
    let Some(printer) = printer::Entity::find_by_id(printer_id)
        .one(db.conn())
        .await?
    else {
        return Ok(Next::Nothing);
    };
    if !printer.active {
        print_job::Entity::update_many()
            .col_expr(
                print_job::Column::Status,
                Expr::value(PrintJobStatus::Failed),
            )
            .col_expr(
                print_job::Column::LastError,
                Expr::value("the printer was switched off in Kedai"),
            )
            .filter(print_job::Column::Id.eq(head.id))
            .filter(print_job::Column::Attempts.eq(head.attempts))
            .filter(print_job::Column::Status.eq(head.status))
            .exec(db.conn())
            .await?;
        return Ok(Next::Sent);
    }

    let lease = now + chrono_of(config.lease);
    let claimed = print_job::Entity::update_many()
        .col_expr(
            print_job::Column::Status,
            Expr::value(PrintJobStatus::Printing),
        )
        .col_expr(print_job::Column::ClaimedUntil, Expr::value(lease))
        .col_expr(
            print_job::Column::Attempts,
            Expr::col(print_job::Column::Attempts).add(1),
        )
        .col_expr(
            print_job::Column::Reprint,
            Expr::value(head.reprint || taken_over),
        )
        .filter(print_job::Column::Id.eq(head.id))
        // `attempts` fences the claim: whoever finishes must hold this very try.
        .filter(print_job::Column::Attempts.eq(head.attempts))
        .filter(print_job::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(print_job::Column::Status.eq(PrintJobStatus::Queued))
                .add(
                    Condition::all()
                        .add(print_job::Column::Status.eq(PrintJobStatus::Printing))
                        .add(print_job::Column::ClaimedUntil.lt(now)),
                ),
        )
        .exec(db.conn())
        .await?;
    if claimed.rows_affected != 1 {
        // Another instance took it first.
        return Ok(Next::WaitUntil(now + chrono_of(config.poll)));
    }

    let bytes = if taken_over && head.kind != PrintJobKind::Drawer {
        // The worker that had it died mid-job: it may have printed, so say it may be twice.
        let language = crate::entity::outlet::Entity::find_by_id(printer.outlet_id)
            .one(db.conn())
            .await?
            .map(|o| o.language)
            .unwrap_or_default();
        let mut bytes = reprint_banner(&printer, Labels::for_language(&language));
        bytes.extend_from_slice(&head.payload);
        bytes
    } else {
        head.payload.clone()
    };
    let outcome = transport::send(&printer.address, &bytes, &config.timeouts).await;
    let status = match &outcome {
        Ok(state) => state.map_or("OK", |s| s.as_str()),
        Err(PrintError::Unreachable(_)) => "UNREACHABLE",
        Err(PrintError::NotReady(state)) => state.as_str(),
        Err(PrintError::Lost(_) | PrintError::Stalled) => "ERROR",
    };
    let error = outcome.as_ref().err().map(|e| e.to_string());
    finish(
        db,
        &head,
        outcome.map(|_| ()).map_err(|e| e.to_string()),
        config,
    )
    .await?;
    record_status(queue, &printer, status, error.as_deref()).await?;
    Ok(Next::Sent)
}

/// Marks the try: DONE, back to QUEUED after a back-off, or FAILED once past the window.
async fn finish(
    db: &Db,
    job: &print_job::Model,
    outcome: Result<(), String>,
    config: &PrintConfig,
) -> AppResult<()> {
    let now = Utc::now();
    let update = print_job::Entity::update_many()
        .col_expr(
            print_job::Column::ClaimedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(print_job::Column::Id.eq(job.id))
        // Only the try this worker claimed: if its lease ran out and another worker took the
        // job over, that worker finishes it.
        .filter(print_job::Column::Status.eq(PrintJobStatus::Printing))
        .filter(print_job::Column::Attempts.eq(job.attempts + 1));
    let update = match outcome {
        Ok(()) => update
            .col_expr(print_job::Column::Status, Expr::value(PrintJobStatus::Done))
            .col_expr(print_job::Column::PrintedAt, Expr::value(now))
            .col_expr(
                print_job::Column::LastError,
                Expr::value(Option::<String>::None),
            ),
        Err(error) => {
            // The column holds 300 characters; the start of an error says what it is.
            let error: String = error.chars().take(300).collect();
            let attempts = job.attempts + 1;
            let window_start = job.retried_at.unwrap_or(job.created_at);
            // A drawer that opens minutes late opens with nobody at the till.
            let give_up = if job.kind == PrintJobKind::Drawer {
                chrono_of(std::cmp::min(config.give_up_after, DRAWER_GIVE_UP))
            } else {
                chrono_of(config.give_up_after)
            };
            let wait = chrono_of(config.backoff_after(attempts));
            let status = if now - window_start >= give_up {
                PrintJobStatus::Failed
            } else {
                PrintJobStatus::Queued
            };
            if status == PrintJobStatus::Failed {
                tracing::warn!(
                    "print job {} FAILED after {attempts} tries: {error}",
                    job.id
                );
            }
            update
                .col_expr(print_job::Column::Status, Expr::value(status))
                .col_expr(print_job::Column::NextAttemptAt, Expr::value(now + wait))
                .col_expr(print_job::Column::LastError, Expr::value(error))
        }
    };
    if update.exec(db.conn()).await?.rows_affected != 1 {
        tracing::warn!("print job {}: taken over while it was being sent", job.id);
    }
    Ok(())
}

/// Stores what the printer said, and tells the outlet's pages when that changed.
async fn record_status(
    queue: &Queue,
    printer: &printer::Model,
    status: &str,
    error: Option<&str>,
) -> AppResult<()> {
    if printer.status == status {
        return Ok(());
    }
    let txn = queue.db.begin().await?;
    let now = Utc::now();
    let moved = printer::Entity::update_many()
        .col_expr(printer::Column::Status, Expr::value(status))
        .col_expr(printer::Column::StatusAt, Expr::value(now))
        .filter(printer::Column::Id.eq(printer.id))
        .filter(printer::Column::Status.ne(status))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 1 {
        let unprinted = print_job::Entity::find()
            .filter(print_job::Column::PrinterId.eq(printer.id))
            .filter(print_job::Column::Status.ne(PrintJobStatus::Done))
            .count(&txn)
            .await?;
        let now_is = printer::Model {
            status: status.to_owned(),
            status_at: Some(now),
            ..printer.clone()
        };
        events::record(
            &txn,
            Event::PrinterStatus {
                printer: &now_is,
                previous: &printer.status,
                error,
                unprinted,
            },
        )
        .await?;
        if status == "OK" {
            tracing::info!("printer {} is back", printer.name);
        } else {
            tracing::warn!("printer {}: {status}", printer.name);
        }
    }
    txn.commit().await?;
    if moved.rows_affected == 1 {
        queue.realtime.announce();
    }
    Ok(())
}

fn chrono_of(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// "CETAK ULANG" (reprint) across the top, before a job that may already have printed.
fn reprint_banner(printer: &printer::Model, labels: &Labels) -> Vec<u8> {
    let doc = Document {
        blocks: vec![Block::Text {
            text: labels.reprint.to_owned(),
            align: Align::Center,
            bold: true,
            size: Size::Double,
        }],
        cut: false,
        kick_drawer: false,
    };
    encode(
        &doc,
        Paper::from_width_mm(printer.paper_width_mm.unsigned_abs()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_follows_the_schedule_then_repeats_the_last_wait() {
        let config = PrintConfig::default();
        let waits: Vec<u64> = (1..=8).map(|n| config.backoff_after(n).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 5, 10, 30, 60, 60, 60]);
    }
}
