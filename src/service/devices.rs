//! Shared tablets: devices enrolled at an outlet, staff PINs, and PIN sign-in on an enrolled
//! device. A device's secret is shown once and stored as a SHA-256 (it is random: a fast hash
//! suffices); PINs are argon2id like passwords. Wrong PINs lock the person on that device for
//! 15 minutes after 5, and the whole device after 20 in a row until a manager unlocks it.

use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    clean_name,
    outlets::get_outlet,
    random_url_safe,
};
use crate::{
    auth::{password::Passwords, Action, Role, Staff},
    db::Db,
    entity::{device, outlet, pin_failure, user},
    error::{AppError, AppResult},
};

/// Wrong PINs in a row before a person is locked out on a device.
pub const PIN_TRIES_PER_USER: i32 = 5;
/// How long that lock-out lasts.
pub const PIN_LOCKOUT_MINUTES: i64 = 15;
/// Wrong PINs in a row (anyone's) before the device itself is locked.
pub const PIN_TRIES_PER_DEVICE: i32 = 20;

pub(super) fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A device as enrolled: its row and the secret, shown this once.
pub struct Enrolled {
    pub device: device::Model,
    pub secret: String,
}

pub async fn enrol(db: &Db, actor: &Staff, outlet_id: Uuid, name: &str) -> AppResult<Enrolled> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManageDevices)?;
    let name = clean_name("name", name)?;
    let secret = format!("dev_{}", random_url_safe::<32>()?);
    let txn = db.begin().await?;
    let device = device::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        name: Set(name),
        secret_hash: Set(secret_hash(&secret)),
        failed_pins: Set(0),
        locked_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        last_seen_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let entry = audit::Entry::by(actor, Some(outlet_id), AuditAction::DeviceEnrolled)
        .on("device", device.id)
        .details(serde_json::json!({"name": device.name}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(Enrolled { device, secret })
}

pub async fn list(db: &Db, actor: &Staff, outlet_id: Uuid) -> AppResult<Vec<device::Model>> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManageDevices)?;
    Ok(device::Entity::find()
        .filter(device::Column::OutletId.eq(outlet_id))
        .order_by_asc(device::Column::Id)
        .all(db.conn())
        .await?)
}

async fn visible_device(db: &Db, actor: &Staff, id: Uuid) -> AppResult<device::Model> {
    device::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|d| actor.sees_outlet(d.outlet_id))
        .ok_or_else(|| AppError::not_found("device"))
}

