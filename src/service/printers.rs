//! An outlet's printers: the network thermal printers tickets, bills and receipts go to.
//! Adding or changing one is MANAGER/OWNER work: an address is a place on the shop's network
//! that Kedai will send bytes to.

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, AuditAction},
    clean_name,
    outlets::get_outlet,
    unique_to,
};
use crate::{
    auth::{Action, Staff},
    db::Db,
    domain::{PrintJobStatus, PrinterKind},
    entity::{category, print_job, printer},
    error::{AppError, AppResult},
};

/// The port network receipt printers listen on ("RAW", "JetDirect").
pub const DEFAULT_PORT: u16 = 9100;
pub const MAX_ADDRESS_LEN: usize = 255;
pub const MAX_COPIES: i32 = 3;

#[derive(Debug, Clone)]
pub struct NewPrinter {
    pub name: String,
    pub kind: PrinterKind,
    pub address: String,
    pub paper_width_mm: Option<i32>,
    pub category_ids: Vec<Uuid>,
    pub copies: Option<i32>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct PrinterChanges {
    pub name: Option<String>,
    pub kind: Option<PrinterKind>,
    pub address: Option<String>,
    pub paper_width_mm: Option<i32>,
    pub category_ids: Option<Vec<Uuid>>,
    pub copies: Option<i32>,
    pub active: Option<bool>,
}

fn conflict() -> AppError {
    AppError::conflict(
        "PRINTER_NAME_TAKEN",
        "this outlet already has a printer with that name",
    )
}

/// `host:port` (the port defaults to 9100), with the port always written out. A host is a
/// name or an IPv4 address, or an IPv6 address in brackets; nothing else (no scheme, path
/// or spaces) gets through.
pub fn clean_address(address: &str) -> AppResult<String> {
    let invalid = || {
        AppError::validation(
            "address",
            "address must be host:port, e.g. 192.168.1.50:9100 (the port defaults to 9100)",
        )
    };
    let address = address.trim();
    if address.is_empty() || address.len() > MAX_ADDRESS_LEN {
        return Err(invalid());
    }
    let (host, port) = if let Some(rest) = address.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(invalid)?;
        host.parse::<std::net::Ipv6Addr>().map_err(|_| invalid())?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(invalid)?),
        };
        (format!("[{host}]"), port)
    } else {
        match address.split_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (address.to_owned(), None),
        }
    };
    let host_ok = host.starts_with('[')
        || (!host.is_empty()
            && !host.starts_with(['-', '.'])
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    if !host_ok {
        return Err(invalid());
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(invalid)?,
    };
    Ok(format!("{host}:{port}"))
}

fn check_width(width: i32) -> AppResult<i32> {
    if width != 58 && width != 80 {
        return Err(AppError::validation(
            "paper_width_mm",
            "paper_width_mm must be 58 or 80",
        ));
    }
    Ok(width)
}

fn check_copies(copies: i32) -> AppResult<i32> {
    if !(1..=MAX_COPIES).contains(&copies) {
        return Err(AppError::validation(
            "copies",
            format!("copies must be between 1 and {MAX_COPIES}"),
        ));
    }
    Ok(copies)
}

/// The categories as stored: each one of this outlet's, no repeats.
async fn clean_categories(
    conn: &impl ConnectionTrait,
    outlet_id: Uuid,
    mut ids: Vec<Uuid>,
) -> AppResult<String> {
    ids.sort();
    ids.dedup();
    if !ids.is_empty() {
        let found = category::Entity::find()
            .filter(category::Column::OutletId.eq(outlet_id))
            .filter(category::Column::Id.is_in(ids.iter().copied()))
            .count(conn)
            .await?;
        if usize::try_from(found).unwrap_or(0) != ids.len() {
            return Err(AppError::validation(
                "category_ids",
                "category_ids must be categories of this outlet",
            ));
        }
    }
    serde_json::to_string(&ids).map_err(AppError::internal)
}

pub async fn create_printer(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
    input: NewPrinter,
) -> AppResult<printer::Model> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ManagePrinters)?;
    let name = clean_name("name", &input.name)?;
    let address = clean_address(&input.address)?;
    let width = check_width(input.paper_width_mm.unwrap_or(80))?;
    let copies = check_copies(input.copies.unwrap_or(1))?;
    let categories = clean_categories(db.conn(), outlet_id, input.category_ids).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let printer = printer::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        name: Set(name),
        kind: Set(input.kind),
        address: Set(address),
        paper_width_mm: Set(width),
        category_ids: Set(categories),
        copies: Set(copies),
        active: Set(input.active.unwrap_or(true)),
        status: Set("UNKNOWN".into()),
        status_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(unique_to(conflict))?;
    let entry = audit::Entry::by(actor, Some(outlet_id), AuditAction::PrinterAdded)
        .on("printer", printer.id)
        .details(described(&printer));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(printer)
}

