//! Database connection setup and the few backend differences Kedai cares about.
//!
//! One code path serves SQLite and PostgreSQL. SQLite gets WAL, `synchronous=FULL`, foreign
//! keys and a busy timeout on *every* pooled connection.
//!
//! SQLite writes one transaction at a time, and with `synchronous=FULL` each commit waits for
//! the disk. Write transactions therefore go through one committer task that owns the writer
//! connection (group commit): it opens `BEGIN IMMEDIATE`, hands each waiting writer a
//! savepoint of its own, one after the other, and after the last waiting one commits them all
//! at once. A writer that fails rolls back its savepoint alone; `WriteTxn::commit` returns only
//! after the shared commit is on disk, so a 2xx still means committed. PostgreSQL commits
//! each transaction by itself (its WAL already shares flushes between commits).

use std::{
    ops::Deref,
    time::{Duration, Instant},
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, QueryTrait,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

/// Advisory-lock keys (PostgreSQL). On SQLite the immediate write transaction already
/// serializes writers, so these are no-ops there.
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum LockKey {
    Migrations = 0x6b65_6461_6900_0001,
    Users = 0x6b65_6461_6900_0002,
    /// The relay's numbering of outbox rows (`events::sequence`); writers never take it.
    Events = 0x6b65_6461_6900_0003,
}

/// Connections of one pool: lent out, open and free, and the most it may open.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolUse {
    fn of<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> Self {
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        PoolUse {
            in_use: pool.size().saturating_sub(idle),
            idle,
            max: pool.options().get_max_connections(),
        }
    }
}

/// Transactions that may commit together at most (SQLite); 1 commits each alone.
pub const GROUP_COMMIT_MAX: usize = 64;
/// PostgreSQL connections an instance opens at most, unless configured.
pub const PG_CONNECTIONS: u32 = 20;
/// SQLite read connections (each runs on its own thread; writes have their own one).
const SQLITE_READERS: u32 = 8;
/// How long a writer waits for its turn before the request gets 503.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(3);

