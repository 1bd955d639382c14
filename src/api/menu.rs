//! The menu: categories, products with modifier groups, and `GET /menu`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{forgets_menu, text::Text, ApiTags};
use crate::{
    auth::{Auth, Principal},
    entity::category,
    error::AppResult,
    service::{
        categories::{self, CategoryChanges, NewCategory},
        menu,
        products::{
            self, GroupDetails, ModifierGroupChanges, NewModifierGroup, NewProduct, OptionInput,
            ProductChanges, ProductDetails, ProductFilter,
        },
        PageRequest,
    },
    state::AppState,
};

pub struct MenuApi;

#[derive(Object)]
pub struct CategoryView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    /// Display order, ascending.
    pub sort: i32,
    /// The station that makes its dishes ("Bar"); `null`: the kitchen. `/kitchen?station=Bar`
    /// and the KITCHEN printers follow it.
    #[oai(nullable)]
    pub station: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<category::Model> for CategoryView {
    fn from(c: category::Model) -> Self {
        CategoryView {
            id: c.id,
            outlet_id: c.outlet_id,
            name: c.name,
            sort: c.sort,
            station: c.station,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Object)]
pub struct CategoryPage {
    pub items: Vec<CategoryView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewCategoryRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    #[oai(nullable)]
    pub sort: Option<i32>,
    /// e.g. "Bar"; absent or blank: the kitchen.
    #[oai(validator(max_length = 60))]
    #[oai(nullable)]
    pub station: Option<Text>,
}

#[derive(Object)]
pub struct CategoryPatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(nullable)]
    pub sort: Option<i32>,
    /// `null` or blank: back to the kitchen; absent: unchanged.
    #[oai(validator(max_length = 60))]
    pub station: MaybeUndefined<Text>,
}

#[derive(Object)]
pub struct ModifierOptionView {
    pub id: Uuid,
    pub name: String,
    /// Added to the product price when chosen.
    pub price_delta: i64,
    pub available: bool,
}

/// A choice on a product: pick between `min_select` and `max_select` of `options`.
#[derive(Object)]
pub struct ModifierGroupView {
    pub id: Uuid,
    pub product_id: Uuid,
    pub name: String,
    pub min_select: i32,
    pub max_select: i32,
    pub sort: i32,
    pub options: Vec<ModifierOptionView>,
}

