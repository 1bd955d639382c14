//! Token checks from memory. Every staff request needs the account as it is now (active, role,
//! outlet, token version, the tablet not revoked); reading it from the database for each
//! request was most of the cost of a read. `StaffCache` keeps the answer of that check per
//! token for a short while and forgets everything at once when any account or tablet changes:
//!
//! - the instance that made the change clears its cache before answering the request;
//! - the others clear theirs when the change's notice arrives over Redis (`realtime::bus`);
//! - a notice that never arrives (Redis down) cannot matter for longer than `ttl`, the
//!   relay's poll interval: an entry older than that is checked against the database again.
//!
//! A check that read the database while a change was being made must not put its (possibly
//! old) answer back after the clear: each clear bumps a generation, and an answer is only
//! kept when the generation it was read under is still current.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

use super::Staff;

/// Entries kept at most; past it the cache starts over (a shop has tens of tokens in use).
const MAX_ENTRIES: usize = 10_000;

pub struct StaffCache {
    ttl: Duration,
    generation: AtomicU64,
    /// By the SHA-256 of the token, so the tokens themselves are not kept.
    entries: Mutex<HashMap<[u8; 32], (Staff, Instant)>>,
}

impl StaffCache {
    pub fn new(ttl: Duration) -> Self {
        StaffCache {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The generation to pass to [`StaffCache::keep`] for a check that starts now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The staff member behind `token`, if it was checked less than `ttl` ago and nothing
    /// changed since.
    pub fn get(&self, token: &str) -> Option<Staff> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&digest(token))
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(staff, _)| staff.clone())
    }

    /// Remembers a check made under `generation` (dropped if a change came meanwhile).
    pub fn keep(&self, token: &str, staff: &Staff, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Under the lock: a clear either happened before (and the generation shows it) or
        // waits for this insert and removes it.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(digest(token), (staff.clone(), Instant::now()));
    }

    /// Forgets every answer: an account or a tablet changed.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::auth::Role;

    fn staff() -> Staff {
        Staff {
            user_id: Uuid::now_v7(),
            username: "sari".into(),
            role: Role::Kasir,
            outlet_id: None,
            device_id: None,
        }
    }

    #[test]
    fn a_check_read_before_a_clear_is_not_kept() {
        let cache = StaffCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.keep("a", &staff(), before);
        assert!(cache.get("a").is_some());
        let stale = cache.generation();
        cache.clear();
        assert!(cache.get("a").is_none());
        cache.keep("a", &staff(), stale);
        assert!(cache.get("a").is_none(), "read under the old generation");
        cache.keep("a", &staff(), cache.generation());
        assert!(cache.get("a").is_some());
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = StaffCache::new(Duration::ZERO);
        cache.keep("a", &staff(), cache.generation());
        assert!(cache.get("a").is_none());
    }
}
