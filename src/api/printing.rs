//! Paper: `POST/GET /outlets/{id}/printers`, `PATCH/DELETE /printers/{id}`,
//! `POST /printers/{id}/test|open-drawer`, `GET /print-jobs`, `POST /print-jobs/{id}/retry`,
//! `POST /orders/{id}/print`, `POST /table-sessions/{id}/print`, `GET /orders/{id}/receipt.txt`
//! and the public digital receipt `GET /receipts/{token}` (the page `/r/<token>` shows it).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::{Json, PlainText},
    ApiResponse, Enum, Object, OpenApi,
};
use uuid::Uuid;

use super::{forgets_menu, text::Text, ApiTags};
use crate::{
    auth::Auth,
    domain::{PrintJobKind, PrintJobStatus, PrinterKind},
    entity::{print_job, printer},
    error::AppResult,
    printing::layout::Receipt,
    service::{
        printers::{self, NewPrinter, PrinterChanges},
        printing::{self, JobFilter, PrintKind},
    },
    state::AppState,
};

pub struct PrintingApi;

/// A network thermal printer (ESC/POS over raw TCP).
#[derive(Object)]
pub struct PrinterView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    /// RECEIPT: bills, receipts and the cash drawer; KITCHEN: tickets.
    pub kind: PrinterKind,
    /// `host:port`.
    pub address: String,
    /// 58 (32 characters a line) or 80 (48).
    pub paper_width_mm: i32,
    /// KITCHEN: the categories whose dishes it prints; empty = all.
    pub category_ids: Vec<Uuid>,
    pub copies: i32,
    /// An inactive printer is never connected to.
    pub active: bool,
    /// What it last said: UNKNOWN (never tried), OK, OFFLINE, PAPER_OUT, COVER_OPEN,
    /// UNREACHABLE or ERROR.
    pub status: String,
    #[oai(nullable)]
    pub status_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<printer::Model> for PrinterView {
    fn from(p: printer::Model) -> Self {
        PrinterView {
            category_ids: p.categories(),
            id: p.id,
            outlet_id: p.outlet_id,
            name: p.name,
            kind: p.kind,
            address: p.address,
            paper_width_mm: p.paper_width_mm,
            copies: p.copies,
            active: p.active,
            status: p.status,
            status_at: p.status_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Object)]
pub struct NewPrinterRequest {
    /// Unique within the outlet, e.g. `Kasir` or `Bar`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    pub kind: PrinterKind,
    /// `host:port`; the port defaults to 9100.
    #[oai(validator(max_length = 255))]
    pub address: String,
    /// 58 or 80 (default 80).
    #[oai(nullable)]
    pub paper_width_mm: Option<i32>,
    /// KITCHEN: the categories it prints (default: all).
    #[oai(nullable, validator(max_items = 200))]
    pub category_ids: Option<Vec<Uuid>>,
    /// 1–3 (default 1).
    #[oai(nullable)]
    pub copies: Option<i32>,
    #[oai(nullable)]
    pub active: Option<bool>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Object)]
pub struct PrinterPatch {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<Text>,
    #[oai(nullable)]
    pub kind: Option<PrinterKind>,
    #[oai(nullable, validator(max_length = 255))]
    pub address: Option<String>,
    #[oai(nullable)]
    pub paper_width_mm: Option<i32>,
    #[oai(nullable, validator(max_items = 200))]
    pub category_ids: Option<Vec<Uuid>>,
    #[oai(nullable)]
    pub copies: Option<i32>,
    /// Switching a printer off fails its waiting jobs (retry them once it is back).
    #[oai(nullable)]
    pub active: Option<bool>,
}

/// One print job in the queue.
#[derive(Object)]
pub struct PrintJobView {
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub printer_id: Uuid,
    pub kind: PrintJobKind,
    pub status: PrintJobStatus,
    #[oai(nullable)]
    pub order_id: Option<Uuid>,
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
    /// A receipt printed again (it says COPY), or a job sent again after an uncertain try.
    pub reprint: bool,
    pub attempts: i32,
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// While QUEUED: when it is tried next.
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub printed_at: Option<DateTime<Utc>>,
}

