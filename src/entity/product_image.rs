//! `product_images`: a dish's photo, as Kedai re-encoded it (JPEG, metadata gone).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: Uuid,
    /// Changes with every new photo; `products.image_etag` holds the same.
    pub etag: String,
    /// Longest side at most 1024 px.
    pub full: Vec<u8>,
    /// Longest side at most 256 px.
    pub thumb: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
