//! The audit log: one row per action worth answering "who did that?" for, written in the
//! same transaction as the action (so a row exists exactly when the action happened). The log
//! is append-only: this module inserts and reads; nothing anywhere updates or deletes it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::{approvals::Approver, Page, PageRequest};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::audit_log,
    error::{AppError, AppResult},
};

/// What was done. The names are the `action` column and the `GET /audit?action=` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    UserCreated,
    UserChanged,
    OrderVoided,
    ItemVoided,
    ItemComped,
    DiscountGiven,
    DiscountRemoved,
    PaymentRefunded,
    DrawerOpened,
    ReceiptReprinted,
    ShiftClosed,
    ProductChanged,
    PrinterAdded,
    PrinterChanged,
    PrinterRemoved,
    PinSignIn,
    PinSignInFailed,
    PinChanged,
    DeviceEnrolled,
    DeviceRevoked,
    DeviceUnlocked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 23] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::OrderVoided,
        AuditAction::ItemVoided,
        AuditAction::ItemComped,
        AuditAction::DiscountGiven,
        AuditAction::DiscountRemoved,
        AuditAction::PaymentRefunded,
        AuditAction::DrawerOpened,
        AuditAction::ReceiptReprinted,
        AuditAction::ShiftClosed,
        AuditAction::ProductChanged,
        AuditAction::PrinterAdded,
        AuditAction::PrinterChanged,
        AuditAction::PrinterRemoved,
        AuditAction::PinSignIn,
        AuditAction::PinSignInFailed,
        AuditAction::PinChanged,
        AuditAction::DeviceEnrolled,
        AuditAction::DeviceRevoked,
        AuditAction::DeviceUnlocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "SIGN_IN",
            AuditAction::SignInFailed => "SIGN_IN_FAILED",
            AuditAction::UserCreated => "USER_CREATED",
            AuditAction::UserChanged => "USER_CHANGED",
            AuditAction::OrderVoided => "ORDER_VOIDED",
            AuditAction::ItemVoided => "ITEM_VOIDED",
            AuditAction::ItemComped => "ITEM_COMPED",
            AuditAction::DiscountGiven => "DISCOUNT_GIVEN",
            AuditAction::DiscountRemoved => "DISCOUNT_REMOVED",
            AuditAction::PaymentRefunded => "PAYMENT_REFUNDED",
            AuditAction::DrawerOpened => "DRAWER_OPENED",
            AuditAction::ReceiptReprinted => "RECEIPT_REPRINTED",
            AuditAction::ShiftClosed => "SHIFT_CLOSED",
            AuditAction::ProductChanged => "PRODUCT_CHANGED",
            AuditAction::PrinterAdded => "PRINTER_ADDED",
            AuditAction::PrinterChanged => "PRINTER_CHANGED",
            AuditAction::PrinterRemoved => "PRINTER_REMOVED",
            AuditAction::PinSignIn => "PIN_SIGN_IN",
            AuditAction::PinSignInFailed => "PIN_SIGN_IN_FAILED",
            AuditAction::PinChanged => "PIN_CHANGED",
            AuditAction::DeviceEnrolled => "DEVICE_ENROLLED",
            AuditAction::DeviceRevoked => "DEVICE_REVOKED",
            AuditAction::DeviceUnlocked => "DEVICE_UNLOCKED",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One row to write.
#[derive(Debug, Clone)]
pub struct Entry {
    pub outlet_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    /// The manager whose PIN allowed it: id and username.
    pub approved_by: Option<(Uuid, String)>,
    pub action: AuditAction,
    /// E.g. `("order", id)`.
    pub object: Option<(&'static str, String)>,
    pub details: Value,
    pub client_address: Option<String>,
    /// The enrolled tablet it was done on.
    pub device_id: Option<Uuid>,
}

impl Entry {
    /// `action` by nobody yet: fill in the rest (for sign-ins, where the actor is a name).
    pub fn new(action: AuditAction) -> Entry {
        Entry {
            outlet_id: None,
            actor_id: None,
            actor_name: String::new(),
            approved_by: None,
            action,
            object: None,
            details: Value::Object(Default::default()),
            client_address: None,
            device_id: None,
        }
    }

    /// `actor` did `action` at `outlet_id`; add the object and details with the builders.
    pub fn by(actor: &Staff, outlet_id: Option<Uuid>, action: AuditAction) -> Entry {
        Entry {
            outlet_id,
            actor_id: Some(actor.user_id),
            actor_name: actor.username.clone(),
            device_id: actor.device_id,
            ..Entry::new(action)
        }
    }

    /// Allowed by `approver`'s approval (`None`: the actor's own right).
    pub fn approved(mut self, approver: Option<&Approver>) -> Entry {
        self.approved_by = approver.map(|a| (a.id, a.name.clone()));
        self
    }

    pub fn on(mut self, kind: &'static str, id: impl ToString) -> Entry {
        self.object = Some((kind, id.to_string()));
        self
    }

    pub fn details(mut self, details: Value) -> Entry {
        self.details = details;
        self
    }
}

/// Appends `entry`; call it inside the action's transaction.
pub async fn record(conn: &impl ConnectionTrait, entry: Entry) -> AppResult<()> {
    let (object_type, object_id) = entry
        .object
        .map_or((None, None), |(kind, id)| (Some(kind.to_owned()), Some(id)));
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        outlet_id: Set(entry.outlet_id),
        actor_id: Set(entry.actor_id),
        actor_name: Set(entry.actor_name.chars().take(100).collect()),
        approved_by: Set(entry.approved_by.as_ref().map(|(id, _)| *id)),
        approved_by_name: Set(entry.approved_by.map(|(_, name)| name)),
        action: Set(entry.action.as_str().to_owned()),
        object_type: Set(object_type),
        object_id: Set(object_id),
        details: Set(entry.details.to_string()),
        client_address: Set(entry.client_address),
        device_id: Set(entry.device_id),
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub outlet_id: Option<Uuid>,
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The log, newest first (OWNER: every outlet, or one; MANAGER: their own outlet only).
pub async fn list(
    db: &Db,
    actor: &Staff,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Page<audit_log::Model>> {
    actor.authorize(Action::ViewAudit)?;
    let mut query = audit_log::Entity::find();
    if let Some(outlet_id) = super::outlet_scope(actor, filter.outlet_id)? {
        query = query.filter(audit_log::Column::OutletId.eq(outlet_id));
    }
    if let Some(action) = filter.action {
        let action = AuditAction::parse(&action).ok_or_else(|| {
            AppError::validation("action", "action is not one the audit log records")
        })?;
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(actor_id) = filter.actor_id {
        query = query.filter(audit_log::Column::ActorId.eq(actor_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::Column::At.lt(to));
    }
    if let Some(before) = page.after {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    let rows = query
        .order_by_desc(audit_log::Column::Id)
        .limit(page.limit + 1)
        .all(db.conn())
        .await?;
    Ok(page.page(rows, |row| row.id))
}