impl From<print_job::Model> for PrintJobView {
    fn from(j: print_job::Model) -> Self {
        PrintJobView {
            id: j.id,
            outlet_id: j.outlet_id,
            printer_id: j.printer_id,
            kind: j.kind,
            status: j.status,
            order_id: j.order_id,
            table_session_id: j.table_session_id,
            reprint: j.reprint,
            attempts: j.attempts,
            last_error: j.last_error,
            next_attempt_at: j.next_attempt_at,
            created_at: j.created_at,
            printed_at: j.printed_at,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "UPPERCASE")]
pub enum PrintWhat {
    /// What is owed, before paying.
    Bill,
    /// What was paid; only once the order is paid. A second one says COPY.
    Receipt,
}

#[derive(Object)]
pub struct PrintOrderRequest {
    pub kind: PrintWhat,
    /// A RECEIPT printer of the outlet (default: its first one).
    #[oai(nullable)]
    pub printer_id: Option<Uuid>,
}

#[derive(Object)]
pub struct PrintTableRequest {
    /// A RECEIPT printer of the outlet (default: its first one).
    #[oai(nullable)]
    pub printer_id: Option<Uuid>,
}

/// A line of a digital receipt.
#[derive(Object)]
pub struct ReceiptLineView {
    /// Charged for.
    pub quantity: i32,
    pub name: String,
    /// Each, options included.
    pub unit_price: i64,
    pub options: Vec<String>,
    /// `unit_price × quantity`, before the line's discount.
    pub total: i64,
    /// Given at no charge.
    pub comped: i32,
    pub discount: i64,
}

#[derive(Object)]
pub struct ReceiptDiscountView {
    pub label: String,
    pub amount: i64,
}

#[derive(Object)]
pub struct ReceiptPaymentView {
    /// CASH, QRIS, CARD, TRANSFER or OTHER.
    pub method: String,
    pub amount: i64,
    #[oai(nullable)]
    pub tendered: Option<i64>,
    pub change: i64,
}

/// The digital receipt: the printed receipt's content, for the page `/r/<token>`.
#[derive(Object)]
pub struct ReceiptView {
    pub outlet_name: String,
    pub outlet_address: String,
    /// `null`: takeaway.
    #[oai(nullable)]
    pub table: Option<String>,
    pub numbers: Vec<i64>,
    /// Printed at, in the outlet's timezone (`DD/MM/YYYY HH:MM`).
    pub at: String,
    #[oai(nullable)]
    pub cashier: Option<String>,
    pub lines: Vec<ReceiptLineView>,
    pub discounts: Vec<ReceiptDiscountView>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub service_charge_bp: i32,
    pub service_charge: i64,
    pub tax_bp: i32,
    pub tax: i64,
    pub total: i64,
    pub payments: Vec<ReceiptPaymentView>,
    pub paid: i64,
    pub outstanding: i64,
    #[oai(nullable)]
    pub footer: Option<String>,
}

impl From<Receipt> for ReceiptView {
    fn from(r: Receipt) -> Self {
        ReceiptView {
            outlet_name: r.outlet_name,
            outlet_address: r.outlet_address,
            table: r.table,
            numbers: r.numbers,
            at: r.at,
            cashier: r.cashier,
            lines: r
                .lines
                .into_iter()
                .map(|l| ReceiptLineView {
                    quantity: l.quantity,
                    name: l.name,
                    unit_price: l.unit_price,
                    options: l.options,
                    total: l.total,
                    comped: l.comped,
                    discount: l.discount,
                })
                .collect(),
            discounts: r
                .discounts
                .into_iter()
                .map(|d| ReceiptDiscountView {
                    label: d.label,
                    amount: d.amount,
                })
                .collect(),
            subtotal: r.subtotal,
            discount_total: r.discount_total,
            service_charge_bp: r.service_charge_bp,
            service_charge: r.service_charge,
            tax_bp: r.tax_bp,
            tax: r.tax,
            total: r.total,
            payments: r
                .payments
                .into_iter()
                .map(|p| ReceiptPaymentView {
                    method: p.method,
                    amount: p.amount,
                    tendered: p.tendered,
                    change: p.change,
                })
                .collect(),
            paid: r.paid,
            outstanding: r.outstanding,
            footer: r.footer,
        }
    }
}

#[derive(ApiResponse)]
pub enum CreatePrinterResponse {
    #[oai(status = 201)]
    Created(Json<PrinterView>),
}

#[derive(ApiResponse)]
pub enum DeletePrinterResponse {
    /// Removed, with its job history.
    #[oai(status = 204)]
    Removed,
}

#[derive(ApiResponse)]
pub enum QueuedResponse {
    /// Queued: it prints as soon as the printer takes it (see `GET /print-jobs`).
    #[oai(status = 202)]
    Queued(Json<PrintJobView>),
}

#[derive(ApiResponse)]
pub enum ReceiptTextResponse {
    #[oai(status = 200, content_type = "text/plain; charset=utf-8")]
    Text(PlainText<String>),
}

#[OpenApi(tag = "ApiTags::Printing")]
impl PrintingApi {
    /// Add a printer to an outlet.
    #[oai(
        path = "/outlets/:id/printers",
        method = "post",
        operation_id = "create_printer",
        transform = "forgets_menu"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NewPrinterRequest>,
    ) -> AppResult<CreatePrinterResponse> {
        let actor = auth.0.staff()?;
        let b = body.0;
        let input = NewPrinter {
            name: b.name.into(),
            kind: b.kind,
            address: b.address,
            paper_width_mm: b.paper_width_mm,
            category_ids: b.category_ids.unwrap_or_default(),
            copies: b.copies,
            active: b.active,
        };
        let printer = printers::create_printer(&state.db, actor, id.0, input).await?;
        Ok(CreatePrinterResponse::Created(Json(printer.into())))
    }

