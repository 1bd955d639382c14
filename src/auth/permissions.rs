//! The permission table: every role-checked action and who may do it, in one place.
//!
//! Services ask `principal.authorize(Action::…)` (or `staff.authorize`) before any rule or
//! write; only finding the object comes first, so something the caller may not see stays a
//! 404 rather than a 403. No other code decides by role (the one role comparison left, in
//! `service::users`, keeps the last active OWNER: a fact about the data, not a permission).
//! Outlet and ownership rules (a MANAGER sees only their outlet, a KASIR only their own
//! shift) stay in the services. The served OpenAPI spec
//! lists the same roles on every operation (`x-kedai-roles`, see `api::access`), and
//! `tests/api/roles.rs` walks every row of this table against the live API.

use super::{Principal, Role, Staff};
use crate::error::AppError;

/// Who may act: a staff role, or a guest holding a table's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Guest,
    Staff(Role),
}

impl Who {
    pub fn as_str(self) -> &'static str {
        match self {
            Who::Guest => "GUEST",
            Who::Staff(role) => role.as_str(),
        }
    }
}

const OWNER: Who = Who::Staff(Role::Owner);
const MANAGER: Who = Who::Staff(Role::Manager);
const KASIR: Who = Who::Staff(Role::Kasir);
const WAITER: Who = Who::Staff(Role::Waiter);
const KITCHEN: Who = Who::Staff(Role::Kitchen);
const GUEST: Who = Who::Guest;

const OWNERS: &[Who] = &[OWNER];
const ADMINS: &[Who] = &[OWNER, MANAGER];
const CASHIERS: &[Who] = &[OWNER, MANAGER, KASIR];
const FLOOR: &[Who] = &[OWNER, MANAGER, KASIR, WAITER];
const STAFF: &[Who] = &[OWNER, MANAGER, KASIR, WAITER, KITCHEN];
/// Everyone who may act, in the order the spec lists them.
pub const ANYONE: &[Who] = &[GUEST, OWNER, MANAGER, KASIR, WAITER, KITCHEN];

/// Everything a role check guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read what the caller's outlet (a guest: their table) may see: the menu, their
    /// orders and bill, the live events.
    Read,
    /// Read staff-side records: outlets, tables, sessions, orders, payments, own shifts.
    ReadFloor,
    /// See every outlet rather than one's own.
    SeeAllOutlets,
    CreateOutlet,
    EditOutlet,
    /// List and read other staff accounts (one's own is always readable).
    ViewStaff,
    /// Create and edit KASIR, WAITER and KITCHEN accounts.
    ManageFloorStaff,
    /// Create and edit OWNER and MANAGER accounts.
    ManageAdmins,
    /// Move an account to another outlet.
    MoveStaff,
    /// Tables: create, edit, delete, rotate their QR codes.
    ManageTables,
    /// Categories, products and modifier groups.
    ManageMenu,
    /// Mark a dish sold out or back.
    SetAvailability,
    OpenTable,
    CloseTable,
    /// Close a table with unsettled orders (with a reason).
    ForceCloseTable,
    PlaceOrder,
    /// Move an order to ACCEPTED, COOKING or READY.
    AdvanceOrder,
    /// Move an order to DONE.
    CompleteOrder,
    /// Void an order nothing was ever paid on.
    VoidUnpaidOrder,
    /// Void any order (one with payments still needs a refund first).
    VoidOrder,
    /// Void or comp items of an order the kitchen has not accepted yet.
    VoidItem,
    /// Void or comp items once the kitchen has the order.
    VoidItemAfterKitchen,
    /// Give (or take back) a discount up to the outlet's `max_cashier_discount_bp`.
    GiveDiscount,
    /// Give a discount above the outlet's cap.
    DiscountOverCap,
    /// Split items of an order into a new bill.
    SplitOrder,
    /// Move a table to another, merge two tables, move an order between tables.
    MoveTable,
    /// Keep a drawer: open and close one's own shift, move its cash.
    KeepDrawer,
    TakePayment,
    /// Open, close, read and move cash of someone else's shift.
    ManageShifts,
    Refund,
    ViewReports,
    /// Add, change, remove and test-print printers (they are places Kedai sends bytes to).
    ManagePrinters,
    /// Print an order's or a table's bill, or a receipt again.
    PrintBill,
    /// Kick the cash drawer open without a sale (others: with a manager's approval).
    OpenDrawer,
    /// Send a failed print job again.
    RetryPrint,
    /// Read the audit log (a MANAGER: their outlet's).
    ViewAudit,
    /// Enrol, list, revoke and unlock an outlet's shared tablets.
    ManageDevices,
    /// Call the waiter or ask for the bill from the table.
    CallStaff,
    /// Take on a guest's call.
    AnswerGuest,
}

impl Action {
    /// Every action, for the tables built from this one (spec, tests).
    pub const ALL: [Action; 39] = [
        Action::Read,
        Action::ReadFloor,
        Action::SeeAllOutlets,
        Action::CreateOutlet,
        Action::EditOutlet,
        Action::ViewStaff,
        Action::ManageFloorStaff,
        Action::ManageAdmins,
        Action::MoveStaff,
        Action::ManageTables,
        Action::ManageMenu,
        Action::SetAvailability,
        Action::OpenTable,
        Action::CloseTable,
        Action::ForceCloseTable,
        Action::PlaceOrder,
        Action::AdvanceOrder,
        Action::CompleteOrder,
        Action::VoidUnpaidOrder,
        Action::VoidOrder,
        Action::VoidItem,
        Action::VoidItemAfterKitchen,
        Action::GiveDiscount,
        Action::DiscountOverCap,
        Action::SplitOrder,
        Action::MoveTable,
        Action::KeepDrawer,
        Action::TakePayment,
        Action::ManageShifts,
        Action::Refund,
        Action::ViewReports,
        Action::ManagePrinters,
        Action::PrintBill,
        Action::OpenDrawer,
        Action::RetryPrint,
        Action::ViewAudit,
        Action::ManageDevices,
        Action::CallStaff,
        Action::AnswerGuest,
    ];

