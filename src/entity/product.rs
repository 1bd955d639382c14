//! `products`: what the menu sells.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub category_id: Option<Uuid>,
    pub name: String,
    pub description: String,
    /// Smallest currency unit.
    pub price: i64,
    /// `false` = sold out for now.
    pub available: bool,
    pub sort: i32,
    /// Removed from the menu; kept because orders refer to it.
    pub deleted: bool,
    /// The photo's ETag; `None`: no photo.
    pub image_etag: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
