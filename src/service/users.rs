//! Staff accounts: bootstrap of the first OWNER, registration by admins, login, edits.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    unique_to, Page, PageRequest,
};
use crate::{
    auth::{
        password::{check_password, Passwords},
        rate_limit::LoginLimits,
        Action, Role, Staff,
    },
    db::{self, Db, LockKey},
    entity::{outlet, shift, user},
    error::{AppError, AppResult},
};

/// Who is creating an account.
#[derive(Debug, Clone, Copy)]
pub enum Registrar<'a> {
    /// No token: allowed only while no account exists; the account becomes OWNER.
    Anonymous,
    /// A signed-in OWNER or MANAGER.
    Staff(&'a Staff),
    /// The `kedai user create` command on the shop PC.
    Console,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: Option<Role>,
    pub outlet_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<String>,
    /// Required when people change their own password.
    pub current_password: Option<String>,
    pub outlet_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub outlet_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Lower-cases and checks a username: 3–32 characters of `a-z 0-9 . _ -`.
pub fn normalize_username(raw: &str) -> AppResult<String> {
    let username = raw.trim().to_lowercase();
    let valid_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=32).contains(&username.len()) || !valid_chars {
        return Err(AppError::validation(
            "username",
            "username must be 3–32 characters of a-z, 0-9, '.', '_' or '-'",
        ));
    }
    Ok(username)
}

pub async fn register(
    db: &Db,
    passwords: &Passwords,
    registrar: Registrar<'_>,
    input: NewUser,
) -> AppResult<user::Model> {
    let username = normalize_username(&input.username)?;
    check_password(&input.password)?;

    let role = match registrar {
        Registrar::Anonymous => {
            // Cheap refusal before the expensive hash; re-checked inside the transaction.
            if any_user_exists(db.conn()).await? {
                return Err(registration_closed());
            }
            Role::Owner
        }
        Registrar::Staff(actor) => {
            let role = input
                .role
                .ok_or_else(|| AppError::validation("role", "role is required"))?;
            actor.authorize(Action::manage_account(role))?;
            role
        }
        Registrar::Console => input
            .role
            .ok_or_else(|| AppError::validation("role", "role is required"))?,
    };
    let outlet_id = resolve_outlet(db.conn(), registrar, role, input.outlet_id).await?;
    if find_by_username(db.conn(), &username).await?.is_some() {
        return Err(username_taken());
    }

    let password_hash = passwords.hash(input.password).await?;

    let txn = db.begin().await?;
    db::lock(&txn, LockKey::Users).await?;
    if matches!(registrar, Registrar::Anonymous) && any_user_exists(&txn).await? {
        return Err(registration_closed());
    }
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username),
        password_hash: Set(password_hash),
        role: Set(role),
        outlet_id: Set(outlet_id),
        active: Set(true),
        token_version: Set(0),
        pin_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(unique_to(username_taken))?;
    let by = match registrar {
        Registrar::Staff(actor) => {
            audit::Entry::by(actor, created.outlet_id, AuditAction::UserCreated)
        }
        // The first owner, or the console: the account itself is who did it.
        Registrar::Anonymous | Registrar::Console => audit::Entry {
            outlet_id: created.outlet_id,
            actor_id: Some(created.id),
            actor_name: created.username.clone(),
            ..audit::Entry::new(AuditAction::UserCreated)
        },
    };
    let entry = by.on("user", created.id).details(serde_json::json!({
        "username": created.username,
        "role": created.role.as_str(),
        "outlet_id": created.outlet_id,
    }));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(created)
}

