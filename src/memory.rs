//! What the server remembers between requests instead of reading it again: the answer of a
//! token check (`auth::principal`) and an outlet's menu as orders read it (`service::menu`).
//! Both change rarely and are read on every request that takes an order. (Orders themselves
//! are remembered by `service::orders::OrderCache`, forgotten at every write.)
//!
//! Each kind is forgotten as a whole when anything it depends on changes:
//!
//! - the instance that made the change forgets as the request ends (the operations that can
//!   change it say so with `transform = "forgets_staff"` / `"forgets_menu"`, see
//!   `api::forgets_staff`); it forgets even when the request is cancelled;
//! - the others forget when the change's notice arrives over Redis (`realtime::bus`);
//! - a notice that never arrives (Redis down) cannot matter for longer than `ttl`, the
//!   relay's poll interval: an entry older than that is read from the database again.
//!
//! A read of the database made while a change was being made must not put its (possibly
//! old) answer back after the forgetting: each forgetting bumps a generation, and an answer
//! is only kept when the generation it was read under is still current.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::Staff,
    service::{menu::OutletMenu, orders::OrderCache},
};

/// What can be forgotten, each with the Redis channel that tells the other instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget {
    /// An account or a tablet changed: token checks are void.
    Staff,
    /// A dish, a choice, a category, a printer or an outlet's settings changed.
    Menu,
}

impl Forget {
    pub const ALL: [Forget; 2] = [Forget::Staff, Forget::Menu];

    pub fn channel(self) -> &'static str {
        match self {
            Forget::Staff => "kedai:staff",
            Forget::Menu => "kedai:menu",
        }
    }
}

/// Everything this instance remembers.
pub struct Memory {
    /// Token checks, by the SHA-256 of the token (the tokens themselves are not kept).
    pub staff: Remembered<[u8; 32], crate::auth::Staff>,
    /// Outlets' menus, by outlet id.
    pub menus: Remembered<Uuid, Arc<OutletMenu>>,
    /// Orders as last read, for `GET /orders/{id}`.
    pub orders: OrderCache,
}

impl Memory {
    /// Entries live at most `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Memory {
            // A shop has tens of tokens in use and a chain tens of outlets.
            staff: Remembered::new(ttl, 10_000),
            menus: Remembered::new(ttl, 1_000),
            orders: OrderCache::new(ttl),
        }
    }

    pub fn forget(&self, what: Forget) {
        match what {
            Forget::Staff => self.staff.clear(),
            Forget::Menu => self.menus.clear(),
        }
    }

    pub fn forget_all(&self) {
        Forget::ALL.into_iter().for_each(|what| self.forget(what));
        self.orders.forget();
    }

    /// The key a token check is remembered under.
    pub fn token_key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// A remembered token check.
    pub fn staff(&self, token: &str) -> Option<Staff> {
        self.staff.get(&Self::token_key(token))
    }
}

/// Answers by key, each for at most `ttl`, all forgotten at once by [`Remembered::clear`].
pub struct Remembered<K, V> {
    ttl: Duration,
    max_entries: usize,
    generation: AtomicU64,
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Hash + Eq, V: Clone> Remembered<K, V> {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Remembered {
            ttl,
            max_entries,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The generation to pass to [`Remembered::keep`] for a read that starts now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The answer for `key`, if kept less than `ttl` ago and nothing changed since.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(value, _)| value.clone())
    }

    /// Remembers an answer read under `generation` (dropped if a change came meanwhile).
    pub fn keep(&self, key: K, value: V, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Under the lock: a clear either happened before (and the generation shows it) or
        // waits for this insert and removes it.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= self.max_entries {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_made_before_a_clear_is_not_kept() {
        let memory = Remembered::new(Duration::from_secs(60), 10);
        let before = memory.generation();
        memory.keep("a", 1, before);
        assert_eq!(memory.get(&"a"), Some(1));
        let stale = memory.generation();
        memory.clear();
        assert_eq!(memory.get(&"a"), None);
        memory.keep("a", 1, stale);
        assert_eq!(memory.get(&"a"), None, "read under the old generation");
        memory.keep("a", 2, memory.generation());
        assert_eq!(memory.get(&"a"), Some(2));
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let memory = Remembered::new(Duration::ZERO, 10);
        memory.keep("a", 1, memory.generation());
        assert_eq!(memory.get(&"a"), None);
    }

    #[test]
    fn past_the_limit_it_starts_over() {
        let memory = Remembered::new(Duration::from_secs(60), 2);
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
            memory.keep(key, value, memory.generation());
        }
        assert_eq!(memory.get(&"a"), None);
        assert_eq!(memory.get(&"c"), Some(3));
    }

    #[test]
    fn forgetting_one_kind_keeps_the_other() {
        let memory = Memory::new(Duration::from_secs(60));
        let staff = Staff {
            user_id: Uuid::now_v7(),
            username: "sari".into(),
            role: crate::auth::Role::Kasir,
            outlet_id: None,
            device_id: None,
        };
        memory
            .staff
            .keep(Memory::token_key("t"), staff, memory.staff.generation());
        memory.forget(Forget::Menu);
        assert!(memory.staff("t").is_some());
        memory.forget(Forget::Staff);
        assert!(memory.staff("t").is_none());
    }
}
