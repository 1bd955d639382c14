//! Who may call each operation, published in the served spec: every operation gets
//! `x-kedai-roles` (and a "Roles:" line in its description, which Swagger UI shows), made from
//! the actions it performs in the permission table (`auth::permissions`). Outlet, table and
//! ownership rules still apply on top: a MANAGER reaches only their outlet, a guest only
//! their table.

use serde_json::Value;

use crate::auth::{permissions::ANYONE, Action};

/// Who may call an operation: anyone (`public`), and whoever may do one of `actions`.
pub struct Access {
    pub public: bool,
    pub actions: &'static [Action],
}

const fn public() -> Access {
    Access {
        public: true,
        actions: &[],
    }
}

const fn any(actions: &'static [Action]) -> Access {
    Access {
        public: false,
        actions,
    }
}

use Action::*;

/// Every operation by its `operationId`. A test fails when one is missing.
pub const OPERATIONS: &[(&str, Access)] = &[
    ("ping", public()),
    ("health", public()),
    // Public while no account exists (the first owner), then staff creating staff.
    (
        "register",
        Access {
            public: true,
            actions: &[ManageFloorStaff, ManageAdmins],
        },
    ),
    ("login", public()),
    ("me", any(&[ReadFloor])),
    ("list_users", any(&[ViewStaff])),
    // One's own account always; others with ViewStaff.
    ("get_user", any(&[ReadFloor])),
    // One's own password always; others' accounts with the Manage… actions.
    (
        "update_user",
        any(&[ReadFloor, ManageFloorStaff, ManageAdmins, MoveStaff]),
    ),
    ("create_outlet", any(&[CreateOutlet])),
    ("list_outlets", any(&[ReadFloor])),
    ("get_outlet", any(&[ReadFloor])),
    ("update_outlet", any(&[EditOutlet])),
    ("create_table", any(&[ManageTables])),
    ("list_tables", any(&[ReadFloor])),
    ("get_table", any(&[ReadFloor])),
    ("update_table", any(&[ManageTables])),
    ("delete_table", any(&[ManageTables])),
    ("rotate_table_qr", any(&[ManageTables])),
    ("table_qr_svg", any(&[ReadFloor])),
    ("table_qr_png", any(&[ReadFloor])),
    ("create_category", any(&[ManageMenu])),
    ("list_categories", any(&[ReadFloor])),
    ("update_category", any(&[ManageMenu])),
    ("delete_category", any(&[ManageMenu])),
    ("create_product", any(&[ManageMenu])),
    ("list_products", any(&[ReadFloor])),
    ("get_product", any(&[ReadFloor])),
    ("update_product", any(&[ManageMenu, SetAvailability])),
    ("delete_product", any(&[ManageMenu])),
    ("create_modifier_group", any(&[ManageMenu])),
    ("update_modifier_group", any(&[ManageMenu])),
    ("delete_modifier_group", any(&[ManageMenu])),
    ("get_menu", any(&[Read])),
    ("open_table_session", any(&[OpenTable])),
    ("list_table_sessions", any(&[ReadFloor])),
    ("validate_table_session", public()),
    ("scan_table_qr", public()),
    ("get_table_session", any(&[Read])),
    ("list_table_session_orders", any(&[Read])),
    ("get_table_session_bill", any(&[Read])),
    ("close_table_session", any(&[CloseTable, ForceCloseTable])),
    ("create_order", any(&[PlaceOrder])),
    ("list_orders", any(&[Read])),
    ("get_order", any(&[Read])),
    (
        "update_order_status",
        any(&[AdvanceOrder, CompleteOrder, VoidUnpaidOrder, VoidOrder]),
    ),
    ("void_order_item", any(&[VoidItem, VoidItemAfterKitchen])),
    ("add_order_discount", any(&[GiveDiscount])),
    ("remove_order_discount", any(&[GiveDiscount])),
    ("split_order", any(&[SplitOrder])),
    ("move_order", any(&[MoveTable])),
    ("move_table_session", any(&[MoveTable])),
    ("merge_table_sessions", any(&[MoveTable])),
    ("pay_table_session", any(&[TakePayment])),
    ("realtime_ws", any(&[Read])),
    ("list_events", any(&[Read])),
    ("open_shift", any(&[KeepDrawer, ManageShifts])),
    ("close_shift", any(&[KeepDrawer, ManageShifts])),
    ("current_shift", any(&[ReadFloor])),
    ("list_shifts", any(&[ReadFloor])),
    ("get_shift", any(&[ReadFloor])),
    ("add_cash_movement", any(&[KeepDrawer, ManageShifts])),
    ("shift_report", any(&[ReadFloor])),
    ("create_payment", any(&[TakePayment])),
    ("list_payments", any(&[ReadFloor])),
    ("refund_payment", any(&[Refund])),
    ("sales_report", any(&[ViewReports])),
    ("exceptions_report", any(&[ViewReports])),
    ("create_printer", any(&[ManagePrinters])),
    ("list_printers", any(&[ReadFloor])),
    ("update_printer", any(&[ManagePrinters])),
    ("delete_printer", any(&[ManagePrinters])),
    ("test_printer", any(&[ManagePrinters])),
    ("open_drawer", any(&[OpenDrawer])),
    ("list_print_jobs", any(&[ReadFloor])),
    ("retry_print_job", any(&[RetryPrint])),
    ("print_order", any(&[PrintBill])),
    ("print_table_bill", any(&[PrintBill])),
    ("order_receipt_text", any(&[Read])),
    ("get_receipt", public()),
    ("list_audit", any(&[ViewAudit])),
    ("enrol_device", any(&[ManageDevices])),
    ("list_devices", any(&[ManageDevices])),
    ("revoke_device", any(&[ManageDevices])),
    ("unlock_device", any(&[ManageDevices])),
    // One's own PIN always; others' with the Manage… actions.
    ("set_pin", any(&[ReadFloor, ManageFloorStaff, ManageAdmins])),
    ("pin_login", public()),
    ("device_lock_screen", public()),
    ("setup_state", public()),
    ("put_product_image", any(&[ManageMenu])),
    ("get_product_image", public()),
    ("delete_product_image", any(&[ManageMenu])),
    // Anyone signed in by PIN may ask; the approver's role is checked against the action.
    ("create_approval", any(&[ReadFloor])),
    ("call_staff", any(&[CallStaff])),
    ("list_guest_requests", any(&[ReadFloor])),
    ("answer_guest_request", any(&[AnswerGuest])),
];

/// The `x-kedai-roles` of an operation: `PUBLIC`, then each role one of its actions allows.
pub fn roles(access: &Access) -> Vec<&'static str> {
    let mut roles = Vec::new();
    if access.public {
        roles.push("PUBLIC");
    }
    for &who in ANYONE {
        if access.actions.iter().any(|action| action.allows(who)) {
            roles.push(who.as_str());
        }
    }
    roles
}

pub fn access_of(operation_id: &str) -> Option<&'static Access> {
    OPERATIONS
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, access)| access)
}

/// The generated spec with `x-kedai-roles` and a "Roles:" line on every operation.
pub fn annotate(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    let operations = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut);
    for operation in operations {
        let Some(access) = operation
            .get("operationId")
            .and_then(Value::as_str)
            .and_then(access_of)
        else {
            continue;
        };
        let roles = roles(access);
        let line = format!("Roles: {}.", roles.join(", "));
        let description = match operation.get("description").and_then(Value::as_str) {
            Some(text) => format!("{text}\n\n{line}"),
            None => line,
        };
        operation.insert("description".into(), Value::String(description));
        operation.insert("x-kedai-roles".into(), roles.into());
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_owned())
}