/// The connection pools plus how to open a write transaction.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// Write transactions. On SQLite a pool of one connection, used by the committer: writers
    /// queue for it in order and without sleeping, instead of in SQLite's busy handler (whose
    /// back-off sleeps made long tails under load). On PostgreSQL the same pool as `conn`.
    writer: DatabaseConnection,
    /// SQLite: the committer's queue.
    turns: Option<mpsc::UnboundedSender<Turn>>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        Self::connect_with(url, GROUP_COMMIT_MAX, PG_CONNECTIONS).await
    }

    /// `group_max`: SQLite transactions that may share one commit (1: each commits alone);
    /// `pg_connections`: the PostgreSQL pool's size.
    pub async fn connect_with(
        url: &str,
        group_max: usize,
        pg_connections: u32,
    ) -> Result<Self, DbErr> {
        let sqlite = url.starts_with("sqlite:");
        let size = if sqlite {
            SQLITE_READERS
        } else {
            pg_connections
        };
        let mut conn = Database::connect(Self::options(url, size)).await?;
        conn.set_metric_callback(|_| crate::metrics::count_statement());
        if !sqlite {
            return Ok(Db {
                writer: conn.clone(),
                conn,
                turns: None,
            });
        }
        let mut writer = Database::connect(Self::options(url, 1)).await?;
        writer.set_metric_callback(|_| crate::metrics::count_statement());
        let (turns, queue) = mpsc::unbounded_channel();
        tokio::spawn(commit_in_groups(writer.clone(), queue, group_max.max(1)));
        Ok(Db {
            conn,
            writer,
            turns: Some(turns),
        })
    }

    fn options(url: &str, max_connections: u32) -> ConnectOptions {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            // Statements may carry personal data; never log them.
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(3))
            // Fail fast (→ 503) when the database is gone instead of queueing requests.
            .acquire_timeout(Duration::from_secs(3))
            .max_connections(max_connections)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    // FULL: an acknowledged commit survives a power cut, not only a crash.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        options
    }

    /// For reads and single statements.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// How busy the pools are (`reads` and, on SQLite, the one-connection `writes`).
    pub fn pools(&self) -> Vec<(&'static str, PoolUse)> {
        let usage = |conn: &DatabaseConnection| match conn.get_database_backend() {
            DbBackend::Sqlite => PoolUse::of(conn.get_sqlite_connection_pool()),
            _ => PoolUse::of(conn.get_postgres_connection_pool()),
        };
        match self.backend() {
            DbBackend::Sqlite => vec![
                ("reads", usage(&self.conn)),
                ("writes", usage(&self.writer)),
            ],
            _ => vec![("all", usage(&self.conn))],
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Starts a transaction that will write (on SQLite: a savepoint in the next shared
    /// commit, once the writers before it are done).
    pub async fn begin(&self) -> Result<WriteTxn, DbErr> {
        let Some(turns) = &self.turns else {
            return Ok(WriteTxn {
                txn: self.writer.begin().await?,
                member: None,
            });
        };
        let (reply, turn) = oneshot::channel();
        turns
            .send(Turn { reply })
            .map_err(|_| DbErr::Custom("the committer has stopped".into()))?;
        match tokio::time::timeout(WRITE_TURN_TIMEOUT, turn).await {
            Ok(Ok(txn)) => txn,
            Ok(Err(_)) => Err(DbErr::Custom("the committer has stopped".into())),
            Err(_) => Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
        }
    }

    /// A read-only transaction that sees one snapshot throughout (a SQLite read transaction
    /// is one by itself; PostgreSQL needs REPEATABLE READ for it).
    pub async fn read_snapshot(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend() {
            DbBackend::Postgres => {
                self.conn
                    .begin_with_config(
                        Some(sea_orm::IsolationLevel::RepeatableRead),
                        Some(sea_orm::AccessMode::ReadOnly),
                    )
                    .await
            }
            _ => self.conn.begin().await,
        }
    }

    /// Applies pending migrations. On PostgreSQL this holds an advisory lock for the whole
    /// run, so instances starting together take turns instead of racing on DDL.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let txn = begin_immediate(&self.writer).await?;
        lock(&txn, LockKey::Migrations).await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    }

    /// A consistent copy of a SQLite database, taken online (`VACUUM INTO`: one read
    /// transaction, so concurrent writers neither block nor tear the copy) into a new file,
    /// created first so that it is private (`VACUUM INTO` accepts an empty file).
    pub async fn backup_to(&self, file: &std::path::Path) -> Result<(), DbErr> {
        let path = file
            .to_str()
            .ok_or_else(|| DbErr::Custom("backup path is not UTF-8".into()))?;
        crate::files::create_private_file(file)
            .map_err(|err| DbErr::Custom(format!("cannot create {path}: {err}")))?;
        let copied = self
            .conn
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [path.into()],
            ))
            .await;
        if copied.is_err() {
            // No half-made or empty file that looks like a backup.
            let _ = std::fs::remove_file(file);
        }
        copied.map(|_| ())
    }

    /// Runs a trivial query (health checks).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }
}

async fn begin_immediate(writer: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    writer
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
}

/// A write transaction. Use it as a `DatabaseTransaction`; end it with [`WriteTxn::commit`]
/// (dropping it rolls back).
pub struct WriteTxn {
    // Dropped first: a rollback is queued on the connection before the committer hears of it.
    txn: DatabaseTransaction,
    member: Option<Member>,
}

/// A writer's place in a shared commit.
struct Member {
    /// Tells the committer this writer is done: `true` if its savepoint was released.
    done: Option<oneshot::Sender<bool>>,
    /// The shared commit's outcome.
    committed: oneshot::Receiver<Result<(), String>>,
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(false);
        }
    }
}

