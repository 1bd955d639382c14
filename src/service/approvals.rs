//! Manager approvals: a MANAGER or OWNER types their PIN on the tablet where someone asks for
//! an action above their role, and that person's request then carries `X-Approval: <token>`.
//! A token allows one action on one object (or, for the drawer, the tablet's outlet), once,
//! for two minutes, and only for the person and tablet that asked. It is used up in the
//! action's own transaction: an action that fails leaves it unused.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::{devices, random_url_safe};
use crate::{
    auth::{password::Passwords, Action, Staff},
    db::Db,
    entity::approval,
    error::{AppError, AppResult},
};

/// How long an approval may wait for its action.
pub const APPROVAL_TTL_SECONDS: i64 = 120;

/// What an approval allows: each stands for the permission a caller lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalAction {
    /// Void or comp items once the kitchen has the order.
    VoidItem,
    /// A discount above the outlet's cap, or taking back someone else's.
    Discount,
    Refund,
    /// Opening the cash drawer without a sale.
    OpenDrawer,
}

impl ApprovalAction {
    pub const ALL: [ApprovalAction; 4] = [
        ApprovalAction::VoidItem,
        ApprovalAction::Discount,
        ApprovalAction::Refund,
        ApprovalAction::OpenDrawer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalAction::VoidItem => "VOID_ITEM",
            ApprovalAction::Discount => "DISCOUNT",
            ApprovalAction::Refund => "REFUND",
            ApprovalAction::OpenDrawer => "OPEN_DRAWER",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalAction> {
        ApprovalAction::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The permission it stands in for: the approver must hold it.
    pub fn permission(self) -> Action {
        match self {
            ApprovalAction::VoidItem => Action::VoidItemAfterKitchen,
            ApprovalAction::Discount => Action::DiscountOverCap,
            ApprovalAction::Refund => Action::Refund,
            ApprovalAction::OpenDrawer => Action::OpenDrawer,
        }
    }

    /// Whether it is for one order (all but the drawer).
    fn needs_order(self) -> bool {
        self != ApprovalAction::OpenDrawer
    }
}

/// Who approved an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub id: Uuid,
    pub name: String,
}

/// A token handed to the tablet, shown this once.
pub struct Granted {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What `POST /approvals` asks for.
pub struct ApprovalRequest {
    pub action: ApprovalAction,
    pub order_id: Option<Uuid>,
    pub username: String,
    pub pin: String,
}

/// Checks the approver's PIN on the caller's tablet and hands out a token for the action.
pub async fn grant(
    db: &Db,
    passwords: &Passwords,
    caller: &Staff,
    request: ApprovalRequest,
    client_address: &str,
) -> AppResult<Granted> {
    let device_id = caller.device_id.ok_or_else(|| {
        AppError::Forbidden(
            "approvals are given by PIN on an enrolled tablet; sign in there by PIN".into(),
        )
    })?;
    let action = request.action;
    let order_id = match (action.needs_order(), request.order_id) {
        (true, None) => {
            return Err(AppError::validation(
                "order_id",
                format!("a {} approval is for one order", action.as_str()),
            ))
        }
        (true, Some(id)) => Some(id),
        (false, _) => None,
    };
    let device = devices::signed_in_device(db, device_id).await?;
    if let Some(order_id) = order_id {
        let order = super::orders::staff_order(db.conn(), caller, order_id).await?;
        if order.outlet_id != device.outlet_id {
            return Err(AppError::not_found("order"));
        }
    }
    let approver = devices::check_pin(
        db,
        passwords,
        &device,
        &request.username,
        request.pin,
        client_address,
        devices::PinUse::Approval(action.as_str()),
    )
    .await?;
    let permission = action.permission();
    if !permission.allows(crate::auth::Who::Staff(approver.role)) {
        return Err(AppError::Forbidden(format!(
            "a {} may not approve this; ask a MANAGER or OWNER",
            approver.role.as_str()
        )));
    }
    let token = format!("ap_{}", random_url_safe::<32>()?);
    let now = Utc::now();
    let expires_at = now + Duration::seconds(APPROVAL_TTL_SECONDS);
    approval::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(devices::secret_hash(&token)),
        action: Set(action.as_str().to_owned()),
        order_id: Set(order_id),
        outlet_id: Set(device.outlet_id),
        device_id: Set(device.id),
        requested_by: Set(caller.user_id),
        approver_id: Set(approver.id),
        approver_name: Set(approver.username),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db.conn())
    .await?;
    Ok(Granted { token, expires_at })
}

/// Before any work: the caller may do `action` on their own, or brings an approval token
/// (checked for real, and used up, by `authorize`).
pub fn precheck(actor: &Staff, action: ApprovalAction, token: Option<&str>) -> AppResult<()> {
    if actor.may(action.permission()) || token.is_some() {
        return Ok(());
    }
    Err(required(actor, action))
}

fn required(actor: &Staff, action: ApprovalAction) -> AppError {
    let (_, what) = action.permission().rule();
    AppError::ApprovalRequired(format!(
        "a {} needs a manager's approval to {what} (X-Approval from POST /approvals, action {})",
        actor.role.as_str(),
        action.as_str()
    ))
}

/// Inside the action's transaction: `None` when the caller may do it on their own, else the
/// approver of the token, which is used up here (a second use finds it used).
pub async fn authorize(
    txn: &DatabaseTransaction,
    actor: &Staff,
    action: ApprovalAction,
    order_id: Option<Uuid>,
    token: Option<&str>,
) -> AppResult<Option<Approver>> {
    if actor.may(action.permission()) {
        return Ok(None);
    }
    let token = token.ok_or_else(|| required(actor, action))?;
    let refused = |why: &str| {
        AppError::ApprovalRequired(format!("the approval {why}; ask the manager again"))
    };
    if token.len() > 100 {
        return Err(refused("is not one Kedai gave"));
    }
    let found = approval::Entity::find()
        .filter(approval::Column::TokenHash.eq(devices::secret_hash(token)))
        .one(txn)
        .await?
        .ok_or_else(|| refused("is not one Kedai gave"))?;
    let now = Utc::now();
    if found.action != action.as_str() {
        return Err(refused("is for another action"));
    }
    if found.order_id != order_id {
        return Err(refused("is for another order"));
    }
    if found.requested_by != actor.user_id || Some(found.device_id) != actor.device_id {
        return Err(refused("was given to someone else"));
    }
    if found.used_at.is_some() {
        return Err(refused("was already used"));
    }
    if found.expires_at <= now {
        return Err(refused("has expired"));
    }
    // Claimed only if still unused: of two requests racing with one token, one wins.
    let claimed = approval::Entity::update_many()
        .col_expr(approval::Column::UsedAt, Expr::value(now))
        .filter(approval::Column::Id.eq(found.id))
        .filter(approval::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(refused("was already used"));
    }
    Ok(Some(Approver {
        id: found.approver_id,
        name: found.approver_name,
    }))
}