    /// The table itself: who may, and the words for a refusal ("a WAITER may not …").
    pub fn rule(self) -> (&'static [Who], &'static str) {
        match self {
            Action::Read => (ANYONE, "read this"),
            Action::ReadFloor => (STAFF, "read this"),
            Action::SeeAllOutlets => (OWNERS, "see every outlet"),
            Action::CreateOutlet => (OWNERS, "create outlets"),
            Action::EditOutlet => (ADMINS, "edit an outlet"),
            Action::ViewStaff => (ADMINS, "see other staff accounts"),
            Action::ManageFloorStaff => (ADMINS, "manage KASIR, WAITER or KITCHEN accounts"),
            Action::ManageAdmins => (OWNERS, "manage OWNER or MANAGER accounts"),
            Action::MoveStaff => (OWNERS, "move staff between outlets"),
            Action::ManageTables => (ADMINS, "set up tables"),
            Action::ManageMenu => (ADMINS, "edit the menu"),
            Action::SetAvailability => (&[OWNER, MANAGER, KASIR, KITCHEN], "mark dishes sold out"),
            Action::OpenTable => (FLOOR, "open tables"),
            Action::CloseTable => (FLOOR, "close tables"),
            Action::ForceCloseTable => (ADMINS, "force-close a table"),
            Action::PlaceOrder => (&[GUEST, OWNER, MANAGER, KASIR, WAITER], "place orders"),
            Action::AdvanceOrder => (STAFF, "move orders forward"),
            Action::CompleteOrder => (FLOOR, "mark orders DONE"),
            Action::VoidUnpaidOrder => (CASHIERS, "void orders"),
            Action::VoidOrder => (ADMINS, "void orders that were paid"),
            Action::VoidItem => (FLOOR, "void or comp items"),
            Action::VoidItemAfterKitchen => (ADMINS, "void or comp items the kitchen has"),
            Action::GiveDiscount => (CASHIERS, "give discounts"),
            Action::DiscountOverCap => (ADMINS, "give discounts above the outlet's cap"),
            Action::SplitOrder => (FLOOR, "split bills"),
            Action::MoveTable => (FLOOR, "move or merge tables"),
            Action::KeepDrawer => (CASHIERS, "keep a drawer"),
            Action::TakePayment => (CASHIERS, "take payments"),
            Action::ManageShifts => (ADMINS, "handle someone else's shift"),
            Action::Refund => (ADMINS, "refund payments"),
            Action::ViewReports => (ADMINS, "see sales reports"),
            Action::ManagePrinters => (ADMINS, "set up printers"),
            Action::PrintBill => (FLOOR, "print bills and receipts"),
            Action::OpenDrawer => (ADMINS, "open the cash drawer without a sale"),
            Action::RetryPrint => (STAFF, "retry print jobs"),
            Action::ViewAudit => (ADMINS, "read the audit log"),
            Action::ManageDevices => (ADMINS, "enrol or revoke tablets"),
            Action::CallStaff => (&[GUEST], "call staff from the table"),
            Action::AnswerGuest => (FLOOR, "answer guests' calls"),
        }
    }

    pub fn allows(self, who: Who) -> bool {
        self.rule().0.contains(&who)
    }

    /// The action that guards editing accounts of `role`.
    pub fn manage_account(role: Role) -> Action {
        match role {
            Role::Owner | Role::Manager => Action::ManageAdmins,
            Role::Kasir | Role::Waiter | Role::Kitchen => Action::ManageFloorStaff,
        }
    }
}

impl Principal {
    pub fn who(&self) -> Who {
        match self {
            Principal::Staff(staff) => staff.who(),
            Principal::Guest(_) => Who::Guest,
        }
    }

    /// 403 unless the table lets this caller do `action`.
    pub fn authorize(&self, action: Action) -> Result<(), AppError> {
        authorize(self.who(), action)
    }
}

impl Staff {
    pub fn who(&self) -> Who {
        Who::Staff(self.role)
    }

    /// 403 unless the table lets this staff member do `action`.
    pub fn authorize(&self, action: Action) -> Result<(), AppError> {
        authorize(self.who(), action)
    }

    /// Whether the table lets this staff member do `action` (for choices, not refusals).
    pub fn may(&self, action: Action) -> bool {
        action.allows(self.who())
    }
}

fn authorize(who: Who, action: Action) -> Result<(), AppError> {
    if action.allows(who) {
        return Ok(());
    }
    let (allowed, what) = action.rule();
    let names: Vec<&str> = allowed.iter().map(|w| w.as_str()).collect();
    let subject = match who {
        Who::Guest => "a table guest".to_owned(),
        Who::Staff(role) => format!("a {}", role.as_str()),
    };
    Err(AppError::Forbidden(format!(
        "{subject} may not {what} (allowed: {})",
        names.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_listed_once_and_allows_someone() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(seen.insert(action), "{action:?} twice");
            assert!(!action.rule().0.is_empty(), "{action:?} allows nobody");
        }
    }

    #[test]
    fn refusals_name_the_role_and_who_may() {
        let err = authorize(KASIR, Action::Refund).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a KASIR may not refund payments (allowed: OWNER, MANAGER)"
        );
        let err = authorize(GUEST, Action::OpenTable).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("a table guest may not open tables"));
        assert!(authorize(MANAGER, Action::ManageFloorStaff).is_ok());
        assert!(authorize(MANAGER, Action::manage_account(Role::Manager)).is_err());
    }
}
