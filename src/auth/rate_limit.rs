//! Failed-login throttling, per username and per client address.
//!
//! In memory and per instance: enough to stop password guessing on a shop LAN. Only failures
//! count, so a cashier who types the password right is never slowed down.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Allows `max_failures` within `window` per key, then refuses until the window has passed.
pub struct FailureLimiter {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    window_start: Instant,
}

/// Entries kept before old ones are swept, so a flood of random usernames cannot grow memory.
const SWEEP_AT: usize = 10_000;

impl FailureLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        FailureLimiter {
            max_failures,
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` while `key` is locked out.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    pub fn record_failure(&self, key: &str) {
        self.record_failure_at(key, Instant::now());
    }

    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        match self.lock().get(key) {
            Some(entry) if entry.failures >= self.max_failures => {
                let elapsed = now.saturating_duration_since(entry.window_start);
                match self.window.checked_sub(elapsed) {
                    Some(left) if !left.is_zero() => Err(left.as_secs().max(1)),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    fn record_failure_at(&self, key: &str, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= SWEEP_AT {
            let window = self.window;
            entries.retain(|_, e| now.saturating_duration_since(e.window_start) < window);
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            window_start: now,
        });
        if now.saturating_duration_since(entry.window_start) >= self.window {
            *entry = Entry {
                failures: 0,
                window_start: now,
            };
        }
        entry.failures += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A poisoned map only holds counters; keep using it.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The two limits login applies.
pub struct LoginLimits {
    pub per_username: FailureLimiter,
    pub per_address: FailureLimiter,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_username: FailureLimiter::new(5, Duration::from_secs(15 * 60)),
            per_address: FailureLimiter::new(20, Duration::from_secs(15 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_until_the_window_ends() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("ana", t0).is_ok());
            limiter.record_failure_at("ana", t0);
        }
        assert_eq!(
            limiter.check_at("ana", t0 + Duration::from_secs(10)),
            Err(50)
        );
        assert!(limiter.check_at("budi", t0).is_ok());
        assert!(limiter
            .check_at("ana", t0 + Duration::from_secs(61))
            .is_ok());
    }

    #[test]
    fn clearing_forgets_failures() {
        let limiter = FailureLimiter::new(1, Duration::from_secs(60));
        limiter.record_failure("ana");
        assert!(limiter.check("ana").is_err());
        limiter.clear("ana");
        assert!(limiter.check("ana").is_ok());
    }
}
