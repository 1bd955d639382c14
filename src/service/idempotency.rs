//! `Idempotency-Key`: a retried request with the same key and body gets the first result and
//! creates nothing; the same key with another body is refused (422).
//!
//! The key row is inserted in the same transaction as what the request creates, so a key
//! exists exactly when its resource does. Two concurrent requests with one key serialize on
//! the key's primary key (PostgreSQL) or the write lock (SQLite): one creates, the other
//! then finds the key and replays.
//!
//! A key is scoped to its operation and caller (a staff member, or a guest's table session),
//! so nobody replays another caller's key. A replay answers with a *read* of the resource, under
//! the caller's visibility as it is now: callers check [`earlier`] before checking the request
//! against the current state (or, on the hot path of placing an order, only once the current
//! state refuses it), and answer both it and [`Claim::Earlier`] with their read (e.g.
//! `orders::get_order`), so a cashier moved to another outlet gets the read's 404, never the old
//! outlet's resource.

use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ConnectionTrait, DbBackend, EntityTrait, QueryTrait, Set, Statement,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    db::{Db, WriteTxn},
    entity::idempotency_key,
    error::{AppError, AppResult},
};

pub const MAX_KEY_LEN: usize = 255;

#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    scope: String,
    key: String,
    request_hash: String,
}

impl IdempotencyKey {
    /// `operation` and `caller` scope the key, so two callers never share one.
    pub fn new(operation: &str, caller: Uuid, key: &str, canonical_body: &str) -> AppResult<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::validation(
                "Idempotency-Key",
                format!("Idempotency-Key must be 1–{MAX_KEY_LEN} visible ASCII characters"),
            ));
        }
        let request_hash = format!("{:x}", Sha256::digest(canonical_body.as_bytes()));
        Ok(IdempotencyKey {
            scope: format!("{operation}:{caller}"),
            key: key.to_owned(),
            request_hash,
        })
    }

    /// The key of a request that sent an `Idempotency-Key` (`key`); the canonical body is only
    /// computed then.
    pub fn from_header(
        operation: &str,
        caller: Uuid,
        key: Option<&str>,
        canonical_body: impl FnOnce() -> String,
    ) -> AppResult<Option<Self>> {
        key.map(|key| Self::new(operation, caller, key, &canonical_body()))
            .transpose()
    }

    /// The resource an earlier request with this key created; 422 if its body differed.
    async fn earlier_result(&self, conn: &impl ConnectionTrait) -> AppResult<Option<Uuid>> {
        let found = idempotency_key::Entity::find_by_id((self.scope.clone(), self.key.clone()))
            .one(conn)
            .await?;
        match found {
            Some(row) if row.request_hash != self.request_hash => Err(AppError::Unprocessable {
                code: "IDEMPOTENCY_KEY_REUSED",
                detail: "this Idempotency-Key was used with a different request".into(),
            }),
            Some(row) => Ok(Some(row.resource_id)),
            None => Ok(None),
        }
    }

    /// The insert that claims the key for `resource_id` and does nothing when it is taken (to
    /// run alone, or together with other work in one statement).
    pub fn claim_statement(&self, backend: DbBackend, resource_id: Uuid) -> Statement {
        let row = idempotency_key::ActiveModel {
            scope: Set(self.scope.clone()),
            key: Set(self.key.clone()),
            request_hash: Set(self.request_hash.clone()),
            resource_id: Set(resource_id),
            created_at: Set(Utc::now()),
        };
        idempotency_key::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([idempotency_key::Column::Scope, idempotency_key::Column::Key])
                    .do_nothing()
                    .to_owned(),
            )
            .build(backend)
    }

    /// Records the result; `false` when the key is taken (by a committed request, or on
    /// PostgreSQL by a concurrent one that committed while this waited on the key's row).
    async fn remember(&self, conn: &impl ConnectionTrait, resource_id: Uuid) -> AppResult<bool> {
        let claim = self.claim_statement(conn.get_database_backend(), resource_id);
        Ok(conn.execute_raw(claim).await?.rows_affected() == 1)
    }
}

/// What an earlier request with `key` created (422 if its body differed), read outside any
/// transaction. The caller answers a hit with its read of that resource, as it does
/// [`Claim::Earlier`].
pub async fn earlier(db: &Db, key: Option<&IdempotencyKey>) -> AppResult<Option<Uuid>> {
    match key {
        Some(key) => key.earlier_result(db.conn()).await,
        None => Ok(None),
    }
}

/// Either the transaction to go on with, or what an earlier request with the key created
/// (answer it with a read under the caller's visibility, never the bare resource).
pub enum Claim {
    Fresh(WriteTxn),
    Earlier(Uuid),
}

/// Begins the write transaction that will create the resource and claims `key` for
/// `resource_id` in it (one insert that does nothing when the key is taken). Without a key,
/// or with a new one, the transaction comes back to go on with. If an earlier request used the
/// key, its resource is returned; a concurrent twin waits on the key's row (PostgreSQL) or the
/// write lock (SQLite) and then gets the winner's resource too.
pub async fn claim(db: &Db, key: Option<&IdempotencyKey>, resource_id: Uuid) -> AppResult<Claim> {
    let txn = db.begin().await?;
    let Some(key) = key else {
        return Ok(Claim::Fresh(txn));
    };
    if key.remember(&txn, resource_id).await? {
        return Ok(Claim::Fresh(txn));
    }
    taken(txn, key).await.map(Claim::Earlier)
}

/// What the request that took `key` created, found from inside `txn`, which wrote nothing
/// (422 if its body differed). Committing still matters: on SQLite the key's owner may be
/// committing together with this transaction (`db`'s shared commit), and its resource can
/// only be read once that commit is done.
pub async fn taken(txn: WriteTxn, key: &IdempotencyKey) -> AppResult<Uuid> {
    let earlier = key.earlier_result(&txn).await?;
    txn.commit().await?;
    earlier.ok_or_else(|| {
        AppError::conflict(
            "REQUEST_IN_FLIGHT",
            "the same request is still being processed; retry it",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_scoped() {
        let caller = Uuid::now_v7();
        assert!(IdempotencyKey::new("create_order", caller, "", "{}").is_err());
        assert!(IdempotencyKey::new("create_order", caller, "has space", "{}").is_err());
        assert!(IdempotencyKey::new("create_order", caller, &"k".repeat(256), "{}").is_err());
        let a = IdempotencyKey::new("create_order", caller, "abc-123", "{\"a\":1}").unwrap();
        let b = IdempotencyKey::new("create_order", caller, "abc-123", "{\"a\":2}").unwrap();
        assert_eq!(a.scope, b.scope);
        let other = IdempotencyKey::new("create_order", Uuid::now_v7(), "abc-123", "{\"a\":1}");
        assert_ne!(
            a.scope,
            other.unwrap().scope,
            "another caller's key is another key"
        );
        assert_ne!(a.request_hash, b.request_hash);
        assert_eq!(a.request_hash.len(), 64);
        // Lower-case hex of SHA-256, as keys already stored were written.
        let empty = IdempotencyKey::new("create_order", caller, "k", "").unwrap();
        assert_eq!(
            empty.request_hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
