//! argon2id password hashing, off the async runtime and bounded in parallelism.
//!
//! A hash costs tens of milliseconds of one core. Running it on the runtime would stall every
//! other request; running unbounded many at once would let a burst of logins starve them.

use std::sync::{Arc, OnceLock};

use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Argon2,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Passwords {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }
}

impl Passwords {
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against a stored hash. With `None` (unknown user) it still spends
    /// the time of a real check, so response timing does not reveal which usernames exist.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        self.run(move || {
            let hash = hash.as_deref().unwrap_or_else(|| dummy_hash());
            let ok = PasswordHash::new(hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            ok
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::internal("password hasher closed"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|err| AppError::internal(format!("password task failed: {err}")))
    }
}

fn hash_blocking(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::internal(format!("hashing failed: {err}")))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a real password").unwrap_or_default())
}

/// Length rules; counted in characters, not bytes.
pub fn check_password(password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(AppError::validation(
            "password",
            format!("password must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(AppError::validation(
            "password",
            format!("password must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let passwords = Passwords::default();
        let hash = passwords.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(passwords
            .verify("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!passwords
            .verify("wrong horse".into(), Some(hash))
            .await
            .unwrap());
        assert!(!passwords.verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn length_rules() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }
}
