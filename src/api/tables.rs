//! Dining tables and their QR codes: `POST/GET /outlets/{id}/tables`, `GET/PATCH/DELETE
//! /tables/{id}`, `POST /tables/{id}/rotate-qr`, `GET /tables/{id}/qr.svg|qr.png`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::{Binary, Json, PlainText},
    ApiResponse, Object, OpenApi,
};
use uuid::Uuid;

use super::{text::Text, ApiTags};
use crate::{
    auth::Auth,
    entity::dining_table,
    error::AppResult,
    qr,
    service::{
        tables::{self, NewTable, TableChanges},
        PageRequest,
    },
    state::AppState,
};

pub struct TablesApi;

/// A dining table.
#[derive(Object)]
pub struct TableView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    pub capacity: i32,
    /// Random part of the table's QR URL.
    pub qr_slug: String,
    /// What the table's QR code opens: `<public url>/t/<qr_slug>`.
    pub qr_url: String,
    /// Inactive tables are kept for their history but cannot be opened.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TableView {
    fn new(table: dining_table::Model, public_url: &str) -> Self {
        TableView {
            qr_url: qr::table_url(public_url, &table.qr_slug),
            id: table.id,
            outlet_id: table.outlet_id,
            name: table.name,
            capacity: table.capacity,
            qr_slug: table.qr_slug,
            active: table.active,
            created_at: table.created_at,
            updated_at: table.updated_at,
        }
    }
}

#[derive(Object)]
pub struct TablePage {
    pub items: Vec<TableView>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewTableRequest {
    /// Unique within the outlet, e.g. `Meja 1`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    /// Seats, 1–100 (default 4).
    #[oai(nullable)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub capacity: Option<i32>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Object)]
pub struct TablePatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(nullable)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub capacity: Option<i32>,
    #[oai(nullable)]
    pub active: Option<bool>,
}

#[derive(ApiResponse)]
pub enum CreateTableResponse {
    #[oai(status = 201)]
    Created(Json<TableView>),
}

#[derive(ApiResponse)]
pub enum DeleteTableResponse {
    /// Deleted, or deactivated when it has history.
    #[oai(status = 204)]
    Removed,
}

#[derive(ApiResponse)]
pub enum QrSvgResponse {
    #[oai(status = 200, content_type = "image/svg+xml")]
    Svg(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum QrPngResponse {
    #[oai(status = 200, content_type = "image/png")]
    Png(Binary<Vec<u8>>),
}

#[OpenApi(tag = "ApiTags::Tables")]
impl TablesApi {
    /// Add a table. Its QR slug is generated.
    #[oai(
        path = "/outlets/:id/tables",
        method = "post",
        operation_id = "create_table"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewTableRequest>,
    ) -> AppResult<CreateTableResponse> {
        let actor = auth.0.staff()?;
        let input = NewTable {
            name: body.0.name.into(),
            capacity: body.0.capacity,
        };
        let table = tables::create_table(&state.db, actor, id.0, input).await?;
        Ok(CreateTableResponse::Created(Json(TableView::new(
            table,
            &state.public_url,
        ))))
    }

    /// The outlet's tables, oldest first.
    #[oai(
        path = "/outlets/:id/tables",
        method = "get",
        operation_id = "list_tables"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Only active (`true`) or inactive (`false`) tables.
        active: Query<Option<bool>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<TablePage>> {
        let actor = auth.0.staff()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let page = tables::list_tables(&state.db, actor, id.0, active.0, page).await?;
        Ok(Json(TablePage {
            items: page
                .items
                .into_iter()
                .map(|t| TableView::new(t, &state.public_url))
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// One table.
    #[oai(path = "/tables/:id", method = "get", operation_id = "get_table")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<TableView>> {
        let table = tables::get_table(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(TableView::new(table, &state.public_url)))
    }

    /// Rename, resize, activate or deactivate a table.
    #[oai(path = "/tables/:id", method = "patch", operation_id = "update_table")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<TablePatch>,
    ) -> AppResult<Json<TableView>> {
        let changes = TableChanges {
            name: body.0.name.map(String::from),
            capacity: body.0.capacity,
            active: body.0.active,
        };
        let table = tables::update_table(&state.db, auth.0.staff()?, id.0, changes).await?;
        Ok(Json(TableView::new(table, &state.public_url)))
    }

    /// Remove a table. A table with history is deactivated instead.
    #[oai(path = "/tables/:id", method = "delete", operation_id = "delete_table")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeleteTableResponse> {
        tables::delete_table(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DeleteTableResponse::Removed)
    }

    /// Issue a new QR slug; the old printed code stops working, and so do
    /// the guest tokens of the table's open session: guests at the table scan the new code.
    #[oai(
        path = "/tables/:id/rotate-qr",
        method = "post",
        operation_id = "rotate_table_qr"
    )]
    async fn rotate_qr(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<TableView>> {
        let table = tables::rotate_qr(&state.db, auth.0.staff()?, id.0).await?;
        Ok(Json(TableView::new(table, &state.public_url)))
    }

    /// The table's QR code as SVG (for printing).
    #[oai(
        path = "/tables/:id/qr.svg",
        method = "get",
        operation_id = "table_qr_svg"
    )]
    async fn qr_svg(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<QrSvgResponse> {
        let table = tables::get_table(&state.db, auth.0.staff()?, id.0).await?;
        let svg = qr::svg(&qr::table_url(&state.public_url, &table.qr_slug))?;
        Ok(QrSvgResponse::Svg(PlainText(svg)))
    }

    /// The table's QR code as PNG.
    #[oai(
        path = "/tables/:id/qr.png",
        method = "get",
        operation_id = "table_qr_png"
    )]
    async fn qr_png(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<QrPngResponse> {
        let table = tables::get_table(&state.db, auth.0.staff()?, id.0).await?;
        let png = qr::png(&qr::table_url(&state.public_url, &table.qr_slug))?;
        Ok(QrPngResponse::Png(Binary(png)))
    }
}
