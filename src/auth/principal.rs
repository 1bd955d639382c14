//! The authenticated caller. Taking `Auth` in a handler *is* the authentication check;
//! `principal.require(&[...])` is the authorization line.

use poem::Request;
use poem_openapi::{auth::Bearer, SecurityScheme};
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::Role;
use crate::{entity::user, error::AppError, state::AppState};

/// Bearer token: a staff JWT from `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearer",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "authenticate"
)]
pub struct Auth(pub Principal);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    Staff(Staff),
}

/// A signed-in, active staff member, as the database says now (not as the token said).
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub outlet_id: Option<Uuid>,
}

impl Principal {
    /// The staff member, if the caller is one of the given roles; 403 otherwise.
    pub fn require(&self, roles: &[Role]) -> Result<&Staff, AppError> {
        match self {
            Principal::Staff(staff) if roles.contains(&staff.role) => Ok(staff),
            Principal::Staff(staff) => Err(AppError::Forbidden(format!(
                "role {} may not do this",
                staff.role.as_str()
            ))),
        }
    }

    /// Any staff member.
    pub fn staff(&self) -> Result<&Staff, AppError> {
        match self {
            Principal::Staff(staff) => Ok(staff),
        }
    }
}

impl Staff {
    /// Whether this staff member may see things of `outlet_id` (OWNER sees every outlet).
    pub fn sees_outlet(&self, outlet_id: Uuid) -> bool {
        self.role == Role::Owner || self.outlet_id == Some(outlet_id)
    }
}

pub const ALL_STAFF: &[Role] = &[
    Role::Owner,
    Role::Manager,
    Role::Kasir,
    Role::Waiter,
    Role::Kitchen,
];
pub const ADMINS: &[Role] = &[Role::Owner, Role::Manager];

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from request"))?;
    Ok(principal_from_token(state, &bearer.token).await?)
}

/// Resolves a bearer token to a principal. A token is refused when its user no longer exists,
/// was deactivated, or changed password after the token was issued.
pub async fn principal_from_token(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let invalid =
        || AppError::Unauthorized("the token is invalid or expired; sign in again".into());
    let claims = state.keys.verify(token).ok_or_else(invalid)?;
    let user = user::Entity::find_by_id(claims.sub)
        .one(state.db.conn())
        .await?
        .ok_or_else(invalid)?;
    if !user.active {
        return Err(AppError::Unauthorized("this account is deactivated".into()));
    }
    if claims.iat < user.tokens_valid_after.timestamp() {
        return Err(invalid());
    }
    Ok(Principal::Staff(Staff {
        user_id: user.id,
        username: user.username,
        role: user.role,
        outlet_id: user.outlet_id,
    }))
}
