//! `outlets`: one restaurant location.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outlets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub address: String,
    /// ISO 4217 code; amounts are in its smallest unit.
    pub currency: String,
    /// Basis points (1/100 of a percent).
    pub service_charge_bp: i32,
    pub tax_bp: i32,
    /// The biggest discount a KASIR may give, in basis points of what it applies to.
    pub max_cashier_discount_bp: i32,
    /// IANA name, e.g. `Asia/Jakarta`.
    pub timezone: String,
    pub qr_self_service: bool,
    /// Print the receipt by itself when an order is fully paid.
    pub auto_print_receipt: bool,
    /// Printed at the bottom of bills and receipts.
    pub receipt_footer: String,
    /// Shared tablets lock themselves after this many idle minutes; 0: never.
    pub auto_lock_minutes: i32,
    /// `id` or `en`: what its paper is printed in, and the pages' fallback.
    pub language: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user::Entity")]
    User,
    #[sea_orm(has_many = "super::printer::Entity")]
    Printer,
}

/// An order reads its outlet with the outlet's printers in one query (`service::menu`).
impl Related<super::printer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Printer.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
