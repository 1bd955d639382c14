//! Outlets: the restaurant locations everything else belongs to.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{clean_name, clean_text, Page, PageRequest, MAX_NOTE_LEN};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::outlet,
    error::{AppError, AppResult},
};

pub const MAX_BASIS_POINTS: i32 = 10_000;

#[derive(Debug, Clone)]
pub struct NewOutlet {
    pub name: String,
    pub address: Option<String>,
    pub currency: Option<String>,
    pub service_charge_bp: Option<i32>,
    pub tax_bp: Option<i32>,
    pub max_cashier_discount_bp: Option<i32>,
    pub timezone: Option<String>,
    pub qr_self_service: Option<bool>,
    pub auto_print_receipt: Option<bool>,
    pub receipt_footer: Option<String>,
    pub auto_lock_minutes: Option<i32>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OutletChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub currency: Option<String>,
    pub service_charge_bp: Option<i32>,
    pub tax_bp: Option<i32>,
    pub max_cashier_discount_bp: Option<i32>,
    pub timezone: Option<String>,
    pub qr_self_service: Option<bool>,
    pub auto_print_receipt: Option<bool>,
    pub receipt_footer: Option<String>,
    pub auto_lock_minutes: Option<i32>,
    pub language: Option<String>,
}

pub async fn create_outlet(db: &Db, actor: &Staff, input: NewOutlet) -> AppResult<outlet::Model> {
    actor.authorize(Action::CreateOutlet)?;
    let now = Utc::now();
    let model = outlet::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(clean_name("name", &input.name)?),
        address: Set(clean_text(
            "address",
            input.address.as_deref().unwrap_or(""),
            MAX_NOTE_LEN,
        )?),
        currency: Set(clean_currency(input.currency.as_deref().unwrap_or("IDR"))?),
        service_charge_bp: Set(check_bp(
            "service_charge_bp",
            input.service_charge_bp.unwrap_or(0),
        )?),
        tax_bp: Set(check_bp("tax_bp", input.tax_bp.unwrap_or(0))?),
        max_cashier_discount_bp: Set(check_bp(
            "max_cashier_discount_bp",
            input.max_cashier_discount_bp.unwrap_or(0),
        )?),
        timezone: Set(clean_timezone(
            input.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE.name()),
        )?),
        qr_self_service: Set(input.qr_self_service.unwrap_or(false)),
        auto_print_receipt: Set(input.auto_print_receipt.unwrap_or(false)),
        receipt_footer: Set(clean_text(
            "receipt_footer",
            input.receipt_footer.as_deref().unwrap_or(""),
            MAX_NOTE_LEN,
        )?),
        auto_lock_minutes: Set(check_auto_lock(
            input.auto_lock_minutes.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES),
        )?),
        language: Set(check_language(input.language.as_deref().unwrap_or("id"))?),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db.conn()).await?)
}

pub async fn list_outlets(
    db: &Db,
    actor: &Staff,
    page: PageRequest,
) -> AppResult<Page<outlet::Model>> {
    let mut query = outlet::Entity::find().order_by_asc(outlet::Column::Id);
    if !actor.may(Action::SeeAllOutlets) {
        query = query.filter(outlet::Column::Id.eq(actor.outlet_id));
    }
    if let Some(after) = page.after {
        query = query.filter(outlet::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |o| o.id))
}

/// The outlet, if the actor may see it; another outlet is "not found", never "forbidden".
pub async fn get_outlet(db: &Db, actor: &Staff, id: Uuid) -> AppResult<outlet::Model> {
    if !actor.sees_outlet(id) {
        return Err(AppError::not_found("outlet"));
    }
    outlet::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))
}

/// The outlet by id, for rules that already checked who may see it.
pub async fn find_outlet(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<outlet::Model> {
    outlet::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))
}

