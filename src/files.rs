//! Files Kedai writes hold password hashes, guest tokens and the token secret, so on Unix
//! the data folder is 0700 and every file in it 0600, from creation on. SQLite creates its
//! `-wal` and `-shm` files with the database file's mode, so a private database file keeps
//! them private too.

use std::{
    fs::{File, OpenOptions},
    io,
    path::{Path, PathBuf},
};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Files whose presence marks a folder as Kedai's own data folder.
const DATA_FILES: [&str; 2] = ["kedai.db", "jwt-secret"];

/// Creates `dir` (and its parents) readable by this user only. An existing folder is tightened
/// when it is a Kedai data folder (an older install's); any other folder someone pointed
/// Kedai at (their home, a shared folder) is left as it is, with a warning.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        return builder.create(dir);
    }
    if DATA_FILES.iter().any(|name| dir.join(name).exists()) {
        return restrict(dir, 0o700);
    }
    if is_open(dir)? {
        tracing::warn!(
            folder = %dir.display(),
            "the data folder can be read by other users of this computer; Kedai's files in it are private"
        );
    }
    Ok(())
}

/// Holds `<dir>/kedai.lock` locked while the returned file is open; `None` when another
/// process holds it. The operating system drops the lock when the process ends, however it
/// ends, so a crashed server never blocks the next start.
pub fn lock_data_folder(dir: &Path) -> io::Result<Option<File>> {
    let path = dir.join("kedai.lock");
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    let file = options.open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(err)) => Err(err),
    }
}

/// A SQLite database file and the `-wal` and `-shm` files SQLite keeps beside it.
pub fn database_files(file: &Path) -> [PathBuf; 3] {
    ["", "-wal", "-shm"].map(|suffix| {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// Creates a new file (an error if it exists) readable by this user only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)
}

/// The SQLite database behind `url` readable by this user only: created empty when the URL
/// lets SQLite create it (`mode=rwc`; SQLite takes an empty file as an empty database) or,
/// from an older install, tightened, with its `-wal` and `-shm` files.
pub fn private_database(url: &str) -> io::Result<()> {
    let Some(file) = sqlite_file(url) else {
        return Ok(());
    };
    let creates = url
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|p| p == "mode=rwc"));
    if !creates && !file.exists() {
        return Ok(());
    }
    match create_private_file(&file) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            for path in database_files(&file) {
                if path.exists() {
                    restrict(&path, 0o600)?;
                }
            }
            Ok(())
        }
        Err(err) => Err(err),
    }
}

/// The file of a `sqlite:` URL (percent-escapes decoded, as sqlx reads it); `None` for
/// PostgreSQL and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    Some(PathBuf::from(percent_decode(path)?))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether others than this user may read or enter `path`.
#[cfg(unix)]
fn is_open(path: &Path) -> io::Result<bool> {
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn is_open(_path: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        let file = |url| sqlite_file(url).map(|p| p.display().to_string());
        assert_eq!(
            file("sqlite:///srv/kedai/kedai.db?mode=rwc").as_deref(),
            Some("/srv/kedai/kedai.db")
        );
        assert_eq!(
            file("sqlite://kedai-data/k.db").as_deref(),
            Some("kedai-data/k.db")
        );
        assert_eq!(file("sqlite:k.db").as_deref(), Some("k.db"));
        assert_eq!(
            file("sqlite:///srv/my%20data/k.db?mode=rwc").as_deref(),
            Some("/srv/my data/k.db")
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://x.db?mode=memory&cache=shared"), None);
        assert_eq!(file("postgres://postgres@127.0.0.1/kedai"), None);
    }

    #[cfg(unix)]
    #[test]
    fn an_older_installs_folder_and_database_are_tightened() {
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("kedai.db");
        for file in [&db, &dir.join("kedai.db-wal")] {
            std::fs::write(file, b"").unwrap();
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_dir(&dir).unwrap();
        private_database(&format!("sqlite://{}?mode=rwc", db.display())).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&dir.join("kedai.db-wal")), 0o600);

        let fresh = dir.join("sub/new.db");
        private_dir(fresh.parent().unwrap()).unwrap();
        assert_eq!(mode(fresh.parent().unwrap()), 0o700);
        private_database(&format!("sqlite://{}", fresh.display())).unwrap();
        assert!(
            !fresh.exists(),
            "created only where the URL lets SQLite create it"
        );
        private_database(&format!("sqlite://{}?mode=rwc", fresh.display())).unwrap();
        assert_eq!(mode(&fresh), 0o600);

        // A folder that is not Kedai's (say, someone's home) keeps its mode.
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o755);
    }
}
