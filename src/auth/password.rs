//! argon2id password hashing, off the async runtime and bounded in parallelism.
//!
//! A hash costs tens of milliseconds of one core. Running it on the runtime would stall every
//! other request; running unbounded many at once would let a burst of logins starve them.
//!
//! Each hash also needs 19 MiB of working memory. Left to the allocator, every blocking
//! thread that ever hashed kept its 19 MiB (glibc raises its mmap threshold after the first
//! free, so the next block comes from the thread's heap and stays there): 24 → 483 MiB after
//! 200 logins. So the memory is allocated here, larger than glibc's highest mmap threshold
//! (32 MiB): it is always a fresh mapping, only the used part is touched, and dropping it
//! gives it back to the system.

use std::sync::{Arc, OnceLock};

use argon2::{
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;

/// Blocks reserved per hash: 33 MiB, above glibc's 32 MiB mmap-threshold ceiling.
const RESERVED_BLOCKS: usize = 33 * 1024 * 1024 / Block::SIZE;
/// Stored hashes asking for more memory than this are refused (Kedai writes 19 MiB ones).
const MAX_BLOCKS: usize = 256 * 1024;
const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;

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
            verify_blocking(&password, hash)
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

/// argon2id with the crate's recommended parameters (m = 19 MiB, t = 2, p = 1), as a PHC
/// string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
fn hash_blocking(password: &str) -> AppResult<String> {
    let failed = |err: &dyn std::fmt::Display| AppError::internal(format!("hashing failed: {err}"));
    let params = Params::default();
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|err| failed(&err))?;
    let mut out = [0u8; OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        &params,
        password,
        &salt,
        &mut out,
    )
    .map_err(|err| failed(&err))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|err| failed(&err))?,
        salt: Some(Salt::new(&salt).map_err(|err| failed(&err))?),
        hash: Some(Output::new(&out).map_err(|err| failed(&err))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (false for a malformed one).
fn verify_blocking(password: &str, hash: &str) -> bool {
    let check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = match parsed.version {
            Some(version) => Version::try_from(version).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let (salt, expected) = (parsed.salt?, parsed.hash?);
        let mut out = vec![0u8; expected.len()];
        compute(algorithm, version, &params, password, &salt, &mut out).ok()?;
        // `Output`'s equality is constant-time.
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// One argon2 run in working memory of its own, returned to the system when it ends.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return Err(argon2::Error::MemoryTooMuch);
    }
    let mut memory = Vec::with_capacity(blocks.max(RESERVED_BLOCKS));
    memory.resize(blocks, Block::default());
    Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        out,
        &mut memory,
    )
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
    fn hashes_are_standard_phc_strings() {
        let hash = hash_blocking("correct horse").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        // The argon2 crate's own verifier accepts ours, and ours accepts its hashes.
        use argon2::{PasswordHasher, PasswordVerifier};
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        let theirs = Argon2::default()
            .hash_password(b"battery staple")
            .unwrap()
            .to_string();
        assert!(verify_blocking("battery staple", &theirs));
        assert!(!verify_blocking("battery stapler", &theirs));
        assert!(!verify_blocking("x", "not a hash"));
    }

    #[test]
    fn length_rules() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }
}