impl WriteTxn {
    /// Commits; on SQLite, returns once the shared commit holding this transaction is done.
    pub async fn commit(self) -> Result<(), DbErr> {
        let WriteTxn { txn, member } = self;
        let released = txn.commit().await;
        let Some(mut member) = member else {
            return released;
        };
        if let Some(done) = member.done.take() {
            let _ = done.send(released.is_ok());
        }
        released?;
        match (&mut member.committed).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(DbErr::Custom(format!("the shared commit failed: {err}"))),
            Err(_) => Err(DbErr::Custom("the shared commit was abandoned".into())),
        }
    }
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}

/// Writes sent as one round trip (inserts that need nothing back): on SQLite one
/// multi-statement call (its driver binds the `?` parameters across the statements in order),
/// on PostgreSQL one statement whose parts are data-modifying CTEs. Either way a failure
/// fails the whole call, and the transaction around it rolls it back.
pub struct Batch {
    backend: DbBackend,
    statements: Vec<Statement>,
}

impl Batch {
    pub fn new(backend: DbBackend) -> Self {
        Batch {
            backend,
            statements: Vec::new(),
        }
    }

    pub fn push(&mut self, query: &impl QueryTrait) {
        self.statements.push(query.build(self.backend));
    }

    pub fn push_statement(&mut self, statement: Statement) {
        self.statements.push(statement);
    }

    pub async fn run(self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        if let Some(statement) = self.combined() {
            conn.execute_raw(statement).await?;
        }
        Ok(())
    }

    fn combined(self) -> Option<Statement> {
        let backend = self.backend;
        let mut statements = self.statements;
        if statements.len() <= 1 {
            return statements.pop();
        }
        let mut values = Vec::new();
        let mut parts = Vec::new();
        for statement in statements {
            let part = match backend {
                // `$1`… number each statement's parameters from 1: shift them past the ones
                // before.
                DbBackend::Postgres => renumber_parameters(&statement.sql, values.len()),
                _ => statement.sql,
            };
            parts.push(part);
            values.extend(statement.values.map(|v| v.0).unwrap_or_default());
        }
        let sql = match backend {
            DbBackend::Postgres => {
                let last = parts.pop().unwrap_or_default();
                let ctes: Vec<String> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, part)| format!("w{i} AS ({part})"))
                    .collect();
                format!("WITH {} {last}", ctes.join(", "))
            }
            _ => parts.join(";\n"),
        };
        Some(Statement::from_sql_and_values(backend, sql, values))
    }
}