impl From<GroupDetails> for ModifierGroupView {
    fn from(g: GroupDetails) -> Self {
        ModifierGroupView {
            id: g.group.id,
            product_id: g.group.product_id,
            name: g.group.name,
            min_select: g.group.min_select,
            max_select: g.group.max_select,
            sort: g.group.sort,
            options: g
                .options
                .into_iter()
                .map(|o| ModifierOptionView {
                    id: o.id,
                    name: o.name,
                    price_delta: o.price_delta,
                    available: o.available,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
pub struct ProductView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    #[oai(nullable)]
    pub category_id: Option<Uuid>,
    pub name: String,
    pub description: String,
    /// In the outlet currency's smallest unit.
    pub price: i64,
    /// `false` while sold out.
    pub available: bool,
    pub sort: i32,
    /// The photo (`?size=thumb` for menus), changing with every new photo; `null`: none.
    #[oai(nullable)]
    pub image_url: Option<String>,
    pub modifier_groups: Vec<ModifierGroupView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProductDetails> for ProductView {
    fn from(d: ProductDetails) -> Self {
        let p = d.product;
        ProductView {
            id: p.id,
            outlet_id: p.outlet_id,
            category_id: p.category_id,
            name: p.name,
            description: p.description,
            price: p.price,
            available: p.available,
            sort: p.sort,
            image_url: p
                .image_etag
                .map(|etag| format!("{}/products/{}/image?v={etag}", super::BASE_PATH, p.id)),
            modifier_groups: d.groups.into_iter().map(ModifierGroupView::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Object)]
pub struct ProductPage {
    pub items: Vec<ProductView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewProductRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub description: Option<Text>,
    /// 0 … 10^12, in the outlet currency's smallest unit.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub price: i64,
    /// A category of the same outlet.
    #[oai(nullable)]
    pub category_id: Option<Uuid>,
    /// Default `true`.
    #[oai(nullable)]
    pub available: Option<bool>,
    #[oai(nullable)]
    pub sort: Option<i32>,
}

/// Fields to change; absent fields stay as they are. KASIR and KITCHEN may send only `available`.
#[derive(Object)]
pub struct ProductPatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub description: Option<Text>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub price: Option<i64>,
    /// `null` takes the product out of its category.
    #[oai(nullable)]
    pub category_id: MaybeUndefined<Uuid>,
    #[oai(nullable)]
    pub available: Option<bool>,
    #[oai(nullable)]
    pub sort: Option<i32>,
}

#[derive(Object)]
pub struct ModifierOptionRequest {
    /// On update: an existing option of this group to keep. Leave out for a new option.
    #[oai(nullable)]
    pub id: Option<Uuid>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    /// ≥ 0 (default 0).
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub price_delta: Option<i64>,
    /// Default `true`.
    #[oai(nullable)]
    pub available: Option<bool>,
}

impl From<ModifierOptionRequest> for OptionInput {
    fn from(o: ModifierOptionRequest) -> Self {
        OptionInput {
            id: o.id,
            name: o.name.into(),
            price_delta: o.price_delta.unwrap_or(0),
            available: o.available,
        }
    }
}

#[derive(Object)]
pub struct NewModifierGroupRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    /// Default 0 (optional choice).
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0")))]
    pub min_select: Option<i32>,
    /// Default 1.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "1")))]
    pub max_select: Option<i32>,
    #[oai(nullable)]
    pub sort: Option<i32>,
    #[oai(validator(max_items = 50))]
    pub options: Vec<ModifierOptionRequest>,
}

/// Fields to change. `options`, when given, is the complete new list.
#[derive(Object)]
pub struct ModifierGroupPatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0")))]
    pub min_select: Option<i32>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "1")))]
    pub max_select: Option<i32>,
    #[oai(nullable)]
    pub sort: Option<i32>,
    #[oai(validator(max_items = 50))]
    #[oai(nullable)]
    pub options: Option<Vec<ModifierOptionRequest>>,
}

/// One heading of the menu. `id` and `name` are `null` for products without a category.
#[derive(Object)]
pub struct MenuSectionView {
    #[oai(nullable)]
    pub id: Option<Uuid>,
    #[oai(nullable)]
    pub name: Option<String>,
    pub products: Vec<ProductView>,
}

#[derive(Object)]
pub struct MenuView {
    pub outlet_id: Uuid,
    pub outlet_name: String,
    /// ISO 4217; prices are in its smallest unit.
    pub currency: String,
    pub service_charge_bp: i32,
    pub tax_bp: i32,
    /// The outlet's language (`id` or `en`): the page's fallback.
    pub language: String,
    pub categories: Vec<MenuSectionView>,
}

