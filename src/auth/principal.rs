//! The authenticated caller. Taking `Auth` in a handler *is* the authentication check; the
//! services ask the permission table (`permissions`) what the caller may do.

use poem::Request;
use poem_openapi::{auth::Bearer, SecurityScheme};
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{Action, Role};
use crate::{
    entity::{device, user},
    error::AppError,
    memory::Memory,
    service::sessions::{guest_session, SESSION_TOKEN_PREFIX},
    state::AppState,
};

/// Bearer token: a staff JWT from `POST /auth/login`, or a guest's table-session token
/// (`ts_…`) from `POST /table-sessions/scan`.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearer",
    ty = "bearer",
    bearer_format = "JWT or ts_ token",
    checker = "authenticate"
)]
pub struct Auth(pub Principal);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    Staff(Staff),
    /// A guest at a table, holding its open session's token.
    Guest(Guest),
}

/// A guest's view of the world: one table session.
#[derive(Debug, Clone)]
pub struct Guest {
    pub session_id: Uuid,
    pub outlet_id: Uuid,
    pub table_id: Uuid,
}

/// A signed-in, active staff member, as the database says now (not as the token said).
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub outlet_id: Option<Uuid>,
    /// The enrolled device of a PIN sign-in.
    pub device_id: Option<Uuid>,
}

impl Principal {
    /// Any staff member.
    pub fn staff(&self) -> Result<&Staff, AppError> {
        match self {
            Principal::Staff(staff) => Ok(staff),
            Principal::Guest(_) => Err(guest_forbidden()),
        }
    }

    /// The staff member's role, `None` for a guest.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::Staff(staff) => Some(staff.role),
            Principal::Guest(_) => None,
        }
    }

    /// The staff member's id, `None` for a guest (audit columns).
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Principal::Staff(staff) => Some(staff.user_id),
            Principal::Guest(_) => None,
        }
    }

    /// Whether the caller may see things of this outlet.
    pub fn sees_outlet(&self, outlet_id: Uuid) -> bool {
        match self {
            Principal::Staff(staff) => staff.sees_outlet(outlet_id),
            Principal::Guest(guest) => guest.outlet_id == outlet_id,
        }
    }
}

fn guest_forbidden() -> AppError {
    AppError::Forbidden(
        "a table-session token only reaches the menu and this table's orders and bill".into(),
    )
}

impl Staff {
    /// Whether this staff member may see things of `outlet_id` (their own, or every outlet
    /// with `Action::SeeAllOutlets`).
    pub fn sees_outlet(&self, outlet_id: Uuid) -> bool {
        self.may(Action::SeeAllOutlets) || self.outlet_id == Some(outlet_id)
    }
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    authenticate_token(req, &bearer.token).await
}

/// The checker behind every security scheme: the token, wherever the request carried it.
pub async fn authenticate_token(req: &Request, token: &str) -> poem::Result<Principal> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from request"))?;
    Ok(principal_from_token(state, token).await?)
}

/// Resolves a bearer token to a principal. A staff token is refused when its user no longer
/// exists or is deactivated, or when the account's `token_version` moved on since it was
/// issued (a password change or a deactivation); a guest token when its session is unknown
/// (401), closed or expired (410). A staff token's answer is remembered (`memory`) until
/// an account or tablet changes.
pub async fn principal_from_token(state: &AppState, token: &str) -> Result<Principal, AppError> {
    if token.starts_with(SESSION_TOKEN_PREFIX) {
        return guest_from_token(state, token).await;
    }
    let invalid =
        || AppError::Unauthorized("the token is invalid or expired; sign in again".into());
    let claims = state.keys.verify(token).ok_or_else(invalid)?;
    if let Some(staff) = state.memory.staff(token) {
        return Ok(Principal::Staff(staff));
    }
    let generation = state.memory.staff.generation();
    let user = user::Entity::find_by_id(claims.sub)
        .one(state.db.conn())
        .await?
        .ok_or_else(invalid)?;
    if !user.active {
        return Err(AppError::Unauthorized("this account is deactivated".into()));
    }
    if claims.ver != user.token_version {
        return Err(invalid());
    }
    if let Some(device_id) = claims.dev {
        let device = device::Entity::find_by_id(device_id)
            .one(state.db.conn())
            .await?
            .filter(|d| d.revoked_at.is_none())
            .ok_or_else(|| {
                AppError::Unauthorized("this device was revoked; enrol it again".into())
            })?;
        // Moved to another outlet since: this outlet's tablet no longer signs them in.
        if user
            .outlet_id
            .is_some_and(|outlet| outlet != device.outlet_id)
        {
            return Err(invalid());
        }
    }
    let staff = Staff {
        user_id: user.id,
        username: user.username,
        role: user.role,
        outlet_id: user.outlet_id,
        device_id: claims.dev,
    };
    state
        .memory
        .staff
        .keep(Memory::token_key(token), staff.clone(), generation);
    Ok(Principal::Staff(staff))
}

async fn guest_from_token(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let session = guest_session(state.db.conn(), token).await?;
    Ok(Principal::Guest(Guest {
        session_id: session.id,
        outlet_id: session.outlet_id,
        table_id: session.table_id,
    }))
}