/// Checks a username and password. Unknown user, wrong password and deactivated account all
/// get the same answer; repeated failures are throttled per username and per address.
pub async fn login(
    db: &Db,
    passwords: &Passwords,
    limits: &LoginLimits,
    username: &str,
    password: String,
    client_address: &str,
) -> AppResult<user::Model> {
    let username = username.trim().to_lowercase();
    for (limiter, key) in [
        (&limits.per_username, username.as_str()),
        (&limits.per_address, client_address),
    ] {
        limiter
            .check(key)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    }

    let found = if username.len() <= 32 {
        find_by_username(db.conn(), &username).await?
    } else {
        None
    };
    let password_ok = passwords
        .verify(password, found.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    let ok = password_ok && found.as_ref().is_some_and(|u| u.active);
    if !ok {
        // Counted first: the throttle must hold even if the audit write below fails.
        limits.per_username.record_failure(&username);
        limits.per_address.record_failure(client_address);
    }
    // Who tried, never what they typed as a password. A "name" that cannot be a username
    // is often a password typed into the wrong field: it is not kept.
    let actor_name = if normalize_username(&username).is_ok() {
        username.clone()
    } else {
        "(not a username)".to_owned()
    };
    let entry = audit::Entry {
        outlet_id: found.as_ref().and_then(|u| u.outlet_id),
        actor_id: found.as_ref().map(|u| u.id),
        actor_name,
        client_address: Some(client_address.to_owned()).filter(|a| !a.is_empty()),
        ..audit::Entry::new(if ok {
            AuditAction::SignIn
        } else {
            AuditAction::SignInFailed
        })
    };
    if let Err(err) = audit::record(db.conn(), entry).await {
        tracing::warn!("sign-in not audited: {err}");
    }
    let signed_in = found.filter(|_| ok);
    match signed_in {
        Some(user) => {
            limits.per_username.clear(&username);
            Ok(user)
        }
        None => Err(AppError::Unauthorized(
            "invalid username or password".into(),
        )),
    }
}

pub async fn get_user(db: &Db, actor: &Staff, id: Uuid) -> AppResult<user::Model> {
    let found = user::Entity::find_by_id(id).one(db.conn()).await?;
    found
        .filter(|user| can_see(actor, user))
        .ok_or_else(|| AppError::not_found("user"))
}

pub async fn list_users(
    db: &Db,
    actor: &Staff,
    filter: UserFilter,
    page: PageRequest,
) -> AppResult<Page<user::Model>> {
    actor.authorize(Action::ViewStaff)?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Id);
    if !actor.may(Action::SeeAllOutlets) {
        query = query.filter(user::Column::OutletId.eq(actor.outlet_id));
    }
    if let Some(outlet_id) = filter.outlet_id {
        query = query.filter(user::Column::OutletId.eq(outlet_id));
    }
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role));
    }
    if let Some(active) = filter.active {
        query = query.filter(user::Column::Active.eq(active));
    }
    if let Some(after) = page.after {
        query = query.filter(user::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db.conn()).await?;
    Ok(page.page(rows, |u| u.id))
}

pub async fn update_user(
    db: &Db,
    passwords: &Passwords,
    actor: &Staff,
    id: Uuid,
    changes: UserChanges,
) -> AppResult<user::Model> {
    let target = get_user(db, actor, id).await?;
    let is_self = target.id == actor.user_id;
    let administrative =
        changes.role.is_some() || changes.active.is_some() || changes.outlet_id.is_some();

    if administrative || !is_self {
        if is_self {
            return Err(AppError::Forbidden(
                "you may not change your own role, outlet or status".into(),
            ));
        }
        actor.authorize(Action::manage_account(target.role))?;
    }
    if let Some(role) = changes.role {
        actor.authorize(Action::manage_account(role))?;
    }
    if changes.outlet_id.is_some() {
        actor.authorize(Action::MoveStaff)?;
    }

    let new_role = changes.role.unwrap_or(target.role);
    let new_outlet = if !new_role.needs_outlet() {
        if changes.outlet_id.is_some() {
            return Err(AppError::validation(
                "outlet_id",
                "an OWNER belongs to no outlet",
            ));
        }
        None
    } else if changes.outlet_id.is_some() || target.outlet_id.is_none() {
        resolve_outlet(
            db.conn(),
            Registrar::Staff(actor),
            new_role,
            changes.outlet_id,
        )
        .await?
    } else {
        target.outlet_id
    };

    let password_hash = match changes.password {
        Some(password) => {
            check_password(&password)?;
            if is_self {
                let current = changes.current_password.ok_or_else(|| {
                    AppError::validation(
                        "current_password",
                        "current_password is required to change your own password",
                    )
                })?;
                if !passwords
                    .verify(current, Some(target.password_hash.clone()))
                    .await?
                {
                    return Err(AppError::Forbidden("the current password is wrong".into()));
                }
            }
            Some(passwords.hash(password).await?)
        }
        None => None,
    };

    let txn = db.begin().await?;
    db::lock(&txn, LockKey::Users).await?;
    let current = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let new_active = changes.active.unwrap_or(current.active);
    let stays_owner = new_role == Role::Owner && new_active;
    if current.role == Role::Owner && current.active && !stays_owner {
        let active_owners = user::Entity::find()
            .filter(user::Column::Role.eq(Role::Owner))
            .filter(user::Column::Active.eq(true))
            .count(&txn)
            .await?;
        if active_owners <= 1 {
            return Err(AppError::conflict(
                "LAST_OWNER",
                "this is the last active OWNER; make another OWNER first",
            ));
        }
    }
    // From another outlet they could neither close that drawer nor open a new one.
    if new_outlet.is_some() && new_outlet != current.outlet_id {
        let open_shift = shift::Entity::find()
            .filter(shift::Column::OpenUserId.eq(current.id))
            .one(&txn)
            .await?;
        if open_shift.is_some() {
            return Err(AppError::conflict(
                "SHIFT_OPEN",
                "this person has an open shift; close it before moving them to another outlet",
            ));
        }
    }

    let now = Utc::now();
    // A new password signs out every device that used the old one; a deactivation ends every
    // token for good (reactivating does not bring them back).
    let password_changed = password_hash.is_some();
    let revoke = password_changed || (current.active && !new_active);
    let token_version = current.token_version + i64::from(revoke);
    let mut active: user::ActiveModel = current.into();
    active.role = Set(new_role);
    active.outlet_id = Set(new_outlet);
    active.active = Set(new_active);
    if let Some(hash) = password_hash {
        active.password_hash = Set(hash);
    }
    active.token_version = Set(token_version);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    let entry = audit::Entry::by(actor, updated.outlet_id, AuditAction::UserChanged)
        .on("user", updated.id)
        .details(serde_json::json!({
            "username": updated.username,
            "role": updated.role.as_str(),
            "outlet_id": updated.outlet_id,
            "active": updated.active,
            "password_changed": password_changed,
        }));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Everyone sees their own account; `ViewStaff` sees the accounts of the outlets it sees.
fn can_see(actor: &Staff, user: &user::Model) -> bool {
    user.id == actor.user_id
        || (actor.may(Action::ViewStaff)
            && (actor.may(Action::SeeAllOutlets)
                || (user.outlet_id.is_some() && user.outlet_id == actor.outlet_id)))
}

/// The outlet a new or edited non-owner account belongs to: the one named (which the
/// registrar must be allowed to see), else the registrar's own, else the only outlet there is.
async fn resolve_outlet(
    conn: &impl ConnectionTrait,
    registrar: Registrar<'_>,
    role: Role,
    requested: Option<Uuid>,
) -> AppResult<Option<Uuid>> {
    if !role.needs_outlet() {
        if requested.is_some() {
            return Err(AppError::validation(
                "outlet_id",
                "an OWNER belongs to no outlet",
            ));
        }
        return Ok(None);
    }
    let own_outlet = match registrar {
        Registrar::Staff(actor) if !actor.may(Action::SeeAllOutlets) => actor.outlet_id,
        _ => None,
    };
    if let Some(id) = requested {
        let visible = own_outlet.is_none_or(|own| own == id);
        if visible && outlet::Entity::find_by_id(id).one(conn).await?.is_some() {
            return Ok(Some(id));
        }
        return Err(AppError::validation("outlet_id", "outlet not found"));
    }
    if own_outlet.is_some() {
        return Ok(own_outlet);
    }
    let outlets = outlet::Entity::find().limit(2).all(conn).await?;
    match outlets.as_slice() {
        [only] => Ok(Some(only.id)),
        [] => Err(AppError::bad_request(
            "OUTLET_REQUIRED",
            "create an outlet first: every non-owner account belongs to one",
        )),
        _ => Err(AppError::bad_request(
            "OUTLET_REQUIRED",
            "outlet_id is required when there is more than one outlet",
        )),
    }
}

pub async fn any_user_exists(conn: &impl ConnectionTrait) -> AppResult<bool> {
    Ok(user::Entity::find().limit(1).one(conn).await?.is_some())
}

pub async fn find_by_username(
    conn: &impl ConnectionTrait,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(conn)
        .await?)
}

