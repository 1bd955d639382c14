//! Staff accounts: `GET /users`, `GET /users/{id}`, `PATCH /users/{id}`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    Object, OpenApi,
};
use uuid::Uuid;

use super::{forgets_staff, text::Text, ApiTags};
use crate::{
    auth::{Auth, Role},
    entity::user,
    error::AppResult,
    service::{
        users::{self, UserChanges, UserFilter},
        PageRequest,
    },
    state::AppState,
};

pub struct UsersApi;

/// A staff account (never its password hash).
#[derive(Debug, Object)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    /// The outlet this account works at; `null` for OWNER.
    #[oai(nullable)]
    pub outlet_id: Option<Uuid>,
    pub active: bool,
    /// Whether a PIN is set for signing in on the outlet's tablets.
    pub has_pin: bool,
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for UserView {
    fn from(user: user::Model) -> Self {
        UserView {
            id: user.id,
            username: user.username,
            role: user.role,
            outlet_id: user.outlet_id,
            active: user.active,
            has_pin: user.pin_hash.is_some(),
            created_at: user.created_at,
        }
    }
}

/// One page of staff accounts.
#[derive(Object)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Object)]
pub struct UserPatch {
    #[oai(nullable)]
    pub role: Option<Role>,
    /// `false` deactivates the account; its tokens stop working at once.
    #[oai(nullable)]
    pub active: Option<bool>,
    /// New password (8–128 characters). Signs the account out everywhere.
    #[oai(validator(min_length = 8, max_length = 128))]
    #[oai(nullable)]
    pub password: Option<Text>,
    /// Required when changing your own password.
    #[oai(validator(max_length = 128))]
    #[oai(nullable)]
    pub current_password: Option<Text>,
    /// Move the account to another outlet (OWNER only).
    #[oai(nullable)]
    pub outlet_id: Option<Uuid>,
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// List staff accounts (OWNER: all; MANAGER: their outlet), oldest first.
    #[oai(path = "/users", method = "get", operation_id = "list_users")]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        outlet_id: Query<Option<Uuid>>,
        role: Query<Option<Role>>,
        active: Query<Option<bool>>,
    ) -> AppResult<Json<UserPage>> {
        let actor = auth.0.staff()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let filter = UserFilter {
            outlet_id: outlet_id.0,
            role: role.0,
            active: active.0,
        };
        let page = users::list_users(&state.db, actor, filter, page).await?;
        Ok(Json(UserPage {
            items: page.items.into_iter().map(UserView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One staff account (yourself, or one you administer).
    #[oai(path = "/users/:id", method = "get", operation_id = "get_user")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<UserView>> {
        let actor = auth.0.staff()?;
        Ok(Json(users::get_user(&state.db, actor, id.0).await?.into()))
    }

    /// Change role, status, outlet or password. OWNER edits anyone; MANAGER edits the floor
    /// staff of its outlet; everyone may change their own password.
    #[oai(
        path = "/users/:id",
        method = "patch",
        operation_id = "update_user",
        transform = "forgets_staff"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<UserPatch>,
    ) -> AppResult<Json<UserView>> {
        let actor = auth.0.staff()?;
        let body = body.0;
        let changes = UserChanges {
            role: body.role,
            active: body.active,
            password: body.password.map(String::from),
            current_password: body.current_password.map(String::from),
            outlet_id: body.outlet_id,
        };
        let updated = users::update_user(&state.db, &state.passwords, actor, id.0, changes).await?;
        Ok(Json(updated.into()))
    }
}
