//! Outlets: `POST/GET /outlets`, `GET/PATCH /outlets/{id}`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{forgets_menu, text::Text, ApiTags};
use crate::{
    auth::Auth,
    entity::outlet,
    error::AppResult,
    service::{
        outlets::{self, NewOutlet, OutletChanges},
        PageRequest,
    },
    state::AppState,
};

pub struct OutletsApi;

/// A restaurant location.
#[derive(Object)]
pub struct OutletView {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    /// ISO 4217; amounts are integers in its smallest unit (IDR: rupiah).
    pub currency: String,
    /// Service charge in basis points (500 = 5%).
    pub service_charge_bp: i32,
    /// Tax in basis points, applied after the service charge (1100 = 11%).
    pub tax_bp: i32,
    /// The biggest discount a KASIR may give, in basis points of what it applies to (1000 =
    /// 10 %); more needs a MANAGER or OWNER.
    pub max_cashier_discount_bp: i32,
    /// IANA time zone; business days and reports follow it.
    pub timezone: String,
    /// Whether guests scanning a table QR may open the table themselves.
    pub qr_self_service: bool,
    /// Print the receipt on the RECEIPT printer by itself when an order is fully paid.
    pub auto_print_receipt: bool,
    /// Printed at the bottom of bills and receipts.
    pub receipt_footer: String,
    /// Shared tablets lock themselves after this many idle minutes; 0: never.
    pub auto_lock_minutes: i32,
    /// `id` (Bahasa Indonesia) or `en`: tickets, bills and receipts are printed in it, and
    /// pages fall back to it for a browser that speaks neither.
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<outlet::Model> for OutletView {
    fn from(o: outlet::Model) -> Self {
        OutletView {
            id: o.id,
            name: o.name,
            address: o.address,
            currency: o.currency,
            service_charge_bp: o.service_charge_bp,
            tax_bp: o.tax_bp,
            max_cashier_discount_bp: o.max_cashier_discount_bp,
            timezone: o.timezone,
            qr_self_service: o.qr_self_service,
            auto_print_receipt: o.auto_print_receipt,
            receipt_footer: o.receipt_footer,
            auto_lock_minutes: o.auto_lock_minutes,
            language: o.language,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Object)]
pub struct OutletPage {
    pub items: Vec<OutletView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewOutletRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub address: Option<Text>,
    /// Default `IDR`.
    #[oai(validator(min_length = 3, max_length = 3))]
    #[oai(nullable)]
    pub currency: Option<Text>,
    /// 0–10000, default 0.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub service_charge_bp: Option<i32>,
    /// 0–10000, default 0.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub tax_bp: Option<i32>,
    /// The biggest discount a KASIR may give, 0–10000 basis points, default 0.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub max_cashier_discount_bp: Option<i32>,
    /// Default `Asia/Jakarta`.
    #[oai(validator(max_length = 64))]
    #[oai(nullable)]
    pub timezone: Option<Text>,
    /// Default `false`.
    #[oai(nullable)]
    pub qr_self_service: Option<bool>,
    /// Default `false`.
    #[oai(nullable)]
    pub auto_print_receipt: Option<bool>,
    /// Default empty.
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub receipt_footer: Option<Text>,
    /// Idle minutes before a shared tablet locks itself, 0 (never) to 240; default 5.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "240")))]
    pub auto_lock_minutes: Option<i32>,
    /// `id` (default) or `en`.
    #[oai(nullable)]
    #[oai(validator(max_length = 8))]
    pub language: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Object)]
pub struct OutletPatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub address: Option<Text>,
    #[oai(validator(min_length = 3, max_length = 3))]
    #[oai(nullable)]
    pub currency: Option<Text>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub service_charge_bp: Option<i32>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub tax_bp: Option<i32>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub max_cashier_discount_bp: Option<i32>,
    #[oai(validator(max_length = 64))]
    #[oai(nullable)]
    pub timezone: Option<Text>,
    #[oai(nullable)]
    pub qr_self_service: Option<bool>,
    #[oai(nullable)]
    pub auto_print_receipt: Option<bool>,
    #[oai(validator(max_length = 500))]
    #[oai(nullable)]
    pub receipt_footer: Option<Text>,
    /// Idle minutes before a shared tablet locks itself, 0 (never) to 240; default 5.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "240")))]
    pub auto_lock_minutes: Option<i32>,
    /// `id` (default) or `en`.
    #[oai(nullable)]
    #[oai(validator(max_length = 8))]
    pub language: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreateOutletResponse {
    #[oai(status = 201)]
    Created(Json<OutletView>),
}

#[OpenApi(tag = "ApiTags::Outlets")]
impl OutletsApi {
    /// Create an outlet.
    #[oai(path = "/outlets", method = "post", operation_id = "create_outlet")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewOutletRequest>,
    ) -> AppResult<CreateOutletResponse> {
        let actor = auth.0.staff()?;
        let b = body.0;
        let input = NewOutlet {
            name: b.name.into(),
            address: b.address.map(String::from),
            currency: b.currency.map(String::from),
            service_charge_bp: b.service_charge_bp,
            tax_bp: b.tax_bp,
            max_cashier_discount_bp: b.max_cashier_discount_bp,
            timezone: b.timezone.map(String::from),
            qr_self_service: b.qr_self_service,
            auto_print_receipt: b.auto_print_receipt,
            receipt_footer: b.receipt_footer.map(String::from),
            auto_lock_minutes: b.auto_lock_minutes,
            language: b.language,
        };
        let created = outlets::create_outlet(&state.db, actor, input).await?;
        Ok(CreateOutletResponse::Created(Json(created.into())))
    }

    /// Outlets the caller may see (OWNER: all; staff: their own).
    #[oai(path = "/outlets", method = "get", operation_id = "list_outlets")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<OutletPage>> {
        let actor = auth.0.staff()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let page = outlets::list_outlets(&state.db, actor, page).await?;
        Ok(Json(OutletPage {
            items: page.items.into_iter().map(OutletView::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One outlet.
    #[oai(path = "/outlets/:id", method = "get", operation_id = "get_outlet")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<OutletView>> {
        let actor = auth.0.staff()?;
        Ok(Json(
            outlets::get_outlet(&state.db, actor, id.0).await?.into(),
        ))
    }

    /// Edit an outlet (OWNER; MANAGER of that outlet).
    #[oai(
        path = "/outlets/:id",
        method = "patch",
        operation_id = "update_outlet",
        transform = "forgets_menu"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<OutletPatch>,
    ) -> AppResult<Json<OutletView>> {
        let actor = auth.0.staff()?;
        let b = body.0;
        let changes = OutletChanges {
            name: b.name.map(String::from),
            address: b.address.map(String::from),
            currency: b.currency.map(String::from),
            service_charge_bp: b.service_charge_bp,
            tax_bp: b.tax_bp,
            max_cashier_discount_bp: b.max_cashier_discount_bp,
            timezone: b.timezone.map(String::from),
            qr_self_service: b.qr_self_service,
            auto_print_receipt: b.auto_print_receipt,
            receipt_footer: b.receipt_footer.map(String::from),
            auto_lock_minutes: b.auto_lock_minutes,
            language: b.language,
        };
        Ok(Json(
            outlets::update_outlet(&state.db, actor, id.0, changes)
                .await?
                .into(),
        ))
    }
}