/// Revokes a device: its secret and every token signed in on it stop working at once.
pub async fn revoke(db: &Db, actor: &Staff, id: Uuid) -> AppResult<()> {
    let device = visible_device(db, actor, id).await?;
    actor.authorize(Action::ManageDevices)?;
    let txn = db.begin().await?;
    device::Entity::update_many()
        .col_expr(device::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(device::Column::Id.eq(device.id))
        .filter(device::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let entry = audit::Entry::by(actor, Some(device.outlet_id), AuditAction::DeviceRevoked)
        .on("device", device.id)
        .details(serde_json::json!({"name": device.name}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Lifts a device's lock after too many wrong PINs, and everyone's lock-out on it.
pub async fn unlock(db: &Db, actor: &Staff, id: Uuid) -> AppResult<device::Model> {
    let device = visible_device(db, actor, id).await?;
    actor.authorize(Action::ManageDevices)?;
    let txn = db.begin().await?;
    let mut model: device::ActiveModel = device.clone().into();
    model.locked_at = Set(None);
    model.failed_pins = Set(0);
    let unlocked = model.update(&txn).await?;
    pin_failure::Entity::delete_many()
        .filter(pin_failure::Column::DeviceId.eq(device.id))
        .exec(&txn)
        .await?;
    let entry = audit::Entry::by(actor, Some(device.outlet_id), AuditAction::DeviceUnlocked)
        .on("device", device.id)
        .details(serde_json::json!({"name": device.name}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(unlocked)
}

/// 4–8 digits.
fn check_pin_format(pin: &str) -> AppResult<()> {
    if !(4..=8).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::validation("pin", "a PIN is 4–8 digits"));
    }
    Ok(())
}

/// Sets someone's PIN: one's own, or (with the right to manage their account) anyone's.
pub async fn set_pin(
    db: &Db,
    passwords: &Passwords,
    actor: &Staff,
    user_id: Uuid,
    pin: String,
) -> AppResult<()> {
    let target = super::users::get_user(db, actor, user_id).await?;
    if target.id != actor.user_id {
        actor.authorize(Action::manage_account(target.role))?;
    }
    check_pin_format(&pin)?;
    let hash = passwords.hash(pin).await?;
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PinHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(target.id))
        .exec(&txn)
        .await?;
    let entry = audit::Entry::by(actor, target.outlet_id, AuditAction::PinChanged)
        .on("user", target.id)
        .details(serde_json::json!({"username": target.username}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

fn refused() -> AppError {
    AppError::Unauthorized("wrong name or PIN".into())
}

/// What a PIN was typed for: signing in, or approving an action (its name).
#[derive(Debug, Clone, Copy)]
pub enum PinUse {
    SignIn,
    Approval(&'static str),
}

/// The enrolled, unrevoked device holding `secret`, unless wrong PINs locked it.
pub async fn enrolled_device(db: &Db, secret: &str) -> AppResult<device::Model> {
    let not_enrolled = || AppError::Unauthorized("this device is not enrolled".into());
    if secret.len() > 200 {
        return Err(not_enrolled());
    }
    let device = device::Entity::find()
        .filter(device::Column::SecretHash.eq(secret_hash(secret)))
        .one(db.conn())
        .await?
        .filter(|d| d.revoked_at.is_none())
        .ok_or_else(not_enrolled)?;
    unlocked(device)
}

/// The device a token was signed in on, for PINs typed on it while signed in.
pub async fn signed_in_device(db: &Db, device_id: Uuid) -> AppResult<device::Model> {
    let device = device::Entity::find_by_id(device_id)
        .one(db.conn())
        .await?
        .filter(|d| d.revoked_at.is_none())
        .ok_or_else(|| AppError::Unauthorized("this device was revoked; enrol it again".into()))?;
    unlocked(device)
}

fn unlocked(device: device::Model) -> AppResult<device::Model> {
    if device.locked_at.is_some() {
        return Err(AppError::conflict(
            "DEVICE_LOCKED",
            "too many wrong PINs on this device; a manager must unlock it",
        ));
    }
    Ok(device)
}

/// What an enrolled tablet's lock screen shows: the device, its outlet, and who may sign in
/// there by PIN (the outlet's active staff with a PIN, and OWNERs with one).
pub struct LockScreen {
    pub device: device::Model,
    pub outlet: outlet::Model,
    pub staff: Vec<user::Model>,
}

pub async fn lock_screen(db: &Db, secret: &str) -> AppResult<LockScreen> {
    let device = enrolled_device(db, secret).await?;
    let outlet = outlet::Entity::find_by_id(device.outlet_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))?;
    let staff = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::PinHash.is_not_null())
        .filter(
            user::Column::OutletId
                .eq(device.outlet_id)
                .or(user::Column::Role.eq(Role::Owner)),
        )
        .order_by_asc(user::Column::Username)
        .all(db.conn())
        .await?;
    Ok(LockScreen {
        device,
        outlet,
        staff,
    })
}

/// Signs `username` in with a PIN on the device holding `secret`. Returns who and where.
pub async fn pin_sign_in(
    db: &Db,
    passwords: &Passwords,
    secret: &str,
    username: &str,
    pin: String,
    client_address: &str,
) -> AppResult<(user::Model, device::Model)> {
    let device = enrolled_device(db, secret).await?;
    let user = check_pin(
        db,
        passwords,
        &device,
        username,
        pin,
        client_address,
        PinUse::SignIn,
    )
    .await?;
    Ok((user, device))
}

/// Checks `username`'s PIN on `device`: the active account of that person (of the device's
/// outlet, or an OWNER), or 401. Sign-ins and every wrong PIN are audited; wrong PINs count
/// towards the person's and the device's lock-outs, whatever they were typed for.
pub async fn check_pin(
    db: &Db,
    passwords: &Passwords,
    device: &device::Model,
    username: &str,
    pin: String,
    client_address: &str,
    purpose: PinUse,
) -> AppResult<user::Model> {
    let username = username.trim().to_lowercase();
    let found = if username.len() <= 32 {
        super::users::find_by_username(db.conn(), &username).await?
    } else {
        None
    }
    .filter(|u| u.outlet_id.is_none_or(|o| o == device.outlet_id) || u.role == Role::Owner);
    let now = Utc::now();
    if let Some(user) = &found {
        let pair = pin_failure::Entity::find_by_id((device.id, user.id))
            .one(db.conn())
            .await?;
        if let Some(until) = pair.and_then(|p| p.locked_until).filter(|t| *t > now) {
            let seconds = std::cmp::max((until - now).num_seconds(), 1);
            let retry_after_secs = u64::try_from(seconds).unwrap_or(1);
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    let hash = found.as_ref().and_then(|u| u.pin_hash.clone());
    let pin_ok = passwords.verify(pin, hash).await?;
    let signed_in = found.clone().filter(|u| pin_ok && u.active);

    let txn = db.begin().await?;
    let audited = match (purpose, signed_in.is_some()) {
        (PinUse::SignIn, true) => Some(AuditAction::PinSignIn),
        (_, false) => Some(AuditAction::PinSignInFailed),
        // The approved action's own row names the approver.
        (PinUse::Approval(_), true) => None,
    };
    if let Some(action) = audited {
        let details = match purpose {
            PinUse::SignIn => serde_json::json!({"device": device.name}),
            PinUse::Approval(what) => serde_json::json!({"device": device.name, "approval": what}),
        };
        let entry = audit::Entry {
            outlet_id: Some(device.outlet_id),
            actor_id: found.as_ref().map(|u| u.id),
            actor_name: if super::users::normalize_username(&username).is_ok() {
                username.clone()
            } else {
                "(not a username)".to_owned()
            },
            device_id: Some(device.id),
            client_address: Some(client_address.to_owned()).filter(|a| !a.is_empty()),
            details,
            ..audit::Entry::new(action)
        }
        .on("device", device.id);
        audit::record(&txn, entry).await?;
    }
    let result = match &signed_in {
        Some(user) => {
            pin_failure::Entity::delete_many()
                .filter(pin_failure::Column::DeviceId.eq(device.id))
                .filter(pin_failure::Column::UserId.eq(user.id))
                .exec(&txn)
                .await?;
            device::Entity::update_many()
                .col_expr(device::Column::FailedPins, Expr::value(0))
                .col_expr(device::Column::LastSeenAt, Expr::value(now))
                .filter(device::Column::Id.eq(device.id))
                .exec(&txn)
                .await?;
            Ok(())
        }
        None => {
            if let Some(user) = &found {
                count_failure(&txn, device.id, user.id, now).await?;
            }
            device::Entity::update_many()
                .col_expr(
                    device::Column::FailedPins,
                    Expr::col(device::Column::FailedPins).add(1),
                )
                .filter(device::Column::Id.eq(device.id))
                .exec(&txn)
                .await?;
            device::Entity::update_many()
                .col_expr(device::Column::LockedAt, Expr::value(now))
                .filter(device::Column::Id.eq(device.id))
                .filter(device::Column::FailedPins.gte(PIN_TRIES_PER_DEVICE))
                .filter(device::Column::LockedAt.is_null())
                .exec(&txn)
                .await?;
            Err(refused())
        }
    };
    txn.commit().await?;
    result?;
    signed_in.ok_or_else(refused)
}

/// One more wrong PIN for this person on this device; the 5th locks them out for a while.
async fn count_failure(
    txn: &sea_orm::DatabaseTransaction,
    device_id: Uuid,
    user_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    pin_failure::Entity::insert(pin_failure::ActiveModel {
        device_id: Set(device_id),
        user_id: Set(user_id),
        failures: Set(1),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::columns([pin_failure::Column::DeviceId, pin_failure::Column::UserId])
            .value(
                pin_failure::Column::Failures,
                Expr::col((pin_failure::Entity, pin_failure::Column::Failures)).add(1),
            )
            .to_owned(),
    )
    .exec(txn)
    .await?;
    pin_failure::Entity::update_many()
        .col_expr(
            pin_failure::Column::LockedUntil,
            Expr::value(now + Duration::minutes(PIN_LOCKOUT_MINUTES)),
        )
        .col_expr(pin_failure::Column::Failures, Expr::value(0))
        .filter(pin_failure::Column::DeviceId.eq(device_id))
        .filter(pin_failure::Column::UserId.eq(user_id))
        .filter(pin_failure::Column::Failures.gte(PIN_TRIES_PER_USER))
        .exec(txn)
        .await?;
    Ok(())
}