pub async fn update_outlet(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: OutletChanges,
) -> AppResult<outlet::Model> {
    let current = get_outlet(db, actor, id).await?;
    actor.authorize(Action::EditOutlet)?;
    let mut model: outlet::ActiveModel = current.into();
    if let Some(name) = changes.name {
        model.name = Set(clean_name("name", &name)?);
    }
    if let Some(address) = changes.address {
        model.address = Set(clean_text("address", &address, MAX_NOTE_LEN)?);
    }
    if let Some(currency) = changes.currency {
        model.currency = Set(clean_currency(&currency)?);
    }
    if let Some(bp) = changes.service_charge_bp {
        model.service_charge_bp = Set(check_bp("service_charge_bp", bp)?);
    }
    if let Some(bp) = changes.tax_bp {
        model.tax_bp = Set(check_bp("tax_bp", bp)?);
    }
    if let Some(bp) = changes.max_cashier_discount_bp {
        model.max_cashier_discount_bp = Set(check_bp("max_cashier_discount_bp", bp)?);
    }
    if let Some(timezone) = changes.timezone {
        model.timezone = Set(clean_timezone(&timezone)?);
    }
    if let Some(flag) = changes.qr_self_service {
        model.qr_self_service = Set(flag);
    }
    if let Some(flag) = changes.auto_print_receipt {
        model.auto_print_receipt = Set(flag);
    }
    if let Some(footer) = changes.receipt_footer {
        model.receipt_footer = Set(clean_text("receipt_footer", &footer, MAX_NOTE_LEN)?);
    }
    if let Some(minutes) = changes.auto_lock_minutes {
        model.auto_lock_minutes = Set(check_auto_lock(minutes)?);
    }
    if let Some(language) = changes.language {
        model.language = Set(check_language(&language)?);
    }
    model.updated_at = Set(Utc::now());
    Ok(model.update(db.conn()).await?)
}

/// A shared tablet locks itself after this many idle minutes unless the outlet says otherwise.
pub const DEFAULT_AUTO_LOCK_MINUTES: i32 = 5;

fn check_auto_lock(minutes: i32) -> AppResult<i32> {
    if !(0..=240).contains(&minutes) {
        return Err(AppError::validation(
            "auto_lock_minutes",
            "auto_lock_minutes is 0 (never) to 240",
        ));
    }
    Ok(minutes)
}

/// The languages Kedai's pages and paper speak.
pub const LANGUAGES: [&str; 2] = ["id", "en"];

fn check_language(language: &str) -> AppResult<String> {
    let language = language.trim().to_ascii_lowercase();
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(AppError::validation(
            "language",
            "language is id (Bahasa Indonesia) or en (English)",
        ));
    }
    Ok(language)
}

fn clean_currency(currency: &str) -> AppResult<String> {
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(AppError::validation(
            "currency",
            "currency must be a 3-letter ISO 4217 code, e.g. IDR",
        ));
    }
    Ok(currency)
}

fn check_bp(field: &'static str, bp: i32) -> AppResult<i32> {
    if !(0..=MAX_BASIS_POINTS).contains(&bp) {
        return Err(AppError::validation(
            field,
            format!("{field} must be between 0 and 10000 basis points"),
        ));
    }
    Ok(bp)
}

const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

/// The outlet's timezone, where its business day and report hours are counted. Names are
/// checked when saved; anything else falls back to the default, the same everywhere.
pub fn timezone_of(outlet: &outlet::Model) -> chrono_tz::Tz {
    outlet.timezone.parse().unwrap_or(DEFAULT_TIMEZONE)
}

fn clean_timezone(timezone: &str) -> AppResult<String> {
    let timezone = timezone.trim();
    timezone
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            AppError::validation(
                "timezone",
                "timezone must be an IANA name, e.g. Asia/Jakarta",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_rules() {
        assert_eq!(clean_currency("idr").unwrap(), "IDR");
        assert!(clean_currency("RP").is_err());
        assert!(check_bp("tax_bp", 10_001).is_err());
        assert!(check_bp("tax_bp", -1).is_err());
        assert_eq!(check_bp("tax_bp", 1100).unwrap(), 1100);
        assert!(clean_timezone("Asia/Jakarta").is_ok());
        assert!(clean_timezone("not a zone").is_err());
        assert!(clean_timezone("Mars/Olympus").is_err());
        assert_eq!(clean_timezone("Asia/Makassar").unwrap(), "Asia/Makassar");
    }
}
