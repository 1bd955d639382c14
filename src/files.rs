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

/// Creates `dir` (and its parents) readable by this user only; tightens it if it exists.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Creates a new file (an error if it exists) readable by this user only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)
}

/// The SQLite database behind `url` readable by this user only: created empty (SQLite takes
/// an empty file as an empty database) or, from an older install, tightened, with its
/// `-wal` and `-shm` files.
pub fn private_database(url: &str) -> io::Result<()> {
    let Some(file) = sqlite_file(url) else {
        return Ok(());
    };
    match create_private_file(&file) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                let path = PathBuf::from(name);
                if path.exists() {
                    restrict(&path, 0o600)?;
                }
            }
            Ok(())
        }
        Err(err) => Err(err),
    }
}

/// The file of a `sqlite:` URL; `None` for PostgreSQL and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
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
        private_database(&format!("sqlite://{}", fresh.display())).unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }
}