    /// An outlet's printers, oldest first.
    #[oai(
        path = "/outlets/:id/printers",
        method = "get",
        operation_id = "list_printers"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<PrinterView>>> {
        let actor = auth.0.staff()?;
        let printers = printers::list_printers(&state.db, actor, id.0).await?;
        Ok(Json(printers.into_iter().map(Into::into).collect()))
    }

    /// Change a printer.
    #[oai(
        path = "/printers/:id",
        method = "patch",
        operation_id = "update_printer",
        transform = "forgets_menu"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PrinterPatch>,
    ) -> AppResult<Json<PrinterView>> {
        let actor = auth.0.staff()?;
        let b = body.0;
        let changes = PrinterChanges {
            name: b.name.map(Into::into),
            kind: b.kind,
            address: b.address,
            paper_width_mm: b.paper_width_mm,
            category_ids: b.category_ids,
            copies: b.copies,
            active: b.active,
        };
        let printer = printers::update_printer(&state.db, actor, id.0, changes).await?;
        Ok(Json(printer.into()))
    }

    /// Remove a printer and its job history.
    #[oai(
        path = "/printers/:id",
        method = "delete",
        operation_id = "delete_printer",
        transform = "forgets_menu"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeletePrinterResponse> {
        let actor = auth.0.staff()?;
        printers::delete_printer(&state.db, actor, id.0).await?;
        Ok(DeletePrinterResponse::Removed)
    }

    /// Print a test page: name, address, a ruler of the paper's width and sample text.
    #[oai(
        path = "/printers/:id/test",
        method = "post",
        operation_id = "test_printer"
    )]
    async fn test(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<QueuedResponse> {
        let actor = auth.0.staff()?;
        let job = printing::print_test_page(&state.db, actor, id.0).await?;
        Ok(QueuedResponse::Queued(Json(job.into())))
    }

    /// Open the cash drawer on this printer without a sale: MANAGER/OWNER, or anyone with a
    /// manager's `X-Approval` for `OPEN_DRAWER` (`403 APPROVAL_REQUIRED`).
    #[oai(
        path = "/printers/:id/open-drawer",
        method = "post",
        operation_id = "open_drawer"
    )]
    async fn open_drawer(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(name = "X-Approval")] approval: Header<Option<String>>,
    ) -> AppResult<QueuedResponse> {
        let actor = auth.0.staff()?;
        let job = printing::open_drawer(&state.db, actor, id.0, approval.0.as_deref()).await?;
        Ok(QueuedResponse::Queued(Json(job.into())))
    }

    /// Print jobs, newest first: staff see their outlet's (OWNER: every outlet's).
    #[oai(path = "/print-jobs", method = "get", operation_id = "list_print_jobs")]
    async fn jobs(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Option<Uuid>>,
        status: Query<Option<PrintJobStatus>>,
        /// How many, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
    ) -> AppResult<Json<Vec<PrintJobView>>> {
        let actor = auth.0.staff()?;
        let filter = JobFilter {
            outlet_id: outlet_id.0,
            status: status.0,
            limit: limit.0,
        };
        let jobs = printing::list_jobs(&state.db, actor, filter).await?;
        Ok(Json(jobs.into_iter().map(Into::into).collect()))
    }

    /// Send a FAILED job again, with a fresh 15-minute window (a QUEUED one is tried now).
    #[oai(
        path = "/print-jobs/:id/retry",
        method = "post",
        operation_id = "retry_print_job"
    )]
    async fn retry(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<QueuedResponse> {
        let actor = auth.0.staff()?;
        let job = printing::retry(&state.db, actor, id.0).await?;
        Ok(QueuedResponse::Queued(Json(job.into())))
    }

    /// Print an order's bill, or its receipt once paid (a second receipt says COPY).
    #[oai(
        path = "/orders/:id/print",
        method = "post",
        operation_id = "print_order"
    )]
    async fn print_order(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PrintOrderRequest>,
    ) -> AppResult<QueuedResponse> {
        let actor = auth.0.staff()?;
        let kind = match body.0.kind {
            PrintWhat::Bill => PrintKind::Bill,
            PrintWhat::Receipt => PrintKind::Receipt,
        };
        let job = printing::print_order(
            &state.db,
            actor,
            id.0,
            kind,
            body.0.printer_id,
            &state.public_url,
        )
        .await?;
        Ok(QueuedResponse::Queued(Json(job.into())))
    }

    /// Print the bill of a whole table: every order of the session that is not voided.
    #[oai(
        path = "/table-sessions/:id/print",
        method = "post",
        operation_id = "print_table_bill"
    )]
    async fn print_table(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PrintTableRequest>,
    ) -> AppResult<QueuedResponse> {
        let actor = auth.0.staff()?;
        let job =
            printing::print_session(&state.db, actor, id.0, body.0.printer_id, &state.public_url)
                .await?;
        Ok(QueuedResponse::Queued(Json(job.into())))
    }

    /// The order's bill, or its receipt once paid, as plain text: what the printer prints.
    #[oai(
        path = "/orders/:id/receipt.txt",
        method = "get",
        operation_id = "order_receipt_text"
    )]
    async fn receipt_text(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Characters per line: 32 (58 mm paper, the default) or 48 (80 mm).
        width: Query<Option<u32>>,
    ) -> AppResult<ReceiptTextResponse> {
        let text =
            printing::receipt_text(&state.db, &auth.0, id.0, width.0, &state.public_url).await?;
        Ok(ReceiptTextResponse::Text(PlainText(text)))
    }

    /// A paid order's digital receipt. Public: the token (from the receipt's QR code, or
    /// the guest's page) is the secret.
    #[oai(
        path = "/receipts/:token",
        method = "get",
        operation_id = "get_receipt"
    )]
    async fn receipt(
        &self,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> AppResult<Json<ReceiptView>> {
        let receipt = printing::digital_receipt(&state.db, &token.0, &state.public_url).await?;
        Ok(Json(receipt.into()))
    }
}
