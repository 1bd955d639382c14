//! The print queue's producers: which jobs a change makes, rendered to ESC/POS bytes and
//! written inside the change's own transaction (so a ticket exists exactly when its order
//! does), plus the explicit prints, the job list and retries. `printing::worker` sends them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    approvals::{self, ApprovalAction},
    audit::{self, AuditAction},
    orders::{self, OrderDetails},
    outlets::timezone_of,
};
use crate::{
    auth::{Action, Principal, Staff},
    db::{Batch, Db},
    domain::{DiscountKind, OrderStatus, PaymentStatus, PrintJobKind, PrintJobStatus, PrinterKind},
    entity::{
        dining_table, order, order_item, outlet, payment, print_job, printer, product,
        table_session,
    },
    error::{AppError, AppResult},
    printing::{
        escpos::encode,
        layout::{
            drawer_kick, kitchen_ticket, percent, receipt, rupiah, test_page, Document,
            KitchenLine, KitchenTicket, Labels, Paper, Receipt, ReceiptDiscount, ReceiptKind,
            ReceiptLine, ReceiptPayment,
        },
    },
};

/// Words on paper, in the outlet's language.
fn labels(outlet: &outlet::Model) -> &'static Labels {
    Labels::for_language(&outlet.language)
}

/// Date and time as printed, in the outlet's timezone.
pub fn local_time(outlet: &outlet::Model, at: DateTime<Utc>) -> String {
    at.with_timezone(&timezone_of(outlet))
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// The active printers of an outlet of one kind, oldest first (the first RECEIPT printer is
/// the till's: its drawer opens on cash).
async fn printers_of(
    conn: &impl ConnectionTrait,
    outlet_id: Uuid,
    kind: PrinterKind,
) -> AppResult<Vec<printer::Model>> {
    Ok(printer::Entity::find()
        .filter(printer::Column::OutletId.eq(outlet_id))
        .filter(printer::Column::Kind.eq(kind))
        .filter(printer::Column::Active.eq(true))
        .order_by_asc(printer::Column::CreatedAt)
        .order_by_asc(printer::Column::Id)
        .all(conn)
        .await?)
}

/// A job for `printer`: `doc` rendered for its paper, once per copy (drawer kicks once).
fn job(
    printer: &printer::Model,
    kind: PrintJobKind,
    doc: &Document,
    order_id: Option<Uuid>,
    table_session_id: Option<Uuid>,
    reprint: bool,
) -> print_job::ActiveModel {
    let one = encode(
        doc,
        Paper::from_width_mm(printer.paper_width_mm.unsigned_abs()),
    );
    let copies = if kind == PrintJobKind::Drawer {
        1
    } else {
        usize::try_from(printer.copies.clamp(1, 3)).unwrap_or(1)
    };
    let now = Utc::now();
    print_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(printer.outlet_id),
        printer_id: Set(printer.id),
        kind: Set(kind),
        status: Set(PrintJobStatus::Queued),
        order_id: Set(order_id),
        table_session_id: Set(table_session_id),
        payload: Set(one.repeat(copies)),
        reprint: Set(reprint),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        created_at: Set(now),
        printed_at: Set(None),
        retried_at: Set(None),
    }
}

async fn insert_jobs(
    conn: &impl ConnectionTrait,
    jobs: Vec<print_job::ActiveModel>,
) -> AppResult<()> {
    if !jobs.is_empty() {
        print_job::Entity::insert_many(jobs).exec(conn).await?;
    }
    Ok(())
}

/// Whether a KITCHEN printer prints a dish of this category.
fn prints_category(printer: &printer::Model, category: Option<Uuid>) -> bool {
    let categories = printer.categories();
    categories.is_empty() || category.is_some_and(|c| categories.contains(&c))
}

/// Each product's category, for the stations.
async fn categories_of(
    conn: &impl ConnectionTrait,
    product_ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, Option<Uuid>>> {
    Ok(product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.category_id))
        .collect())
}

