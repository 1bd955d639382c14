//! What realtime frames carry: one `Event` per change a service records, one payload type
//! per frame `type`. The payload is written once, as the event row's JSON, in the change's
//! transaction; the WebSocket sends it as stored and `GET /events` documents it as
//! `EventFrame`, a union discriminated by `type`. An order's payload is its `OrderView`, the
//! same shape `GET /orders/{id}` answers.

use chrono::{DateTime, Utc};
use poem_openapi::{
    types::{ParseFromJSON, ToJSON},
    Object, Union,
};
use uuid::Uuid;

use crate::{
    api::orders::OrderView,
    domain::{
        GuestRequestKind, OrderStatus, PaymentMethod, PaymentStatus, PrinterKind, SessionStatus,
    },
    entity::{
        dining_table, event, guest_request, order, payment, printer, product, shift, table_session,
    },
    service::{events::EventKind, orders::OrderDetails},
};

/// A change as a service records it (inside its transaction).
pub enum Event<'a> {
    NewOrder(&'a OrderDetails),
    OrderStatusChanged {
        order: &'a order::Model,
        previous: OrderStatus,
        reason: Option<String>,
    },
    OrderPaid {
        order: &'a order::Model,
        payment: &'a payment::Model,
        refund: bool,
    },
    /// A correction (a void, comp, discount, split or move): the whole order as it is now.
    OrderUpdated(&'a OrderDetails),
    TableSessionOpened {
        session: &'a table_session::Model,
        table: &'a dining_table::Model,
    },
    TableSessionClosed {
        session: &'a table_session::Model,
        forced: bool,
        reason: Option<String>,
    },
    /// The session moved to another (free) table.
    TableSessionMoved {
        session: &'a table_session::Model,
        from: &'a dining_table::Model,
        to: &'a dining_table::Model,
    },
    /// `merged` was merged into `session`: its orders moved there and it closed.
    TableSessionMerged {
        session: &'a table_session::Model,
        merged: &'a table_session::Model,
        order_ids: &'a [Uuid],
    },
    ShiftOpened(&'a shift::Model),
    ShiftClosed(&'a shift::Model),
    ProductUpdated(&'a product::Model),
    /// A printer's state changed (it went offline, ran out of paper, or is back).
    PrinterStatus {
        printer: &'a printer::Model,
        previous: &'a str,
        error: Option<&'a str>,
        /// Its jobs waiting or failed, as now.
        unprinted: u64,
    },
    /// A guest called for the waiter or the bill.
    GuestRequest {
        request: &'a guest_request::Model,
        table_name: &'a str,
    },
    /// A staff member took a guest's request on.
    GuestRequestAcknowledged {
        request: &'a guest_request::Model,
        table_name: &'a str,
        by: &'a str,
    },
}

impl Event<'_> {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::NewOrder(_) => EventKind::NewOrder,
            Event::OrderStatusChanged { .. } => EventKind::OrderStatusChanged,
            Event::OrderPaid { .. } => EventKind::OrderPaid,
            Event::OrderUpdated(_) => EventKind::OrderUpdated,
            Event::TableSessionOpened { .. } => EventKind::TableSessionOpened,
            Event::TableSessionClosed { .. } => EventKind::TableSessionClosed,
            Event::TableSessionMoved { .. } => EventKind::TableSessionMoved,
            Event::TableSessionMerged { .. } => EventKind::TableSessionMerged,
            Event::ShiftOpened(_) => EventKind::ShiftOpened,
            Event::ShiftClosed(_) => EventKind::ShiftClosed,
            Event::ProductUpdated(_) => EventKind::ProductUpdated,
            Event::PrinterStatus { .. } => EventKind::PrinterStatus,
            Event::GuestRequest { .. } => EventKind::GuestRequest,
            Event::GuestRequestAcknowledged { .. } => EventKind::GuestRequestAcknowledged,
        }
    }

    pub fn outlet_id(&self) -> Uuid {
        match self {
            Event::NewOrder(details) | Event::OrderUpdated(details) => details.order.outlet_id,
            Event::OrderStatusChanged { order, .. } | Event::OrderPaid { order, .. } => {
                order.outlet_id
            }
            Event::TableSessionOpened { session, .. }
            | Event::TableSessionClosed { session, .. }
            | Event::TableSessionMoved { session, .. }
            | Event::TableSessionMerged { session, .. } => session.outlet_id,
            Event::ShiftOpened(shift) | Event::ShiftClosed(shift) => shift.outlet_id,
            Event::ProductUpdated(product) => product.outlet_id,
            Event::PrinterStatus { printer, .. } => printer.outlet_id,
            Event::GuestRequest { request, .. }
            | Event::GuestRequestAcknowledged { request, .. } => request.outlet_id,
        }
    }

    /// The table session whose guests see the event (`None`: staff only, or the menu).
    pub fn table_session_id(&self) -> Option<Uuid> {
        match self {
            Event::NewOrder(details) | Event::OrderUpdated(details) => {
                details.order.table_session_id
            }
            Event::OrderStatusChanged { order, .. } | Event::OrderPaid { order, .. } => {
                order.table_session_id
            }
            Event::TableSessionOpened { session, .. }
            | Event::TableSessionClosed { session, .. }
            | Event::TableSessionMoved { session, .. }
            | Event::TableSessionMerged { session, .. } => Some(session.id),
            Event::ShiftOpened(_)
            | Event::ShiftClosed(_)
            | Event::ProductUpdated(_)
            | Event::PrinterStatus { .. } => None,
            // The guest sees their call answered.
            Event::GuestRequest { request, .. }
            | Event::GuestRequestAcknowledged { request, .. } => Some(request.table_session_id),
        }
    }

    /// The payload, as its documented type writes it.
    pub fn payload(&self) -> serde_json::Value {
        match self {
            Event::NewOrder(details) | Event::OrderUpdated(details) => {
                OrderView::from((*details).clone()).to_json()
            }
            Event::OrderStatusChanged {
                order,
                previous,
                reason,
            } => OrderStatusChanged {
                id: order.id,
                number: order.number,
                status: order.status,
                previous_status: *previous,
                table_session_id: order.table_session_id,
                reason: reason.clone(),
            }
            .to_json(),
            Event::OrderPaid {
                order,
                payment,
                refund,
            } => OrderPaid {
                id: order.id,
                number: order.number,
                status: order.status,
                payment_id: payment.id,
                method: payment.method,
                amount: payment.amount,
                refund: *refund,
                paid_amount: order.paid_amount,
                total_amount: order.total_amount,
                payment_status: order.payment_status,
                table_session_id: order.table_session_id,
            }
            .to_json(),
            Event::TableSessionOpened { session, table } => TableSessionOpened {
                id: session.id,
                table_id: table.id,
                table_name: table.name.clone(),
                status: session.status,
                expires_at: session.expires_at,
            }
            .to_json(),
            Event::TableSessionClosed {
                session,
                forced,
                reason,
            } => TableSessionClosed {
                id: session.id,
                table_id: session.table_id,
                status: session.status,
                forced: *forced,
                reason: reason.clone(),
            }
            .to_json(),
            Event::TableSessionMoved { session, from, to } => TableSessionMoved {
                id: session.id,
                table_id: to.id,
                table_name: to.name.clone(),
                from_table_id: from.id,
                from_table_name: from.name.clone(),
            }
            .to_json(),
            Event::TableSessionMerged {
                session,
                merged,
                order_ids,
            } => TableSessionMerged {
                id: session.id,
                table_id: session.table_id,
                merged_session_id: merged.id,
                merged_table_id: merged.table_id,
                order_ids: order_ids.to_vec(),
            }
            .to_json(),
            Event::ShiftOpened(shift) => ShiftOpened {
                id: shift.id,
                user_id: shift.user_id,
                start_cash: shift.start_cash,
                opened_at: shift.opened_at,
            }
            .to_json(),
            Event::ShiftClosed(shift) => ShiftClosed {
                id: shift.id,
                user_id: shift.user_id,
                expected_cash: shift.expected_cash.unwrap_or_default(),
                end_cash: shift.end_cash.unwrap_or_default(),
                cash_difference: shift.cash_difference.unwrap_or_default(),
            }
            .to_json(),
            Event::ProductUpdated(product) => ProductUpdated {
                id: product.id,
                name: product.name.clone(),
                price: product.price,
                available: product.available,
                deleted: product.deleted,
                category_id: product.category_id,
            }
            .to_json(),
            Event::PrinterStatus {
                printer,
                previous,
                error,
                unprinted,
            } => PrinterStatus {
                id: printer.id,
                name: printer.name.clone(),
                kind: printer.kind,
                status: printer.status.clone(),
                previous_status: (*previous).to_owned(),
                error: error.map(str::to_owned),
                unprinted: *unprinted,
            }
            .to_json(),
            Event::GuestRequest {
                request,
                table_name,
            } => GuestRequestView::of(request, table_name, None).to_json(),
            Event::GuestRequestAcknowledged {
                request,
                table_name,
                by,
            } => GuestRequestView::of(request, table_name, Some(by)).to_json(),
        }
        .unwrap_or(serde_json::Value::Null)
    }
}

/// `ORDER_STATUS_CHANGED`: an order moved (or was voided, with its reason).
#[derive(Debug, Clone, Object)]
pub struct OrderStatusChanged {
    pub id: Uuid,
    pub number: i32,
    pub status: OrderStatus,
    pub previous_status: OrderStatus,
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
    #[oai(nullable)]
    pub reason: Option<String>,
}

/// `ORDER_PAID`: a payment was taken (`refund: false`) or refunded (`refund: true`).
#[derive(Debug, Clone, Object)]
pub struct OrderPaid {
    /// The order.
    pub id: Uuid,
    pub number: i32,
    pub status: OrderStatus,
    pub payment_id: Uuid,
    pub method: PaymentMethod,
    pub amount: i64,
    pub refund: bool,
    pub paid_amount: i64,
    pub total_amount: i64,
    pub payment_status: PaymentStatus,
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
}

/// `TABLE_SESSION_OPENED`.
#[derive(Debug, Clone, Object)]
pub struct TableSessionOpened {
    /// The session.
    pub id: Uuid,
    pub table_id: Uuid,
    pub table_name: String,
    pub status: SessionStatus,
    pub expires_at: DateTime<Utc>,
}

/// `TABLE_SESSION_CLOSED`: `forced` when a MANAGER/OWNER closed it with unsettled orders.
#[derive(Debug, Clone, Object)]
pub struct TableSessionClosed {
    /// The session.
    pub id: Uuid,
    pub table_id: Uuid,
    pub status: SessionStatus,
    pub forced: bool,
    #[oai(nullable)]
    pub reason: Option<String>,
}

/// `TABLE_SESSION_MOVED`: the guests moved; the new table's QR now opens this session and the
/// old table is free. Guest tokens keep working.
#[derive(Debug, Clone, Object)]
pub struct TableSessionMoved {
    /// The session.
    pub id: Uuid,
    /// Where it is now.
    pub table_id: Uuid,
    pub table_name: String,
    pub from_table_id: Uuid,
    pub from_table_name: String,
}

/// `TABLE_SESSION_MERGED`: the orders of `merged_session_id` moved into session `id`, and
/// that session closed (its guest token answers `410 SESSION_MERGED`).
#[derive(Debug, Clone, Object)]
pub struct TableSessionMerged {
    /// The session that holds the orders now.
    pub id: Uuid,
    pub table_id: Uuid,
    pub merged_session_id: Uuid,
    /// The table that is free now.
    pub merged_table_id: Uuid,
    pub order_ids: Vec<Uuid>,
}

/// `SHIFT_OPENED`.
#[derive(Debug, Clone, Object)]
pub struct ShiftOpened {
    /// The shift.
    pub id: Uuid,
    /// Its cashier.
    pub user_id: Uuid,
    pub start_cash: i64,
    pub opened_at: DateTime<Utc>,
}

/// `SHIFT_CLOSED`.
#[derive(Debug, Clone, Object)]
pub struct ShiftClosed {
    /// The shift.
    pub id: Uuid,
    /// Its cashier.
    pub user_id: Uuid,
    pub expected_cash: i64,
    pub end_cash: i64,
    pub cash_difference: i64,
}

/// `PRODUCT_UPDATED`: a product was added, edited, sold out or taken off the menu (`deleted`).
#[derive(Debug, Clone, Object)]
pub struct ProductUpdated {
    /// The product.
    pub id: Uuid,
    pub name: String,
    pub price: i64,
    pub available: bool,
    pub deleted: bool,
    #[oai(nullable)]
    pub category_id: Option<Uuid>,
}

/// `PRINTER_STATUS`: a printer went offline, out of paper or cover open (`status` OFFLINE,
/// PAPER_OUT, COVER_OPEN, UNREACHABLE, ERROR), or is back (`OK`). Staff pages show a banner
/// while it is not OK.
#[derive(Debug, Clone, Object)]
pub struct PrinterStatus {
    /// The printer.
    pub id: Uuid,
    pub name: String,
    pub kind: PrinterKind,
    pub status: String,
    pub previous_status: String,
    /// What went wrong with the last job, when something did.
    #[oai(nullable)]
    pub error: Option<String>,
    /// Its jobs not printed yet (queued or failed).
    pub unprinted: u64,
}

/// `GUEST_REQUEST`: a guest called for the waiter or the bill (the cashier page rings until
/// someone acknowledges it); `GUEST_REQUEST_ACKNOWLEDGED`: someone did.
#[derive(Debug, Clone, Object)]
pub struct GuestRequestView {
    pub id: Uuid,
    pub kind: GuestRequestKind,
    pub table_id: Uuid,
    pub table_name: String,
    pub table_session_id: Uuid,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Username of who took it on.
    #[oai(nullable)]
    pub acknowledged_by: Option<String>,
}

impl GuestRequestView {
    pub fn of(request: &guest_request::Model, table_name: &str, by: Option<&str>) -> Self {
        GuestRequestView {
            id: request.id,
            kind: request.kind,
            table_id: request.table_id,
            table_name: table_name.to_owned(),
            table_session_id: request.table_session_id,
            created_at: request.created_at,
            acknowledged_at: request.acknowledged_at,
            acknowledged_by: by.map(str::to_owned),
        }
    }
}

/// One event as `GET /events` lists it and the WebSocket sends it.
#[derive(Object)]
pub struct Frame<T: ParseFromJSON + ToJSON> {
    /// Increasing; resume after it with `since`.
    pub id: i64,
    pub outlet_id: Uuid,
    #[oai(nullable)]
    pub table_session_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub payload: T,
}

/// A frame, told apart by `type`.
#[derive(Union)]
#[oai(discriminator_name = "type")]
pub enum EventFrame {
    #[oai(mapping = "NEW_ORDER")]
    NewOrder(Frame<OrderView>),
    #[oai(mapping = "ORDER_STATUS_CHANGED")]
    OrderStatusChanged(Frame<OrderStatusChanged>),
    #[oai(mapping = "ORDER_PAID")]
    OrderPaid(Frame<OrderPaid>),
    #[oai(mapping = "ORDER_UPDATED")]
    OrderUpdated(Frame<OrderView>),
    #[oai(mapping = "TABLE_SESSION_OPENED")]
    TableSessionOpened(Frame<TableSessionOpened>),
    #[oai(mapping = "TABLE_SESSION_CLOSED")]
    TableSessionClosed(Frame<TableSessionClosed>),
    #[oai(mapping = "TABLE_SESSION_MOVED")]
    TableSessionMoved(Frame<TableSessionMoved>),
    #[oai(mapping = "TABLE_SESSION_MERGED")]
    TableSessionMerged(Frame<TableSessionMerged>),
    #[oai(mapping = "SHIFT_OPENED")]
    ShiftOpened(Frame<ShiftOpened>),
    #[oai(mapping = "SHIFT_CLOSED")]
    ShiftClosed(Frame<ShiftClosed>),
    #[oai(mapping = "PRODUCT_UPDATED")]
    ProductUpdated(Frame<ProductUpdated>),
    #[oai(mapping = "PRINTER_STATUS")]
    PrinterStatus(Frame<PrinterStatus>),
    #[oai(mapping = "GUEST_REQUEST")]
    GuestRequest(Frame<GuestRequestView>),
    #[oai(mapping = "GUEST_REQUEST_ACKNOWLEDGED")]
    GuestRequestAcknowledged(Frame<GuestRequestView>),
}

impl EventFrame {
    /// The frame of a stored event; `None` for a payload this version cannot read (events are
    /// only ever written in the current shapes: migration 7 retired the older ones).
    pub fn from_event(event: &event::Model) -> Option<EventFrame> {
        fn frame<T: ParseFromJSON + ToJSON>(event: &event::Model) -> Option<Frame<T>> {
            let payload = serde_json::from_str(&event.payload).ok()?;
            Some(Frame {
                id: event.id,
                outlet_id: event.outlet_id,
                table_session_id: event.table_session_id,
                at: event.at,
                payload: T::parse_from_json(Some(payload)).ok()?,
            })
        }
        Some(match EventKind::parse(&event.kind)? {
            EventKind::NewOrder => EventFrame::NewOrder(frame(event)?),
            EventKind::OrderStatusChanged => EventFrame::OrderStatusChanged(frame(event)?),
            EventKind::OrderPaid => EventFrame::OrderPaid(frame(event)?),
            EventKind::OrderUpdated => EventFrame::OrderUpdated(frame(event)?),
            EventKind::TableSessionOpened => EventFrame::TableSessionOpened(frame(event)?),
            EventKind::TableSessionClosed => EventFrame::TableSessionClosed(frame(event)?),
            EventKind::TableSessionMoved => EventFrame::TableSessionMoved(frame(event)?),
            EventKind::TableSessionMerged => EventFrame::TableSessionMerged(frame(event)?),
            EventKind::ShiftOpened => EventFrame::ShiftOpened(frame(event)?),
            EventKind::ShiftClosed => EventFrame::ShiftClosed(frame(event)?),
            EventKind::ProductUpdated => EventFrame::ProductUpdated(frame(event)?),
            EventKind::PrinterStatus => EventFrame::PrinterStatus(frame(event)?),
            EventKind::GuestRequest => EventFrame::GuestRequest(frame(event)?),
            EventKind::GuestRequestAcknowledged => {
                EventFrame::GuestRequestAcknowledged(frame(event)?)
            }
        })
    }
}
