//! `GET /reports/sales`: sales by day, hour, product or payment method, as JSON or CSV;
//! `GET /reports/exceptions`: voids, comps, discounts, refunds, drawer opens and cash
//! differences per staff member.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Query},
    payload::{Json, PlainText},
    ApiResponse, Enum, Object, OpenApi, ResponseContent,
};
use uuid::Uuid;

use super::{
    csv::{self, Cell},
    ApiTags,
};
use crate::{
    auth::Auth,
    error::AppResult,
    service::reports::{
        self, CorrectionLine, GroupBy, SalesReport, SalesRow, StaffExceptions, Tally,
    },
    state::AppState,
};

pub struct ReportsApi;

/// How many, and how much (in the currency's smallest unit).
#[derive(Object)]
pub struct TallyView {
    pub count: i64,
    pub amount: i64,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView {
            count: t.count,
            amount: t.amount,
        }
    }
}

/// One staff member's exceptions over the range.
#[derive(Object)]
pub struct StaffExceptionsView {
    pub user_id: Uuid,
    pub username: String,
    /// Whole orders voided (amount: their totals).
    pub order_voids: TallyView,
    /// Items voided (amount: taken off before service and tax).
    pub item_voids: TallyView,
    pub comps: TallyView,
    /// Discounts given (amount: net of those taken back).
    pub discounts: TallyView,
    pub refunds: TallyView,
    /// Cash drawer opened without a sale.
    pub drawer_opens: i64,
    /// Their actions a manager approved.
    pub approved: i64,
    pub shifts_closed: i64,
    /// Counted minus expected cash over their shifts closed in the range (negative: short).
    pub cash_difference: i64,
}

impl From<StaffExceptions> for StaffExceptionsView {
    fn from(s: StaffExceptions) -> Self {
        StaffExceptionsView {
            user_id: s.user_id,
            username: s.username,
            order_voids: s.order_voids.into(),
            item_voids: s.item_voids.into(),
            comps: s.comps.into(),
            discounts: s.discounts.into(),
            refunds: s.refunds.into(),
            drawer_opens: s.drawer_opens,
            approved: s.approved,
            shifts_closed: s.shifts_closed,
            cash_difference: s.cash_difference,
        }
    }
}

#[derive(Object)]
pub struct ExceptionsReportView {
    pub outlet_id: Uuid,
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By username; staff with nothing to show are left out.
    pub staff: Vec<StaffExceptionsView>,
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SalesGrouping {
    Day,
    Hour,
    Product,
    Method,
}

#[derive(Object)]
pub struct SalesRowView {
    /// The day (`YYYY-MM-DD`), hour (`HH:00`), product name or payment method.
    pub key: String,
    pub orders: i64,
    /// Items made, voided ones left out (product grouping only).
    pub quantity: i64,
    /// What discounts took off; `gross_sales` is after them.
    pub discount_amount: i64,
    pub gross_sales: i64,
    pub refunds: i64,
    pub net_sales: i64,
}

impl From<SalesRow> for SalesRowView {
    fn from(r: SalesRow) -> Self {
        SalesRowView {
            key: r.key,
            orders: r.orders,
            quantity: r.quantity,
            discount_amount: r.discount,
            gross_sales: r.gross,
            refunds: r.refunds,
            net_sales: r.net,
        }
    }
}

#[derive(Object)]
pub struct SalesReportView {
    pub outlet_id: Uuid,
    pub currency: String,
    /// Days and hours are in this time zone.
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: SalesGrouping,
    pub rows: Vec<SalesRowView>,
    pub totals: SalesRowView,
    /// Voids, comps and discounts of these days' orders with reason and staff, oldest first
    /// (at most 1000).
    pub corrections: Vec<CorrectionView>,
}

/// A void, comp or discount, as the reports list it.
#[derive(Object)]
pub struct CorrectionView {
    pub order_id: Uuid,
    pub order_number: i32,
    /// VOID, COMP, DISCOUNT or DISCOUNT_REMOVED.
    pub kind: String,
    /// The dish, for a correction of one line.
    #[oai(nullable)]
    pub item_name: Option<String>,
    #[oai(nullable)]
    pub quantity: Option<i32>,
    /// Taken off the subtotal (negative: a discount taken back).
    pub amount: i64,
    pub reason: String,
    /// Who made it (username).
    pub by: String,
    pub at: DateTime<Utc>,
}

impl From<CorrectionLine> for CorrectionView {
    fn from(c: CorrectionLine) -> Self {
        CorrectionView {
            order_id: c.order_id,
            order_number: c.number,
            kind: c.kind,
            item_name: c.item_name,
            quantity: c.quantity,
            amount: c.amount,
            reason: c.reason,
            by: c.by_name.unwrap_or_default(),
            at: c.at,
        }
    }
}

#[derive(ResponseContent)]
pub enum SalesContent {
    Json(Json<SalesReportView>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum SalesResponse {
    #[oai(status = 200)]
    Ok(SalesContent),
}

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Exceptions per staff member over the outlet's days `from..=to` (local time; default
    /// today): whole-order and item voids, comps, discounts, refunds, drawer opens without a
    /// sale, approvals they needed, and the cash difference of their closed shifts.
    #[oai(
        path = "/reports/exceptions",
        method = "get",
        operation_id = "exceptions_report"
    )]
    async fn exceptions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Uuid>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> AppResult<Json<ExceptionsReportView>> {
        let report =
            reports::exceptions(&state.db, auth.0.staff()?, outlet_id.0, from.0, to.0).await?;
        Ok(Json(ExceptionsReportView {
            outlet_id: report.outlet_id,
            currency: report.currency,
            from: report.from,
            to: report.to,
            staff: report.staff.into_iter().map(Into::into).collect(),
        }))
    }