fn registration_closed() -> AppError {
    AppError::Unauthorized(
        "registration is closed: sign in as an OWNER or MANAGER to add staff".into(),
    )
}

fn username_taken() -> AppError {
    AppError::conflict("USERNAME_TAKEN", "this username is already taken")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(normalize_username(" Cashier1 ").unwrap(), "cashier1");
        assert_eq!(normalize_username("a.b_c-d").unwrap(), "a.b_c-d");
        for bad in ["ab", "has space", "ümlaut", "semi;colon", &"x".repeat(33)] {
            assert!(normalize_username(bad).is_err(), "{bad}");
        }
    }

    fn staff(role: Role, outlet: Option<Uuid>) -> Staff {
        Staff {
            user_id: Uuid::now_v7(),
            username: "x".into(),
            role,
            outlet_id: outlet,
            device_id: None,
        }
    }

    fn account(role: Role, outlet: Option<Uuid>) -> user::Model {
        let now = Utc::now();
        user::Model {
            id: Uuid::now_v7(),
            username: "y".into(),
            password_hash: String::new(),
            role,
            outlet_id: outlet,
            active: true,
            token_version: 0,
            pin_hash: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn visibility_follows_the_outlet() {
        let a = Some(Uuid::now_v7());
        let b = Some(Uuid::now_v7());
        assert!(can_see(&staff(Role::Owner, None), &account(Role::Kasir, b)));
        assert!(can_see(&staff(Role::Manager, a), &account(Role::Kasir, a)));
        assert!(!can_see(&staff(Role::Manager, a), &account(Role::Kasir, b)));
        assert!(!can_see(
            &staff(Role::Manager, a),
            &account(Role::Owner, None)
        ));
        assert!(!can_see(&staff(Role::Kasir, a), &account(Role::Waiter, a)));
    }
}