impl From<menu::Menu> for MenuView {
    fn from(m: menu::Menu) -> Self {
        MenuView {
            outlet_id: m.outlet.id,
            outlet_name: m.outlet.name,
            currency: m.outlet.currency,
            service_charge_bp: m.outlet.service_charge_bp,
            tax_bp: m.outlet.tax_bp,
            language: m.outlet.language,
            categories: m
                .sections
                .into_iter()
                .map(|(category, products)| MenuSectionView {
                    id: category.as_ref().map(|c| c.id),
                    name: category.map(|c| c.name),
                    products: products.into_iter().map(ProductView::from).collect(),
                })
                .collect(),
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateCategoryResponse {
    #[oai(status = 201)]
    Created(Json<CategoryView>),
}

#[derive(ApiResponse)]
pub enum CreateProductResponse {
    #[oai(status = 201)]
    Created(Json<ProductView>),
}

#[derive(ApiResponse)]
pub enum CreateModifierGroupResponse {
    #[oai(status = 201)]
    Created(Json<ModifierGroupView>),
}

#[derive(ApiResponse)]
pub enum DeletedResponse {
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(tag = "ApiTags::Menu")]
impl MenuApi {
    /// Add a menu category.
    #[oai(
        path = "/outlets/:id/categories",
        method = "post",
        operation_id = "create_category",
        transform = "forgets_menu"
    )]
    async fn create_category(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewCategoryRequest>,
    ) -> AppResult<CreateCategoryResponse> {
        let input = NewCategory {
            name: body.0.name.into(),
            sort: body.0.sort,
            station: body.0.station.map(String::from),
        };
        let created = categories::create_category(&state.db, auth.0.staff()?, id.0, input).await?;
        Ok(CreateCategoryResponse::Created(Json(created.into())))
    }

    /// The outlet's categories, oldest first.
    #[oai(
        path = "/outlets/:id/categories",
        method = "get",
        operation_id = "list_categories"
    )]
    async fn list_categories(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<CategoryPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let page = categories::list_categories(&state.db, auth.0.staff()?, id.0, page).await?;
        Ok(Json(CategoryPage {
            items: page.items.into_iter().map(CategoryView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Rename or re-order a category.
    #[oai(
        path = "/categories/:id",
        method = "patch",
        operation_id = "update_category",
        transform = "forgets_menu"
    )]
    async fn update_category(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<CategoryPatch>,
    ) -> AppResult<Json<CategoryView>> {
        let changes = CategoryChanges {
            name: body.0.name.map(String::from),
            sort: body.0.sort,
            station: match body.0.station {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(station) => Some(Some(station.into())),
            },
        };
        Ok(Json(
            categories::update_category(&state.db, auth.0.staff()?, id.0, changes)
                .await?
                .into(),
        ))
    }

    /// Delete an empty category; 409 while products are in it.
    #[oai(
        path = "/categories/:id",
        method = "delete",
        operation_id = "delete_category",
        transform = "forgets_menu"
    )]
    async fn delete_category(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeletedResponse> {
        categories::delete_category(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DeletedResponse::Deleted)
    }

    /// Add a product.
    #[oai(
        path = "/outlets/:id/products",
        method = "post",
        operation_id = "create_product",
        transform = "forgets_menu"
    )]
    async fn create_product(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewProductRequest>,
    ) -> AppResult<CreateProductResponse> {
        let b = body.0;
        let input = NewProduct {
            name: b.name.into(),
            description: b.description.map(String::from),
            price: b.price,
            category_id: b.category_id,
            available: b.available,
            sort: b.sort,
        };
        let created = products::create_product(&state.db, auth.0.staff()?, id.0, input).await?;
        Ok(CreateProductResponse::Created(Json(created.into())))
    }

    /// The outlet's products with their modifier groups, oldest first.
    #[oai(
        path = "/outlets/:id/products",
        method = "get",
        operation_id = "list_products"
    )]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn list_products(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        category_id: Query<Option<Uuid>>,
        /// `false` lists what is sold out.
        available: Query<Option<bool>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<ProductPage>> {
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let filter = ProductFilter {
            category_id: category_id.0,
            available: available.0,
        };
        let page = products::list_products(&state.db, auth.0.staff()?, id.0, filter, page).await?;
        Ok(Json(ProductPage {
            items: page.items.into_iter().map(ProductView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One product with its modifier groups.
    #[oai(path = "/products/:id", method = "get", operation_id = "get_product")]
    async fn get_product(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<ProductView>> {
        Ok(Json(
            products::get_product(&state.db, auth.0.staff()?, id.0)
                .await?
                .into(),
        ))
    }

    /// Edit a product. KASIR and KITCHEN may only switch `available`
    /// (sold out / back on); anything else is 403 for them.
    #[oai(
        path = "/products/:id",
        method = "patch",
        operation_id = "update_product",
        transform = "forgets_menu"
    )]
    async fn update_product(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ProductPatch>,
    ) -> AppResult<Json<ProductView>> {
        let b = body.0;
        let changes = ProductChanges {
            name: b.name.map(String::from),
            description: b.description.map(String::from),
            price: b.price,
            category_id: b.category_id.into(),
            available: b.available,
            sort: b.sort,
        };
        Ok(Json(
            products::update_product(&state.db, auth.0.staff()?, id.0, changes)
                .await?
                .into(),
        ))
    }

    /// Take a product off the menu. Past orders keep their copy of it.
    #[oai(
        path = "/products/:id",
        method = "delete",
        operation_id = "delete_product",
        transform = "forgets_menu"
    )]
    async fn delete_product(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeletedResponse> {
        products::delete_product(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DeletedResponse::Deleted)
    }

    /// Add a modifier group with its options.
    /// Needs 0 ≤ min_select ≤ max_select ≤ number of options.
    #[oai(
        path = "/products/:id/modifier-groups",
        method = "post",
        operation_id = "create_modifier_group",
        transform = "forgets_menu"
    )]
    async fn create_modifier_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewModifierGroupRequest>,
    ) -> AppResult<CreateModifierGroupResponse> {
        let b = body.0;
        let input = NewModifierGroup {
            name: b.name.into(),
            min_select: b.min_select.unwrap_or(0),
            max_select: b.max_select.unwrap_or(1),
            sort: b.sort,
            options: b.options.into_iter().map(OptionInput::from).collect(),
        };
        let created =
            products::create_modifier_group(&state.db, auth.0.staff()?, id.0, input).await?;
        Ok(CreateModifierGroupResponse::Created(Json(created.into())))
    }

    /// Edit a modifier group; `options` replaces the whole list, keeping
    /// options whose `id` is given.
    #[oai(
        path = "/modifier-groups/:id",
        method = "patch",
        operation_id = "update_modifier_group",
        transform = "forgets_menu"
    )]
    async fn update_modifier_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ModifierGroupPatch>,
    ) -> AppResult<Json<ModifierGroupView>> {
        let b = body.0;
        let changes = ModifierGroupChanges {
            name: b.name.map(String::from),
            min_select: b.min_select,
            max_select: b.max_select,
            sort: b.sort,
            options: b
                .options
                .map(|options| options.into_iter().map(OptionInput::from).collect()),
        };
        Ok(Json(
            products::update_modifier_group(&state.db, auth.0.staff()?, id.0, changes)
                .await?
                .into(),
        ))
    }

    /// Delete a modifier group and its options.
    #[oai(
        path = "/modifier-groups/:id",
        method = "delete",
        operation_id = "delete_modifier_group",
        transform = "forgets_menu"
    )]
    async fn delete_modifier_group(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeletedResponse> {
        products::delete_modifier_group(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DeletedResponse::Deleted)
    }

    /// The menu by category, in display order: available products with their available
    /// options. Guests (table-session token) get their table's outlet; staff name the outlet
    /// (default: their own). `include_sold_out=true` adds sold-out products and options,
    /// flagged `available: false`.
    #[oai(path = "/menu", method = "get", operation_id = "get_menu")]
    async fn menu(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        include_sold_out: Query<Option<bool>>,
    ) -> AppResult<Json<MenuView>> {
        let include_sold_out = include_sold_out.0.unwrap_or(false);
        let menu = match &auth.0 {
            Principal::Guest(guest) => {
                menu::menu_for_guest(&state.db, guest, include_sold_out).await?
            }
            Principal::Staff(staff) => {
                menu::menu_for_staff(&state.db, staff, outlet_id.0, include_sold_out).await?
            }
        };
        Ok(Json(menu.into()))
    }
}
