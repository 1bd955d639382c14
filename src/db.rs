//! Database connection setup and the few backend differences Kedai cares about.
//!
//! One code path serves SQLite and PostgreSQL. SQLite gets WAL, `synchronous=FULL`, foreign
//! keys and a busy timeout on *every* pooled connection; write transactions run on a
//! one-connection writer pool and start with `BEGIN IMMEDIATE`, so writers queue instead of
//! failing half-way.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// Advisory-lock keys (PostgreSQL). On SQLite the immediate write transaction already
/// serializes writers, so these are no-ops there.
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum LockKey {
    Migrations = 0x6b65_6461_6900_0001,
    Users = 0x6b65_6461_6900_0002,
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

/// The connection pools plus how to open a write transaction.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// Write transactions. On SQLite a pool of one connection: writers queue here, in order
    /// and without sleeping, instead of in SQLite's busy handler (whose back-off sleeps made
    /// long tails under load). On PostgreSQL the same pool as `conn`.
    writer: DatabaseConnection,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let sqlite = url.starts_with("sqlite:");
        let mut conn = Database::connect(Self::options(url, if sqlite { 8 } else { 20 })).await?;
        conn.set_metric_callback(|_| crate::metrics::count_statement());
        let writer = if sqlite {
            let mut writer = Database::connect(Self::options(url, 1)).await?;
            writer.set_metric_callback(|_| crate::metrics::count_statement());
            writer
        } else {
            conn.clone()
        };
        Ok(Db { conn, writer })
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

    /// Starts a transaction that will write.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.writer
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// Applies pending migrations. On PostgreSQL this holds an advisory lock for the whole
    /// run, so instances starting together take turns instead of racing on DDL.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let txn = self.begin().await?;
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
    fn a_cut_connection_is_connection_lost_but_a_bad_row_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_connection_lost(&query_err(sqlx::Error::Io(reset))));
        assert!(is_connection_lost(&query_err(sqlx::Error::PoolTimedOut)));
        assert!(!is_connection_lost(&query_err(sqlx::Error::RowNotFound)));
        assert!(!is_connection_lost(&DbErr::RecordNotFound("order".into())));
    }
}
