//! SQLite backups into `<data dir>/backups/`: made with `VACUUM INTO` while the server runs,
//! each checked with `PRAGMA integrity_check` before it counts, the oldest removed beyond the
//! keep count, and never when the copy would leave the disk under 5 % free.

use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::{db::Db, files::database_files};

/// Backups are skipped when the disk would be left with less free space than this share.
const MIN_FREE_SHARE: f64 = 0.05;
const PREFIX: &str = "kedai-";
const SUFFIX: &str = ".db";

pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// How the latest scheduled backup went (kept in memory for `/health` and /admin).
#[derive(Debug, Clone)]
pub struct LastBackup {
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Not attempted: too little free disk.
    Skipped,
    Failed,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// The scheduler's memory of the latest attempt.
#[derive(Debug, Default)]
pub struct BackupState(Mutex<Option<LastBackup>>);

impl BackupState {
    pub fn last(&self) -> Option<LastBackup> {
        self.0.lock().map(|last| last.clone()).unwrap_or(None)
    }

    fn set(&self, last: LastBackup) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(last);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("not enough free disk: {free} bytes free of {total}, the copy needs about {needed}")]
    DiskFull { free: u64, total: u64, needed: u64 },
    #[error("the copy failed its integrity check: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Database(#[from] sea_orm::DbErr),
}

/// One backup file and whether it passed its integrity check.
#[derive(Debug, Clone)]
pub struct BackupFile {
    pub path: PathBuf,
    pub bytes: u64,
    pub verified: Result<(), String>,
}

/// Makes one verified backup now and prunes beyond `keep`; returns the new file.
pub async fn back_up(db: &Db, data_dir: &Path, keep: usize) -> Result<PathBuf, BackupError> {
    let dir = folder(data_dir);
    crate::files::private_dir(&dir)?;
    let needed = database_bytes(data_dir);
    let free = fs4::available_space(&dir)?;
    let total = fs4::total_space(&dir)?;
    let left = free.saturating_sub(needed);
    #[allow(clippy::cast_precision_loss)]
    if (left as f64) < (total as f64) * MIN_FREE_SHARE {
        return Err(BackupError::DiskFull {
            free,
            total,
            needed,
        });
    }
    let name = format!("{PREFIX}{}{SUFFIX}", Utc::now().format("%Y%m%d-%H%M%S%.3f"));
    let partial = dir.join(format!("{name}.partial"));
    db.backup_to(&partial).await?;
    if let Err(problem) = verify(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Corrupt(problem));
    }
    // The slow part (checking the older ones) comes first, so the folder goes from `keep`
    // verified backups to `keep` again with no visible step in between.
    let surplus = beyond_keep(data_dir, keep.saturating_sub(1)).await;
    let file = dir.join(name);
    std::fs::rename(&partial, &file)?;
    for old in surplus {
        if let Err(err) = std::fs::remove_file(&old) {
            tracing::warn!(file = %old.display(), error = %err, "cannot remove an old backup");
        }
    }
    Ok(file)
}

/// `PRAGMA integrity_check` on `file`, opened read-only.
pub async fn verify(file: &Path) -> Result<(), String> {
    let path = file.to_str().ok_or("the path is not UTF-8")?;
    if !file.is_file() {
        return Err("no such file".into());
    }
    let url = format!("sqlite://{path}?mode=ro");
    let conn = Database::connect(url).await.map_err(|e| e.to_string())?;
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await;
    let _ = conn.close().await;
    let rows = rows.map_err(|e| e.to_string())?;
    let answers: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    if answers == ["ok"] {
        Ok(())
    } else {
        Err(answers.join("; "))
    }
}

/// The backups in `<data dir>/backups/`, oldest first, each verified.
pub async fn list(data_dir: &Path) -> std::io::Result<Vec<BackupFile>> {
    let mut files = Vec::new();
    for path in backup_paths(&folder(data_dir))? {
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let verified = verify(&path).await;
        files.push(BackupFile {
            path,
            bytes,
            verified,
        });
    }
    Ok(files)
}

/// The oldest verified backups beyond `keep` (a corrupt file is reported by `list`, not
/// counted, and left for a person to look at).
async fn beyond_keep(data_dir: &Path, keep: usize) -> Vec<PathBuf> {
    let Ok(files) = list(data_dir).await else {
        return Vec::new();
    };
    let verified: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| f.verified.is_ok())
        .map(|f| f.path)
        .collect();
    let surplus = verified.len().saturating_sub(keep);
    verified.into_iter().take(surplus).collect()
}

/// Backup files by name, which sorts them by time.
fn backup_paths(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

fn database_bytes(data_dir: &Path) -> u64 {
    database_files(&data_dir.join("kedai.db"))
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|m| m.len())
        .sum()
}

/// Backs up every `every` until the server stops (the task ends with the runtime). The first
/// one comes when the newest backup on disk is `every` old, but not sooner than a minute
/// after start: a shop PC switched off every night still gets its daily backup.
pub fn schedule(
    db: Db,
    data_dir: PathBuf,
    every: Duration,
    keep: usize,
    state: std::sync::Arc<BackupState>,
) {
    let settle = every.min(Duration::from_secs(60));
    let newest_age = backup_paths(&folder(&data_dir))
        .ok()
        .and_then(|paths| paths.last().cloned())
        .and_then(|newest| std::fs::metadata(newest).and_then(|m| m.modified()).ok())
        .and_then(|modified| modified.elapsed().ok());
    let first = newest_age.map_or(settle, |age| every.saturating_sub(age).max(settle));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let outcome = match back_up(&db, &data_dir, keep).await {
                Ok(file) => {
                    tracing::info!(file = %file.display(), "backup made and verified");
                    Outcome::Ok
                }
                Err(err @ BackupError::DiskFull { .. }) => {
                    tracing::warn!(error = %err, "backup skipped");
                    Outcome::Skipped
                }
                Err(err) => {
                    tracing::warn!(error = %err, "backup failed");
                    Outcome::Failed
                }
            };
            state.set(LastBackup {
                at: Utc::now(),
                outcome,
            });
        }
    });
}

/// `kedai restore FILE`: verifies FILE and puts it in place of `<data dir>/kedai.db`, keeping
/// the replaced database (and its `-wal`/`-shm`) beside it as `kedai.db.replaced-<time>`.
/// The caller holds the data-folder lock, so no server is running on it.
pub async fn restore(file: &Path, data_dir: &Path) -> Result<Option<PathBuf>, String> {
    verify(file)
        .await
        .map_err(|problem| format!("{} is not a usable backup: {problem}", file.display()))?;
    let target = data_dir.join("kedai.db");
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let kept = target
        .exists()
        .then(|| data_dir.join(format!("kedai.db.replaced-{stamp}")));
    if let Some(kept) = &kept {
        for (from, to) in database_files(&target).iter().zip(database_files(kept)) {
            if from.exists() {
                std::fs::rename(from, to).map_err(|e| e.to_string())?;
            }
        }
    }
    let mut copy = crate::files::create_private_file(&target).map_err(|e| e.to_string())?;
    let mut source = std::fs::File::open(file).map_err(|e| e.to_string())?;
    std::io::copy(&mut source, &mut copy).map_err(|e| e.to_string())?;
    copy.sync_all().map_err(|e| e.to_string())?;
    Ok(kept)
}