/// `sql` with every `$N` parameter outside quotes moved to `$(N + offset)`.
fn renumber_parameters(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                let n: usize = digits.parse().unwrap_or(0);
                out.push('$');
                out.push_str(&(n + offset).to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A writer waiting for its savepoint.
struct Turn {
    reply: oneshot::Sender<Result<WriteTxn, DbErr>>,
}

/// The SQLite committer: one `BEGIN IMMEDIATE … COMMIT` per group of writers that were
/// waiting, each writer in its own savepoint, strictly one after the other. A group ends when
/// nobody else waits, at `group_max` writers, or when a writer rolls back (SQLite may have
/// undone the whole transaction after some errors, so nobody else joins it).
async fn commit_in_groups(
    writer: DatabaseConnection,
    mut queue: mpsc::UnboundedReceiver<Turn>,
    group_max: usize,
) {
    let mut next = queue.recv().await;
    while let Some(first) = next.take() {
        let group = match begin_immediate(&writer).await {
            Ok(group) => group,
            Err(err) => {
                let _ = first.reply.send(Err(err));
                next = queue.recv().await;
                continue;
            }
        };
        let started = Instant::now();
        let mut members = Vec::new();
        let mut turn = Some(first);
        while let Some(Turn { reply }) = turn.take() {
            // A writer that gave up waiting (its request timed out or went away): skip it.
            if reply.is_closed() {
                turn = queue.try_recv().ok();
                continue;
            }
            let savepoint = match group.begin().await {
                Ok(savepoint) => savepoint,
                Err(err) => {
                    let _ = reply.send(Err(err));
                    break;
                }
            };
            let (done, done_here) = oneshot::channel();
            let (committed_here, committed) = oneshot::channel();
            let txn = WriteTxn {
                txn: savepoint,
                member: Some(Member {
                    done: Some(done),
                    committed,
                }),
            };
            // A writer that gave up waiting drops the transaction here (rolled back).
            let _ = reply.send(Ok(txn));
            if done_here.await != Ok(true) {
                break;
            }
            members.push(committed_here);
            if members.len() < group_max {
                turn = queue.try_recv().ok();
            }
        }
        let outcome = if members.is_empty() {
            group.rollback().await
        } else {
            group.commit().await
        };
        if members.len() > 1 {
            tracing::trace!(writers = members.len(), took = ?started.elapsed(), "shared commit");
        }
        let outcome = outcome.map_err(|err| err.to_string());
        for member in members {
            let _ = member.send(outcome.clone());
        }
        next = queue.recv().await;
    }
}

/// Whether `err` means the database could not be reached (down, restarting, connection cut)
/// rather than that the statement was wrong: the request may be retried, and is answered 503.
pub fn is_connection_lost(err: &DbErr) -> bool {
    use sea_orm::{sqlx::Error, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                Error::Io(_)
                | Error::Tls(_)
                | Error::Protocol(_)
                | Error::PoolTimedOut
                | Error::PoolClosed
                | Error::WorkerCrashed => true,
                // PostgreSQL: class 08 is "connection exception"; 57P01–57P03 are an
                // administrator shutdown, a crash shutdown and "cannot connect now" (starting).
                Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Serializes writers of one kind until the transaction ends (PostgreSQL advisory lock).
pub async fn lock(txn: &DatabaseTransaction, key: LockKey) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [(key as i64).into()],
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{sqlx, RuntimeErr};

    use super::*;

    fn query_err(err: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
    }

    #[test]
    fn a_batch_is_one_statement_with_its_parameters_in_order() {
        let statement = |backend, sql: &str, values: Vec<sea_orm::Value>| {
            Statement::from_sql_and_values(backend, sql, values)
        };
        let mut batch = Batch::new(DbBackend::Postgres);
        batch.push_statement(statement(
            DbBackend::Postgres,
            r#"INSERT INTO "a" ("x", "$1") VALUES ($1, $2)"#,
            vec![1.into(), 2.into()],
        ));
        batch.push_statement(statement(
            DbBackend::Postgres,
            "INSERT INTO b VALUES ($1, '$2')",
            vec![3.into()],
        ));
        let combined = batch.combined().unwrap();
        assert_eq!(
            combined.sql,
            r#"WITH w0 AS (INSERT INTO "a" ("x", "$1") VALUES ($1, $2)) INSERT INTO b VALUES ($3, '$2')"#
        );
        assert_eq!(combined.values.unwrap().0.len(), 3);

        let mut batch = Batch::new(DbBackend::Sqlite);
        batch.push_statement(statement(
            DbBackend::Sqlite,
            "INSERT INTO a VALUES (?)",
            vec![1.into()],
        ));
        batch.push_statement(statement(
            DbBackend::Sqlite,
            "INSERT INTO b VALUES (?)",
            vec![2.into()],
        ));
        let combined = batch.combined().unwrap();
        assert_eq!(
            combined.sql,
            "INSERT INTO a VALUES (?);\nINSERT INTO b VALUES (?)"
        );
        assert_eq!(combined.values.unwrap().0, vec![1.into(), 2.into()]);
    }

    #[test]
    fn a_cut_connection_is_connection_lost_but_a_bad_row_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_connection_lost(&query_err(sqlx::Error::Io(reset))));
        assert!(is_connection_lost(&query_err(sqlx::Error::PoolTimedOut)));
        assert!(!is_connection_lost(&query_err(sqlx::Error::RowNotFound)));
        assert!(!is_connection_lost(&DbErr::RecordNotFound("order".into())));
    }
}
