//! Business rules and transactions. No HTTP types here: functions take the database, the
//! acting staff member and plain inputs, and return models or `AppError`.

pub mod approvals;
pub mod audit;
pub mod backups;
pub mod categories;
pub mod corrections;
pub mod devices;
pub mod events;
pub mod guest_requests;
pub mod health;
pub mod idempotency;
pub mod menu;
pub mod orders;
pub mod outlets;
pub mod payments;
pub mod printers;
pub mod printing;
pub mod product_images;
pub mod products;
pub mod reports;
pub mod sessions;
pub mod shifts;
pub mod tables;
pub mod text;
pub mod users;

pub use text::{check_len, clean_name, clean_optional, clean_text};

use uuid::Uuid;

use crate::{
    auth::{Action, Staff},
    error::{AppError, AppResult},
};

pub const MAX_NAME_LEN: usize = 100;
/// Notes, reasons and addresses.
pub const MAX_NOTE_LEN: usize = 500;
/// Prices and amounts are 0 … 10^12 in the smallest currency unit.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
pub const DEFAULT_PAGE_LIMIT: u64 = 50;
pub const MAX_PAGE_LIMIT: u64 = 200;

/// One page of a list, oldest first; `next_cursor` is `None` on the last page.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `limit` and `cursor` as the client sent them, checked.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    /// Return items with ids after this one (ids are time-ordered UUIDv7).
    pub after: Option<Uuid>,
}

impl PageRequest {
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> AppResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(AppError::validation(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE_LIMIT}"),
            ));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(cursor) => Some(Uuid::parse_str(cursor).map_err(|_| {
                AppError::validation("cursor", "cursor is not one this server gave out")
            })?),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }

    /// Turns `limit + 1` fetched rows into a page.
    pub fn page<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|row| id_of(row).to_string())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// Which outlet a list is narrowed to: the one asked for (if the actor sees it; else 404),
/// or the actor's own; `None` means every outlet (an OWNER asking for no outlet).
pub fn outlet_scope(actor: &Staff, asked: Option<Uuid>) -> AppResult<Option<Uuid>> {
    match (asked, actor.may(Action::SeeAllOutlets)) {
        (Some(id), _) if actor.sees_outlet(id) => Ok(Some(id)),
        (Some(_), _) => Err(AppError::not_found("outlet")),
        (None, true) => Ok(None),
        (None, false) => actor
            .outlet_id
            .map(Some)
            .ok_or_else(|| AppError::not_found("outlet")),
    }
}

/// Maps a unique-constraint violation to `conflict`, other errors as usual.
pub fn unique_to(conflict: fn() -> AppError) -> impl Fn(sea_orm::DbErr) -> AppError {
    move |err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => conflict(),
        _ => err.into(),
    }
}

/// 0 … 10^12 (prices, cash counts, deltas).
pub fn check_amount(field: &'static str, amount: i64) -> AppResult<i64> {
    if !(0..=MAX_AMOUNT).contains(&amount) {
        return Err(AppError::validation(
            field,
            format!("{field} must be between 0 and {MAX_AMOUNT}"),
        ));
    }
    Ok(amount)
}

/// 1 … 10^12 (payments and cash moved: zero moves nothing).
pub fn check_positive_amount(field: &'static str, amount: i64) -> AppResult<i64> {
    if amount <= 0 {
        return Err(AppError::validation(
            field,
            format!("{field} must be more than 0"),
        ));
    }
    check_amount(field, amount)
}

/// `N` random bytes as URL-safe base64 (QR slugs, guest tokens, generated passwords).
pub fn random_url_safe<const N: usize>() -> AppResult<String> {
    use base64::Engine;
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|err| AppError::internal(format!("no randomness: {err}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limits() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert!(PageRequest::parse(None, Some("nope")).is_err());
        let page = PageRequest::parse(Some(2), None)
            .unwrap()
            .page(vec![1, 2, 3], |_| Uuid::nil());
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.next_cursor.is_some());
    }

    #[test]
    fn amounts() {
        assert!(check_amount("price", -1).is_err());
        assert!(check_amount("price", MAX_AMOUNT + 1).is_err());
        assert_eq!(check_amount("price", 0).unwrap(), 0);
        assert_eq!(check_amount("price", 75_000).unwrap(), 75_000);
        assert!(check_positive_amount("amount", 0).is_err());
        assert_eq!(check_positive_amount("amount", 1).unwrap(), 1);
    }
}