/// A printer as the audit log keeps it.
fn described(printer: &printer::Model) -> serde_json::Value {
    serde_json::json!({
        "name": printer.name,
        "kind": printer.kind.as_str(),
        "address": printer.address,
        "paper_width_mm": printer.paper_width_mm,
        "category_ids": printer.categories(),
        "copies": printer.copies,
        "active": printer.active,
    })
}

pub async fn list_printers(
    db: &Db,
    actor: &Staff,
    outlet_id: Uuid,
) -> AppResult<Vec<printer::Model>> {
    get_outlet(db, actor, outlet_id).await?;
    actor.authorize(Action::ReadFloor)?;
    Ok(printer::Entity::find()
        .filter(printer::Column::OutletId.eq(outlet_id))
        .order_by_asc(printer::Column::CreatedAt)
        .order_by_asc(printer::Column::Id)
        .all(db.conn())
        .await?)
}

/// The printer, if the actor sees its outlet ("not found" otherwise, never "forbidden").
pub async fn visible_printer(
    conn: &impl ConnectionTrait,
    actor: &Staff,
    id: Uuid,
) -> AppResult<printer::Model> {
    printer::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|p| actor.sees_outlet(p.outlet_id))
        .ok_or_else(|| AppError::not_found("printer"))
}

pub async fn update_printer(
    db: &Db,
    actor: &Staff,
    id: Uuid,
    changes: PrinterChanges,
) -> AppResult<printer::Model> {
    let current = visible_printer(db.conn(), actor, id).await?;
    actor.authorize(Action::ManagePrinters)?;
    let outlet_id = current.outlet_id;
    let mut model: printer::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        model.name = Set(clean_name("name", name)?);
    }
    if let Some(kind) = changes.kind {
        model.kind = Set(kind);
    }
    if let Some(address) = &changes.address {
        model.address = Set(clean_address(address)?);
    }
    if let Some(width) = changes.paper_width_mm {
        model.paper_width_mm = Set(check_width(width)?);
    }
    if let Some(copies) = changes.copies {
        model.copies = Set(check_copies(copies)?);
    }
    if let Some(ids) = changes.category_ids {
        model.category_ids = Set(clean_categories(db.conn(), outlet_id, ids).await?);
    }
    if let Some(active) = changes.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let printer = model.update(&txn).await.map_err(unique_to(conflict))?;
    let entry = audit::Entry::by(actor, Some(outlet_id), AuditAction::PrinterChanged)
        .on("printer", printer.id)
        .details(described(&printer));
    audit::record(&txn, entry).await?;
    if !printer.active {
        fail_unfinished(&txn, printer.id, "the printer was switched off in Kedai").await?;
    }
    txn.commit().await?;
    Ok(printer)
}

/// Removes a printer and its job history (what it never printed is shown as lost: FAILED).
pub async fn delete_printer(db: &Db, actor: &Staff, id: Uuid) -> AppResult<()> {
    let printer = visible_printer(db.conn(), actor, id).await?;
    actor.authorize(Action::ManagePrinters)?;
    let txn = db.begin().await?;
    print_job::Entity::delete_many()
        .filter(print_job::Column::PrinterId.eq(printer.id))
        .exec(&txn)
        .await?;
    printer::Entity::delete_by_id(printer.id).exec(&txn).await?;
    let entry = audit::Entry::by(actor, Some(printer.outlet_id), AuditAction::PrinterRemoved)
        .on("printer", printer.id)
        .details(described(&printer));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// The printer's jobs that will not print now: FAILED, so someone sees them (and can retry
/// once the printer is back on).
async fn fail_unfinished(
    conn: &impl ConnectionTrait,
    printer_id: Uuid,
    why: &str,
) -> AppResult<()> {
    print_job::Entity::update_many()
        .col_expr(
            print_job::Column::Status,
            Expr::value(PrintJobStatus::Failed),
        )
        .col_expr(print_job::Column::LastError, Expr::value(why))
        .col_expr(
            print_job::Column::ClaimedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(print_job::Column::PrinterId.eq(printer_id))
        .filter(print_job::Column::Status.eq(PrintJobStatus::Queued))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for (given, stored) in [
            ("192.168.1.50", "192.168.1.50:9100"),
            (" 192.168.1.50:9101 ", "192.168.1.50:9101"),
            ("printer-bar.local:9100", "printer-bar.local:9100"),
            ("[::1]:9100", "[::1]:9100"),
            ("[fe80::1]", "[fe80::1]:9100"),
        ] {
            assert_eq!(clean_address(given).unwrap(), stored, "{given}");
        }
        for bad in [
            "",
            "http://192.168.1.50:9100",
            "192.168.1.50:0",
            "192.168.1.50:70000",
            "192.168.1.50:",
            ":9100",
            "a b:9100",
            "host/path",
            "[::1",
            "[nope]:9100",
            "-host:9100",
        ] {
            assert!(clean_address(bad).is_err(), "{bad:?}");
        }
    }
}
