//! `users`: staff accounts.

use sea_orm::entity::prelude::*;

use crate::auth::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-case; unique.
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    /// `None` only for OWNER.
    pub outlet_id: Option<Uuid>,
    pub active: bool,
    /// Tokens carry the version they were issued under; a password change or deactivation
    /// bumps it, so every older token is refused.
    pub token_version: i64,
    /// argon2id of the 4–8 digit PIN for enrolled tablets; `None`: no PIN sign-in.
    pub pin_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::outlet::Entity",
        from = "Column::OutletId",
        to = "super::outlet::Column::Id"
    )]
    Outlet,
}

impl Related<super::outlet::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Outlet.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