/// The table's name for an order (`None`: takeaway).
async fn table_name(
    conn: &impl ConnectionTrait,
    session_id: Option<Uuid>,
) -> AppResult<Option<String>> {
    let Some(session_id) = session_id else {
        return Ok(None);
    };
    let Some(session) = table_session::Entity::find_by_id(session_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(dining_table::Entity::find_by_id(session.table_id)
        .one(conn)
        .await?
        .map(|t| t.name))
}

fn kitchen_line(
    item: &order_item::Model,
    modifiers: &[orders::ChosenModifier],
    quantity: i32,
) -> KitchenLine {
    KitchenLine {
        quantity,
        name: item.name.clone(),
        options: modifiers.iter().map(|m| m.option_name.clone()).collect(),
        note: Some(item.note.trim().to_owned()).filter(|n| !n.is_empty()),
    }
}

/// What a new order's kitchen tickets need besides the order itself, read before its
/// transaction: printers, stations, tables and names change rarely, and an order written
/// while one changes may go either way.
pub struct KitchenTickets {
    printers: Vec<printer::Model>,
    table: Option<String>,
    by: String,
}

impl KitchenTickets {
    /// The active KITCHEN printers among the outlet's `printers`, the table's name (a read,
    /// only when there is a printer) and who orders (`None`: a guest).
    pub async fn prepare(
        conn: &impl ConnectionTrait,
        outlet: &outlet::Model,
        printers: &[printer::Model],
        session_id: Option<Uuid>,
        by: Option<&str>,
    ) -> AppResult<Self> {
        // As `printers_of` picks them.
        let mut printers: Vec<printer::Model> = printers
            .iter()
            .filter(|p| p.outlet_id == outlet.id && p.kind == PrinterKind::Kitchen && p.active)
            .cloned()
            .collect();
        printers.sort_by_key(|p| (p.created_at, p.id));
        let (table, by) = if printers.is_empty() {
            (None, String::new())
        } else {
            let by = by.map_or_else(|| labels(outlet).guest.to_owned(), str::to_owned);
            (table_name(conn, session_id).await?, by)
        };
        Ok(KitchenTickets {
            printers,
            table,
            by,
        })
    }

    /// One ticket per printer whose categories the order touches, each with only that
    /// printer's lines, added to the order's writes. `categories` maps each of its products
    /// to its category.
    pub fn queue(
        &self,
        batch: &mut Batch,
        outlet: &outlet::Model,
        details: &OrderDetails,
        categories: &HashMap<Uuid, Option<Uuid>>,
    ) {
        if self.printers.is_empty() {
            return;
        }
        let order = &details.order;
        let at = local_time(outlet, order.created_at);
        let mut jobs = Vec::new();
        for printer in &self.printers {
            let lines: Vec<KitchenLine> = details
                .items
                .iter()
                .filter(|i| {
                    prints_category(
                        printer,
                        categories.get(&i.item.product_id).copied().flatten(),
                    )
                })
                .map(|i| kitchen_line(&i.item, &i.modifiers, i.item.quantity))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let ticket = KitchenTicket {
                void: false,
                reprint: false,
                station: Some(printer.name.clone()),
                number: i64::from(order.number),
                table: self.table.clone(),
                at: at.clone(),
                by: self.by.clone(),
                lines,
                note: Some(order.note.trim().to_owned()).filter(|n| !n.is_empty()),
            };
            let doc = kitchen_ticket(&ticket, labels(outlet));
            jobs.push(job(
                printer,
                PrintJobKind::KitchenTicket,
                &doc,
                Some(order.id),
                order.table_session_id,
                false,
            ));
        }
        if !jobs.is_empty() {
            batch.push(&print_job::Entity::insert_many(jobs));
        }
    }
}

/// What was voided of an order that already went to the kitchen: a VOID ticket on each
/// printer that got a ticket of it and prints one of the voided dishes.
pub async fn queue_void_tickets(
    txn: &DatabaseTransaction,
    details: &OrderDetails,
    voided: &[(Uuid, i32)],
    by: &str,
) -> AppResult<()> {
    let order = &details.order;
    let ticketed: Vec<Uuid> = print_job::Entity::find()
        .select_only()
        .column(print_job::Column::PrinterId)
        .distinct()
        .filter(print_job::Column::OrderId.eq(order.id))
        .filter(print_job::Column::Kind.eq(PrintJobKind::KitchenTicket))
        .filter(print_job::Column::Status.ne(PrintJobStatus::Failed))
        .into_tuple()
        .all(txn)
        .await?;
    if ticketed.is_empty() || voided.is_empty() {
        return Ok(());
    }
    let printers = printer::Entity::find()
        .filter(printer::Column::Id.is_in(ticketed))
        .filter(printer::Column::Active.eq(true))
        .all(txn)
        .await?;
    let outlet = super::outlets::find_outlet(txn, order.outlet_id).await?;
    let categories = categories_of(txn, details.items.iter().map(|i| i.item.product_id)).await?;
    let table = table_name(txn, order.table_session_id).await?;
    let at = local_time(&outlet, Utc::now());
    let mut jobs = Vec::new();
    for printer in &printers {
        let lines: Vec<KitchenLine> = voided
            .iter()
            .filter_map(|(item_id, quantity)| {
                let item = details.items.iter().find(|i| i.item.id == *item_id)?;
                prints_category(
                    printer,
                    categories.get(&item.item.product_id).copied().flatten(),
                )
                .then(|| kitchen_line(&item.item, &item.modifiers, *quantity))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let ticket = KitchenTicket {
            void: true,
            reprint: false,
            station: Some(printer.name.clone()),
            number: i64::from(order.number),
            table: table.clone(),
            at: at.clone(),
            by: by.to_owned(),
            lines,
            note: None,
        };
        let doc = kitchen_ticket(&ticket, labels(&outlet));
        jobs.push(job(
            printer,
            PrintJobKind::VoidTicket,
            &doc,
            Some(order.id),
            order.table_session_id,
            false,
        ));
    }
    insert_jobs(txn, jobs).await
}

/// After a payment: the receipt of the orders it settled when the outlet prints receipts by
/// itself, and the cash drawer's kick for cash (with the receipt, or on its own).
pub async fn queue_after_payment(
    txn: &DatabaseTransaction,
    outlet_id: Uuid,
    settled: &[Uuid],
    cash: bool,
    cashier: &str,
    public_url: &str,
) -> AppResult<()> {
    let Some(printer) = printers_of(txn, outlet_id, PrinterKind::Receipt)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let outlet = super::outlets::find_outlet(txn, outlet_id).await?;
    let mut jobs = Vec::new();
    let mut kick = cash;
    if outlet.auto_print_receipt && !settled.is_empty() {
        let paid = order::Entity::find()
            .filter(order::Column::Id.is_in(settled.iter().copied()))
            .order_by_asc(order::Column::Id)
            .all(txn)
            .await?;
        let details = orders::with_items(txn, paid).await?;
        let mut doc = receipt(
            &receipt_of(
                txn,
                &outlet,
                details,
                ReceiptKind::Receipt,
                false,
                Some(cashier),
                public_url,
            )
            .await?,
            labels(&outlet),
        );
        doc.kick_drawer = cash;
        kick = false;
        let order_id = (settled.len() == 1)
            .then(|| settled.first().copied())
            .flatten();
        jobs.push(job(
            &printer,
            PrintJobKind::Receipt,
            &doc,
            order_id,
            None,
            false,
        ));
    }
    if kick {
        jobs.push(job(
            &printer,
            PrintJobKind::Drawer,
            &drawer_kick(),
            None,
            None,
            false,
        ));
    }
    insert_jobs(txn, jobs).await
}

/// Gives a fully paid order its digital-receipt token (inside the paying transaction).
pub async fn give_receipt_token(txn: &DatabaseTransaction, paid: &order::Model) -> AppResult<()> {
    if paid.payment_status != PaymentStatus::Paid || paid.receipt_token.is_some() {
        return Ok(());
    }
    let token = super::random_url_safe::<18>()?;
    order::Entity::update_many()
        .col_expr(order::Column::ReceiptToken, Expr::value(token))
        .filter(order::Column::Id.eq(paid.id))
        .filter(order::Column::ReceiptToken.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// The bill or receipt of `orders` (one order, or every order of a table).
pub async fn receipt_of(
    conn: &impl ConnectionTrait,
    outlet: &outlet::Model,
    orders: Vec<OrderDetails>,
    kind: ReceiptKind,
    copy: bool,
    cashier: Option<&str>,
    public_url: &str,
) -> AppResult<Receipt> {
    let first = orders.first().map(|d| d.order.clone());
    let table = table_name(conn, first.as_ref().and_then(|o| o.table_session_id)).await?;
    let payments = payment::Entity::find()
        .filter(payment::Column::OrderId.is_in(orders.iter().map(|d| d.order.id)))
        .filter(payment::Column::RefundedAt.is_null())
        .order_by_asc(payment::Column::Id)
        .all(conn)
        .await?;
    let mut lines = Vec::new();
    let mut discounts = Vec::new();
    for details in &orders {
        for item in &details.items {
            let i = &item.item;
            let charged = i.quantity - i.voided_quantity - i.comped_quantity;
            if charged <= 0 && i.comped_quantity == 0 {
                continue;
            }
            let line_discount: i64 = details
                .discounts
                .iter()
                .filter(|(d, _)| d.item_id == Some(i.id))
                .map(|(_, off)| *off)
                .sum();
            lines.push(ReceiptLine {
                quantity: charged.max(0),
                name: i.name.clone(),
                unit_price: i.unit_price,
                options: item
                    .modifiers
                    .iter()
                    .map(|m| m.option_name.clone())
                    .collect(),
                total: i.unit_price * i64::from(charged.max(0)),
                comped: i.comped_quantity,
                discount: line_discount,
            });
        }
        for (discount, off) in details
            .discounts
            .iter()
            .filter(|(d, _)| d.item_id.is_none())
        {
            let value = match discount.kind {
                DiscountKind::Percent => percent(i32::try_from(discount.value).unwrap_or(i32::MAX)),
                DiscountKind::Amount => rupiah(discount.value),
            };
            discounts.push(ReceiptDiscount {
                label: format!("{value} {}", discount.reason).trim().to_owned(),
                amount: *off,
            });
        }
    }
    let sum = |f: fn(&order::Model) -> i64| orders.iter().map(|d| f(&d.order)).sum::<i64>();
    let total = sum(|o| o.total_amount);
    let paid = sum(|o| o.paid_amount);
    let shown_payments = if kind == ReceiptKind::Receipt || paid > 0 {
        tenders(&payments)
    } else {
        Vec::new()
    };
    let single_token = match orders.as_slice() {
        [only] => only.order.receipt_token.clone(),
        _ => None,
    };
    Ok(Receipt {
        kind,
        copy,
        outlet_name: outlet.name.clone(),
        outlet_address: outlet.address.clone(),
        table,
        numbers: orders.iter().map(|d| i64::from(d.order.number)).collect(),
        // A receipt is of the payment; a bill of the moment it is printed.
        at: local_time(
            outlet,
            payments
                .last()
                .filter(|_| kind == ReceiptKind::Receipt)
                .map_or_else(Utc::now, |p| p.created_at),
        ),
        cashier: cashier.map(str::to_owned),
        lines,
        discounts,
        subtotal: sum(|o| o.subtotal),
        discount_total: sum(|o| o.discount_amount),
        service_charge_bp: first
            .as_ref()
            .map_or(outlet.service_charge_bp, |o| o.service_charge_bp),
        service_charge: sum(|o| o.service_charge_amount),
        tax_bp: first.as_ref().map_or(outlet.tax_bp, |o| o.tax_bp),
        tax: sum(|o| o.tax_amount),
        total,
        payments: shown_payments,
        paid,
        outstanding: (total - paid).max(0),
        footer: Some(outlet.receipt_footer.trim().to_owned()).filter(|f| !f.is_empty()),
        qr_url: single_token
            .filter(|_| kind == ReceiptKind::Receipt)
            .map(|token| format!("{public_url}/r/{token}")),
        kick_drawer: false,
    })
}

/// Payments as tenders: the parts of one table payment (one batch) are one tender.
fn tenders(payments: &[payment::Model]) -> Vec<ReceiptPayment> {
    let mut tenders: Vec<(Option<Uuid>, ReceiptPayment)> = Vec::new();
    for p in payments {
        let method = p.method.as_str().to_owned();
        match tenders
            .iter_mut()
            .find(|(batch, _)| batch.is_some() && *batch == p.batch_id)
        {
            Some((_, tender)) => {
                tender.amount += p.amount;
                tender.change += p.change_amount;
                tender.tendered = p.tendered.map(|_| tender.amount + tender.change);
            }
            None => tenders.push((
                p.batch_id,
                ReceiptPayment {
                    method,
                    amount: p.amount,
                    tendered: p.tendered.filter(|t| *t > p.amount),
                    change: p.change_amount,
                },
            )),
        }
    }
    tenders.into_iter().map(|(_, t)| t).collect()
}

/// What `POST /orders/{id}/print` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintKind {
    Bill,
    Receipt,
}

/// The till's receipt printer, or the one asked for.
async fn receipt_printer(
    conn: &impl ConnectionTrait,
    outlet_id: Uuid,
    printer_id: Option<Uuid>,
) -> AppResult<printer::Model> {
    let printer = match printer_id {
        Some(id) => printer::Entity::find_by_id(id)
            .one(conn)
            .await?
            .filter(|p| p.outlet_id == outlet_id && p.active),
        None => printers_of(conn, outlet_id, PrinterKind::Receipt)
            .await?
            .into_iter()
            .next(),
    };
    printer.ok_or_else(|| {
        AppError::conflict(
            "NO_PRINTER",
            "this outlet has no active receipt printer; add one on the admin page",
        )
    })
}

/// Prints an order's bill, or its receipt once it is paid (a second receipt says COPY).
pub async fn print_order(
    db: &Db,
    actor: &Staff,
    order_id: Uuid,
    kind: PrintKind,
    printer_id: Option<Uuid>,
    public_url: &str,
) -> AppResult<print_job::Model> {
    actor.authorize(Action::PrintBill)?;
    let order = orders::staff_order(db.conn(), actor, order_id).await?;
    if order.status == OrderStatus::Voided {
        return Err(AppError::conflict(
            "ORDER_VOIDED",
            "a voided order has no bill",
        ));
    }
    if kind == PrintKind::Receipt && order.payment_status != PaymentStatus::Paid {
        return Err(AppError::conflict(
            "ORDER_NOT_PAID",
            "a receipt is printed once the order is paid; print the bill instead",
        ));
    }
    let txn = db.begin().await?;
    let printer = receipt_printer(&txn, order.outlet_id, printer_id).await?;
    let outlet = super::outlets::find_outlet(&txn, order.outlet_id).await?;
    let (job_kind, receipt_kind) = match kind {
        PrintKind::Bill => (PrintJobKind::Bill, ReceiptKind::Bill),
        PrintKind::Receipt => (PrintJobKind::Receipt, ReceiptKind::Receipt),
    };
    let copy = kind == PrintKind::Receipt
        && print_job::Entity::find()
            .filter(print_job::Column::OrderId.eq(order.id))
            .filter(print_job::Column::Kind.eq(PrintJobKind::Receipt))
            .filter(print_job::Column::Status.ne(PrintJobStatus::Failed))
            .one(&txn)
            .await?
            .is_some();
    let number = order.number;
    let details = orders::with_items(&txn, vec![order]).await?;
    let doc = receipt(
        &receipt_of(
            &txn,
            &outlet,
            details,
            receipt_kind,
            copy,
            Some(&actor.username),
            public_url,
        )
        .await?,
        labels(&outlet),
    );
    let job = job(&printer, job_kind, &doc, Some(order_id), None, copy)
        .insert(&txn)
        .await?;
    if copy {
        let entry = audit::Entry::by(actor, Some(outlet.id), AuditAction::ReceiptReprinted)
            .on("order", order_id)
            .details(serde_json::json!({"number": number, "printer": printer.name}));
        audit::record(&txn, entry).await?;
    }
    txn.commit().await?;
    Ok(job)
}

/// Prints the bill of a whole table: every order of the session that is not voided.
pub async fn print_session(
    db: &Db,
    actor: &Staff,
    session_id: Uuid,
    printer_id: Option<Uuid>,
    public_url: &str,
) -> AppResult<print_job::Model> {
    actor.authorize(Action::PrintBill)?;
    let session = table_session::Entity::find_by_id(session_id)
        .one(db.conn())
        .await?
        .filter(|s| actor.sees_outlet(s.outlet_id))
        .ok_or_else(|| AppError::not_found("table session"))?;
    let txn = db.begin().await?;
    let printer = receipt_printer(&txn, session.outlet_id, printer_id).await?;
    let outlet = super::outlets::find_outlet(&txn, session.outlet_id).await?;
    let billed: Vec<order::Model> = super::sessions::session_orders(&txn, session.id)
        .await?
        .into_iter()
        .filter(|o| o.status != OrderStatus::Voided)
        .collect();
    if billed.is_empty() {
        return Err(AppError::conflict(
            "NOTHING_TO_PAY",
            "this table has no orders to bill",
        ));
    }
    let details = orders::with_items(&txn, billed).await?;
    let doc = receipt(
        &receipt_of(
            &txn,
            &outlet,
            details,
            ReceiptKind::Bill,
            false,
            Some(&actor.username),
            public_url,
        )
        .await?,
        labels(&outlet),
    );
    let job = job(
        &printer,
        PrintJobKind::Bill,
        &doc,
        None,
        Some(session.id),
        false,
    )
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(job)
}

/// A test page on one printer (MANAGER, OWNER).
pub async fn print_test_page(
    db: &Db,
    actor: &Staff,
    printer_id: Uuid,
) -> AppResult<print_job::Model> {
    let printer = super::printers::visible_printer(db.conn(), actor, printer_id).await?;
    actor.authorize(Action::ManagePrinters)?;
    if !printer.active {
        return Err(inactive());
    }
    let outlet = super::outlets::find_outlet(db.conn(), printer.outlet_id).await?;
    let paper = Paper::from_width_mm(printer.paper_width_mm.unsigned_abs());
    let doc = test_page(
        &printer.name,
        &printer.address,
        paper,
        &local_time(&outlet, Utc::now()),
        labels(&outlet),
    );
    Ok(job(&printer, PrintJobKind::Test, &doc, None, None, false)
        .insert(db.conn())
        .await?)
}

/// Opens the cash drawer on a printer without a sale.
pub async fn open_drawer(
    db: &Db,
    actor: &Staff,
    printer_id: Uuid,
    approval: Option<&str>,
) -> AppResult<print_job::Model> {
    let printer = super::printers::visible_printer(db.conn(), actor, printer_id).await?;
    actor.authorize(Action::KeepDrawer)?;
    approvals::precheck(actor, ApprovalAction::OpenDrawer, approval)?;
    if !printer.active {
        return Err(inactive());
    }
    let txn = db.begin().await?;
    let approver =
        approvals::authorize(&txn, actor, ApprovalAction::OpenDrawer, None, approval).await?;
    let job = job(
        &printer,
        PrintJobKind::Drawer,
        &drawer_kick(),
        None,
        None,
        false,
    )
    .insert(&txn)
    .await?;
    let entry = audit::Entry::by(actor, Some(printer.outlet_id), AuditAction::DrawerOpened)
        .approved(approver.as_ref())
        .on("printer", printer.id)
        .details(serde_json::json!({"printer": printer.name, "sale": false}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(job)
}

fn inactive() -> AppError {
    AppError::conflict(
        "PRINTER_INACTIVE",
        "this printer is switched off in Kedai; activate it first",
    )
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub outlet_id: Option<Uuid>,
    pub status: Option<PrintJobStatus>,
    pub limit: Option<u64>,
}

/// The newest jobs first, of the outlets the caller sees.
pub async fn list_jobs(
    db: &Db,
    actor: &Staff,
    filter: JobFilter,
) -> AppResult<Vec<print_job::Model>> {
    actor.authorize(Action::ReadFloor)?;
    let limit = filter.limit.unwrap_or(super::DEFAULT_PAGE_LIMIT);
    if !(1..=super::MAX_PAGE_LIMIT).contains(&limit) {
        return Err(AppError::validation(
            "limit",
            format!("limit must be between 1 and {}", super::MAX_PAGE_LIMIT),
        ));
    }
    let mut query = print_job::Entity::find();
    if let Some(outlet_id) = super::outlet_scope(actor, filter.outlet_id)? {
        query = query.filter(print_job::Column::OutletId.eq(outlet_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(print_job::Column::Status.eq(status));
    }
    Ok(query
        .order_by_desc(print_job::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?)
}

/// Puts a FAILED job back in the queue with a fresh retry window; a QUEUED one is tried now.
pub async fn retry(db: &Db, actor: &Staff, job_id: Uuid) -> AppResult<print_job::Model> {
    let job = print_job::Entity::find_by_id(job_id)
        .one(db.conn())
        .await?
        .filter(|j| actor.sees_outlet(j.outlet_id))
        .ok_or_else(|| AppError::not_found("print job"))?;
    actor.authorize(Action::RetryPrint)?;
    if job.kind == PrintJobKind::Drawer {
        // A late kick opens the drawer with nobody at the till: open it again instead.
        return Err(AppError::conflict(
            "PRINT_JOB_NOT_RETRYABLE",
            "a drawer kick is not sent late; open the drawer again",
        ));
    }
    let printer = super::printers::visible_printer(db.conn(), actor, job.printer_id).await?;
    if !printer.active {
        return Err(inactive());
    }
    let now = Utc::now();
    let moved = print_job::Entity::update_many()
        .col_expr(
            print_job::Column::Status,
            Expr::value(PrintJobStatus::Queued),
        )
        .col_expr(print_job::Column::Attempts, Expr::value(0))
        .col_expr(print_job::Column::NextAttemptAt, Expr::value(now))
        .col_expr(print_job::Column::RetriedAt, Expr::value(now))
        .filter(print_job::Column::Id.eq(job.id))
        .filter(print_job::Column::Status.is_in([PrintJobStatus::Failed, PrintJobStatus::Queued]))
        .exec(db.conn())
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::conflict(
            "PRINT_JOB_NOT_FAILED",
            "this job is printing or printed; print the order again instead",
        ));
    }
    print_job::Entity::find_by_id(job.id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("print job"))
}

/// `GET /orders/{id}/receipt.txt`: the bill (or, once paid, the receipt) as plain text.
pub async fn receipt_text(
    db: &Db,
    principal: &Principal,
    order_id: Uuid,
    columns: Option<u32>,
    public_url: &str,
) -> AppResult<String> {
    let paper = match columns {
        None | Some(32) => Paper::NARROW,
        Some(48) => Paper::WIDE,
        Some(_) => return Err(AppError::validation("width", "width must be 32 or 48")),
    };
    let details = orders::get_order(db, principal, order_id).await?;
    let receipt = document_of(db, details, public_url).await?;
    Ok(receipt.to_text(paper))
}

async fn document_of(db: &Db, details: OrderDetails, public_url: &str) -> AppResult<Document> {
    let outlet = super::outlets::find_outlet(db.conn(), details.order.outlet_id).await?;
    let kind = if details.order.payment_status == PaymentStatus::Paid {
        ReceiptKind::Receipt
    } else {
        ReceiptKind::Bill
    };
    let cashier = last_cashier(db, details.order.id).await?;
    let r = receipt_of(
        db.conn(),
        &outlet,
        vec![details],
        kind,
        false,
        cashier.as_deref(),
        public_url,
    )
    .await?;
    Ok(receipt(&r, labels(&outlet)))
}

/// Who took the last payment of an order.
async fn last_cashier(db: &Db, order_id: Uuid) -> AppResult<Option<String>> {
    let Some(last) = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .order_by_desc(payment::Column::Id)
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    Ok(
        orders::usernames(db.conn(), std::iter::once(last.created_by))
            .await?
            .remove(&last.created_by),
    )
}

/// The digital receipt behind `/r/<token>` (public: the token is the secret).
pub async fn digital_receipt(db: &Db, token: &str, public_url: &str) -> AppResult<Receipt> {
    let not_found = || AppError::not_found("receipt");
    if token.is_empty() || token.len() > 64 {
        return Err(not_found());
    }
    let order = order::Entity::find()
        .filter(order::Column::ReceiptToken.eq(token))
        .one(db.conn())
        .await?
        .ok_or_else(not_found)?;
    let outlet = super::outlets::find_outlet(db.conn(), order.outlet_id).await?;
    let order_id = order.id;
    let details = orders::with_items(db.conn(), vec![order]).await?;
    let cashier = last_cashier(db, order_id).await?;
    receipt_of(
        db.conn(),
        &outlet,
        details,
        ReceiptKind::Receipt,
        false,
        cashier.as_deref(),
        public_url,
    )
    .await
}