    /// Sales of an outlet over business days `from..=to` (default: today in the outlet's time
    /// zone), grouped by `day`, `hour`, `product` or `method`. Voided orders are left out and
    /// refunds subtracted. JSON, or CSV with `Accept: text/csv` or `format=csv`.
    #[oai(path = "/reports/sales", method = "get", operation_id = "sales_report")]
    #[allow(clippy::too_many_arguments)] // one argument per query parameter
    async fn sales(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        outlet_id: Query<Uuid>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        group_by: Query<Option<SalesGrouping>>,
        /// `csv` or `json` (overrides `Accept`).
        format: Query<Option<String>>,
        #[oai(name = "Accept")] accept: Header<Option<String>>,
    ) -> AppResult<SalesResponse> {
        let grouping = group_by.0.unwrap_or(SalesGrouping::Day);
        let group = match grouping {
            SalesGrouping::Day => GroupBy::Day,
            SalesGrouping::Hour => GroupBy::Hour,
            SalesGrouping::Product => GroupBy::Product,
            SalesGrouping::Method => GroupBy::Method,
        };
        let report =
            reports::sales(&state.db, auth.0.staff()?, outlet_id.0, from.0, to.0, group).await?;
        let wants_csv = match format.0.as_deref() {
            Some(format) => format.eq_ignore_ascii_case("csv"),
            None => accept.0.as_deref().is_some_and(|a| a.contains("text/csv")),
        };
        if wants_csv {
            return Ok(SalesResponse::Ok(SalesContent::Csv(PlainText(sales_csv(
                &report,
            )?))));
        }
        Ok(SalesResponse::Ok(SalesContent::Json(Json(
            SalesReportView {
                outlet_id: report.outlet_id,
                currency: report.currency,
                timezone: report.timezone,
                from: report.from,
                to: report.to,
                group_by: grouping,
                rows: report.rows.into_iter().map(SalesRowView::from).collect(),
                totals: report.totals.into(),
                corrections: report
                    .corrections
                    .into_iter()
                    .map(CorrectionView::from)
                    .collect(),
            },
        ))))
    }
}

/// The rows as CSV: header first, totals last.
fn sales_csv(report: &SalesReport) -> AppResult<String> {
    let rows = report.rows.iter().chain([&report.totals]).map(|row| {
        vec![
            Cell::Text(&row.key),
            Cell::Int(row.orders),
            Cell::Int(row.quantity),
            Cell::Int(row.discount),
            Cell::Int(row.gross),
            Cell::Int(row.refunds),
            Cell::Int(row.net),
        ]
    });
    csv::render(
        &[
            "key",
            "orders",
            "quantity",
            "discount_amount",
            "gross_sales",
            "refunds",
            "net_sales",
        ],
        rows,
    )
}
