//! `devices`: tablets enrolled at an outlet, where staff sign in with a PIN.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    /// SHA-256 (hex) of the secret shown once at enrolment.
    pub secret_hash: String,
    /// Wrong PINs in a row on this device, whoever typed them.
    pub failed_pins: i32,
    /// Set after too many wrong PINs; a MANAGER/OWNER unlocks it.
    pub locked_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub last_seen_at: Option<DateTimeUtc>,
    /// Revoked: its secret and every token issued through it stop working.
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
