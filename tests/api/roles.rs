//! The role rules of the README's API conventions, route by route, and 401 for every protected route.

use kedai::auth::{Action, Role, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{expect_json, id_of, spawn_app, TestApp};
use crate::openapi::{committed_spec, PUBLIC_OPERATIONS};

const ROLES: [Role; 5] = [
    Role::Owner,
    Role::Manager,
    Role::Kasir,
    Role::Waiter,
    Role::Kitchen,
];

struct Fixture {
    outlet: Uuid,
    table: Uuid,
    category: Uuid,
    product: Uuid,
    group: Uuid,
    tokens: Vec<(Role, String)>,
    owner: String,
}

async fn add_group(app: &TestApp, token: &str, product: Uuid, name: &str) -> Uuid {
    let body = json!({"name": name, "options": [{"name": "O"}]});
    let response = app
        .post(
            &format!("/products/{product}/modifier-groups"),
            Some(token),
            &body,
        )
        .await;
    id_of(&expect_json(response, StatusCode::CREATED).await)
}

async fn fixture(app: &TestApp) -> Fixture {
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let table = app.create_table(&owner, outlet, "T").await.0;
    let category = app.create_category(&owner, outlet, "C", 0).await;
    let product = app.create_product(&owner, outlet, "P", 1000).await;
    let group = add_group(app, &owner, product, "G").await;
    let mut tokens = vec![(Role::Owner, owner.clone())];
    for role in &ROLES[1..] {
        let name = format!("staff-{}", role.as_str().to_lowercase());
        tokens.push((*role, app.staff(&owner, &name, *role, outlet).await.1));
    }
    Fixture {
        outlet,
        table,
        category,
        product,
        group,
        tokens,
        owner,
    }
}

#[tokio::test]
async fn setup_routes_follow_the_role_table() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    const ADMIN: [u16; 5] = [200, 200, 403, 403, 403];
    const ADMIN_CREATE: [u16; 5] = [201, 201, 403, 403, 403];
    const EVERYONE: [u16; 5] = [200, 200, 200, 200, 200];
    const AVAILABILITY: [u16; 5] = [200, 200, 200, 403, 200];
    let cases: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (
            Method::GET,
            format!("/outlets/{}", f.outlet),
            None,
            EVERYONE,
        ),
        (
            Method::PATCH,
            format!("/outlets/{}", f.outlet),
            Some(json!({"tax_bp": 1000})),
            ADMIN,
        ),
        (
            Method::POST,
            "/outlets".into(),
            Some(json!({"name": "New {role}"})),
            [201, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/users".into(),
            None,
            [200, 200, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/outlets/{}/tables", f.outlet),
            None,
            EVERYONE,
        ),
        (
            Method::POST,
            format!("/outlets/{}/tables", f.outlet),
            Some(json!({"name": "T {role}"})),
            ADMIN_CREATE,
        ),
        (
            Method::PATCH,
            format!("/tables/{}", f.table),
            Some(json!({"capacity": 6})),
            ADMIN,
        ),
        (
            Method::POST,
            format!("/tables/{}/rotate-qr", f.table),
            Some(json!({})),
            ADMIN,
        ),
        (
            Method::GET,
            format!("/tables/{}/qr.svg", f.table),
            None,
            EVERYONE,
        ),
        (
            Method::GET,
            format!("/outlets/{}/categories", f.outlet),
            None,
            EVERYONE,
        ),
        (
            Method::POST,
            format!("/outlets/{}/categories", f.outlet),
            Some(json!({"name": "C {role}"})),
            ADMIN_CREATE,
        ),
        (
            Method::PATCH,
            format!("/categories/{}", f.category),
            Some(json!({"sort": 3})),
            ADMIN,
        ),
        (
            Method::GET,
            format!("/outlets/{}/products", f.outlet),
            None,
            EVERYONE,
        ),
        (
            Method::GET,
            format!("/products/{}", f.product),
            None,
            EVERYONE,
        ),
        (
            Method::POST,
            format!("/outlets/{}/products", f.outlet),
            Some(json!({"name": "P {role}", "price": 1})),
            ADMIN_CREATE,
        ),
        (
            Method::PATCH,
            format!("/products/{}", f.product),
            Some(json!({"price": 2000})),
            ADMIN,
        ),
        (
            Method::PATCH,
            format!("/products/{}", f.product),
            Some(json!({"available": true})),
            AVAILABILITY,
        ),
        (
            Method::POST,
            format!("/products/{}/modifier-groups", f.product),
            Some(json!({"name": "G {role}", "options": [{"name": "O"}]})),
            ADMIN_CREATE,
        ),
        (
            Method::PATCH,
            format!("/modifier-groups/{}", f.group),
            Some(json!({"sort": 1})),
            ADMIN,
        ),
        (
            Method::GET,
            format!("/menu?outlet_id={}", f.outlet),
            None,
            EVERYONE,
        ),
    ];
    for (method, path, body, expected) in cases {
        for ((role, token), want) in f.tokens.iter().zip(expected) {
            let mut request = app.request(method.clone(), &path, Some(token));
            if let Some(body) = &body {
                let body = body.to_string().replace("{role}", role.as_str());
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status().as_u16(),
                want,
                "{} {method} {path}",
                role.as_str()
            );
        }
    }
}

#[tokio::test]
async fn only_admins_delete_setup_items() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    for (role, token) in &f.tokens {
        let want = if Action::ManageTables.allows(Who::Staff(*role)) {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::FORBIDDEN
        };
        let suffix = role.as_str();
        let name = format!("D {suffix}");
        let table = app.create_table(&f.owner, f.outlet, &name).await.0;
        let category = app.create_category(&f.owner, f.outlet, &name, 0).await;
        let product = app.create_product(&f.owner, f.outlet, "D", 1).await;
        let group = add_group(&app, &f.owner, product, "D").await;
        for path in [
            format!("/tables/{table}"),
            format!("/categories/{category}"),
            format!("/modifier-groups/{group}"),
            format!("/products/{product}"),
        ] {
            let response = app.delete(&path, Some(token)).await;
            assert_eq!(response.status(), want, "{suffix} DELETE {path}");
        }
    }
}

#[tokio::test]
async fn every_protected_route_is_401_without_a_token() {
    let app = spawn_app().await;
    let spec = committed_spec();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if PUBLIC_OPERATIONS.contains(&operation["operationId"].as_str().unwrap()) {
                continue;
            }
            // Any id will do: authentication comes before everything else.
            let concrete: String = path
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        Uuid::now_v7().to_string()
                    } else {
                        part.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{method} {path}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} protected operations found");
}

async fn takeaway(app: &TestApp, token: &str, outlet: Uuid, product: Uuid) -> String {
    let body = json!({"outlet_id": outlet, "items": [{"product_id": product, "quantity": 1}]});
    app.order(token, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Pays the order's 1000 by QRIS; returns the payment's id.
async fn pay_in_full(app: &TestApp, token: &str, order: String) -> String {
    let body = json!({"method": "QRIS", "amount": 1000});
    let payment = app
        .post(&format!("/orders/{order}/payments"), Some(token), &body)
        .await;
    expect_json(payment, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Where a refusal is "not found": other outlets, and other people's accounts for those who
/// may not see staff, are hidden rather than forbidden.
fn hidden_from(action: Action, who: Who) -> bool {
    who != Who::Guest
        && match action {
            Action::SeeAllOutlets => true,
            Action::MoveStaff => !Action::ViewStaff.allows(who),
            _ => false,
        }
}

/// Every action of the permission table, tried by a guest and by every role through one
/// representative operation: allowed → anything but 403; refused → 403 (404 where
/// `hidden_from` says so). Refused callers go
/// first, so the state the allowed ones change cannot hide a refusal.
#[tokio::test]
async fn every_action_of_the_permission_table_holds_on_the_live_api() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let owner = &f.owner;
    let outlet = f.outlet;
    let other_outlet = app.create_outlet(owner, "Cabang").await;
    let guest_session = app.open_table(owner, f.table).await;
    let guest = guest_session["token"].as_str().unwrap().to_owned();
    let guest_session = id_of(&guest_session);
    let calls = format!("/table-sessions/{guest_session}/requests");
    let bill_call = app
        .post(&calls, Some(&guest), &json!({"kind": "BILL"}))
        .await;
    let bill_call = id_of(&expect_json(bill_call, StatusCode::CREATED).await);
    let (target, _) = app.staff(owner, "target-kasir", Role::Kasir, outlet).await;
    let (_, second_cashier) = app.staff(owner, "kasir-two", Role::Kasir, outlet).await;
    let shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&second_cashier),
            &json!({"outlet_id": outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let new_order = || takeaway(&app, owner, outlet, f.product);
    let pay = |order: String| pay_in_full(&app, owner, order);
    let (advance, complete, void_unpaid, payable) = (
        new_order().await,
        new_order().await,
        new_order().await,
        new_order().await,
    );
    let refunded = new_order().await;
    let refunded_payment = pay(refunded.clone()).await;
    expect_json(
        app.post(
            &format!("/payments/{refunded_payment}/refund"),
            Some(owner),
            &json!({"reason": "setup"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let refundable = pay(new_order().await).await;
    let ten = json!({"outlet_id": outlet, "items": [{"product_id": f.product, "quantity": 10}]});
    let (fresh, accepted) = (app.order(owner, &ten).await, app.order(owner, &ten).await);
    app.set_status(
        owner,
        accepted["id"].as_str().unwrap(),
        &json!({"status": "ACCEPTED"}),
    )
    .await;
    let void_path = |order: &Value| {
        format!(
            "/orders/{}/items/{}/void",
            order["id"].as_str().unwrap(),
            order["items"][0]["id"].as_str().unwrap()
        )
    };
    let mut sessions = Vec::new();
    for name in ["Close", "Force", "Open", "Moved", "Merging", "Merged"] {
        let (table, _) = app.create_table(owner, outlet, name).await;
        let session = if name == "Open" {
            table
        } else {
            id_of(&app.open_table(owner, table).await)
        };
        sessions.push(session);
    }
    let (close_session, force_session, open_table) = (sessions[0], sessions[1], sessions[2]);
    let (moved_session, merging, merged) = (sessions[3], sessions[4], sessions[5]);
    let (free_table, _) = app.create_table(owner, outlet, "Free").await;
    let discounted = app.order(owner, &ten).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let split = app.order(owner, &ten).await;
    let split_path = format!("/orders/{}/split", split["id"].as_str().unwrap());
    let split_item = split["items"][0]["id"].as_str().unwrap().to_owned();

    // A printer nothing listens on (port 1 of loopback): its test page stays queued.
    let printer = expect_json(
        app.post(
            &format!("/outlets/{outlet}/printers"),
            Some(owner),
            &json!({"name": "Nowhere", "kind": "RECEIPT", "address": "127.0.0.1:1"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let printer = printer["id"].as_str().unwrap().to_owned();
    let queued_job = expect_json(
        app.post(
            &format!("/printers/{printer}/test"),
            Some(owner),
            &json!({}),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;

    let cases: Vec<(Action, Method, String, Option<Value>)> = vec![
        (
            Action::Read,
            Method::GET,
            format!("/menu?outlet_id={outlet}"),
            None,
        ),
        (
            Action::ReadFloor,
            Method::GET,
            format!("/outlets/{outlet}/tables"),
            None,
        ),
        (
            Action::SeeAllOutlets,
            Method::GET,
            format!("/outlets/{other_outlet}"),
            None,
        ),
        (
            Action::CreateOutlet,
            Method::POST,
            "/outlets".into(),
            Some(json!({"name": "O {who}"})),
        ),
        (
            Action::EditOutlet,
            Method::PATCH,
            format!("/outlets/{outlet}"),
            Some(json!({"tax_bp": 1000})),
        ),
        (Action::ViewStaff, Method::GET, "/users".into(), None),
        (
            Action::ManageFloorStaff,
            Method::POST,
            "/auth/register".into(),
            Some(
                json!({"username": "k-{who}", "password": "long-password-1", "role": "KASIR", "outlet_id": outlet}),
            ),
        ),
        (
            Action::ManageAdmins,
            Method::POST,
            "/auth/register".into(),
            Some(
                json!({"username": "m-{who}", "password": "long-password-1", "role": "MANAGER", "outlet_id": outlet}),
            ),
        ),
        (
            Action::MoveStaff,
            Method::PATCH,
            format!("/users/{target}"),
            Some(json!({"outlet_id": other_outlet})),
        ),
        (
            Action::ManageTables,
            Method::POST,
            format!("/outlets/{outlet}/tables"),
            Some(json!({"name": "T {who}"})),
        ),
        (
            Action::ManageMenu,
            Method::POST,
            format!("/outlets/{outlet}/categories"),
            Some(json!({"name": "C {who}"})),
        ),
        (
            Action::SetAvailability,
            Method::PATCH,
            format!("/products/{}", f.product),
            Some(json!({"available": true})),
        ),
        (
            Action::OpenTable,
            Method::POST,
            "/table-sessions".into(),
            Some(json!({"table_id": open_table})),
        ),
        (
            Action::CloseTable,
            Method::POST,
            format!("/table-sessions/{close_session}/close"),
            Some(json!({})),
        ),
        (
            Action::ForceCloseTable,
            Method::POST,
            format!("/table-sessions/{force_session}/close"),
            Some(json!({"force": true, "reason": "test"})),
        ),
        (
            Action::PlaceOrder,
            Method::POST,
            "/orders".into(),
            Some(json!({"outlet_id": outlet, "items": [{"product_id": f.product, "quantity": 1}]})),
        ),
        (
            Action::AdvanceOrder,
            Method::PATCH,
            format!("/orders/{advance}/status"),
            Some(json!({"status": "ACCEPTED"})),
        ),
        (
            Action::CompleteOrder,
            Method::PATCH,
            format!("/orders/{complete}/status"),
            Some(json!({"status": "DONE"})),
        ),
        (
            Action::VoidUnpaidOrder,
            Method::PATCH,
            format!("/orders/{void_unpaid}/status"),
            Some(json!({"status": "VOIDED", "reason": "test"})),
        ),
        (
            Action::VoidOrder,
            Method::PATCH,
            format!("/orders/{refunded}/status"),
            Some(json!({"status": "VOIDED", "reason": "test"})),
        ),
        (
            Action::VoidItem,
            Method::POST,
            void_path(&fresh),
            Some(json!({"quantity": 1, "reason": "test"})),
        ),
        (
            Action::VoidItemAfterKitchen,
            Method::POST,
            void_path(&accepted),
            Some(json!({"quantity": 1, "reason": "test", "comp": true})),
        ),
        (
            // Taking back a discount that is not there: allowed callers get 404.
            Action::GiveDiscount,
            Method::DELETE,
            format!("/orders/{discounted}/discounts/{}", uuid::Uuid::now_v7()),
            None,
        ),
        (
            // The outlet's cap is 0, so any discount is above it.
            Action::DiscountOverCap,
            Method::POST,
            format!("/orders/{discounted}/discounts"),
            Some(json!({"kind": "PERCENT", "value": 100, "reason": "test"})),
        ),
        (
            Action::SplitOrder,
            Method::POST,
            split_path,
            Some(json!({"items": [{"item_id": split_item, "quantity": 1}]})),
        ),
        (
            // The first allowed caller moves it; the rest find it there (400).
            Action::MoveTable,
            Method::POST,
            format!("/table-sessions/{moved_session}/move"),
            Some(json!({"table_id": free_table})),
        ),
        (
            Action::KeepDrawer,
            Method::POST,
            "/shifts/open".into(),
            Some(json!({"outlet_id": outlet, "start_cash": 0})),
        ),
        (
            Action::TakePayment,
            Method::POST,
            format!("/orders/{payable}/payments"),
            Some(json!({"method": "QRIS", "amount": 1})),
        ),
        (
            Action::ManageShifts,
            Method::POST,
            "/shifts/close".into(),
            Some(json!({"shift_id": shift["id"], "end_cash": 0})),
        ),
        (
            Action::Refund,
            Method::POST,
            format!("/payments/{refundable}/refund"),
            Some(json!({"reason": "test"})),
        ),
        (
            Action::ViewReports,
            Method::GET,
            format!("/reports/sales?outlet_id={outlet}"),
            None,
        ),
        (
            Action::ManagePrinters,
            Method::POST,
            format!("/outlets/{outlet}/printers"),
            Some(
                json!({"name": "P {who}", "kind": "KITCHEN", "address": "127.0.0.1:1", "active": false}),
            ),
        ),
        (
            Action::PrintBill,
            Method::POST,
            format!("/orders/{payable}/print"),
            Some(json!({"kind": "BILL"})),
        ),
        (
            Action::OpenDrawer,
            Method::POST,
            format!("/printers/{printer}/open-drawer"),
            None,
        ),
        (
            Action::ManageDevices,
            Method::GET,
            format!("/outlets/{outlet}/devices"),
            None,
        ),
        (
            Action::ViewAudit,
            Method::GET,
            format!("/audit?outlet_id={outlet}"),
            None,
        ),
        (
            Action::CallStaff,
            Method::POST,
            calls.clone(),
            Some(json!({"kind": "CALL_WAITER"})),
        ),
        (
            Action::AnswerGuest,
            Method::POST,
            format!("/guest-requests/{bill_call}/ack"),
            None,
        ),
        (
            Action::RetryPrint,
            Method::POST,
            format!("/print-jobs/{}/retry", queued_job["id"].as_str().unwrap()),
            None,
        ),
    ];
    // Merging is the same action as moving; it is checked once more here by a refused role.
    let kitchen = f
        .tokens
        .iter()
        .find(|(role, _)| *role == Role::Kitchen)
        .map(|(_, token)| token.as_str())
        .unwrap();
    let merge = app
        .post(
            &format!("/table-sessions/{merging}/merge"),
            Some(kitchen),
            &json!({"session_id": merged}),
        )
        .await;
    assert_eq!(merge.status(), StatusCode::FORBIDDEN);
    for action in Action::ALL {
        assert!(
            cases.iter().any(|(a, ..)| *a == action),
            "{action:?} has no case: add one"
        );
    }

    // Refused callers first (the table's order is owner first).
    let mut callers: Vec<(Who, &str)> = vec![(Who::Guest, guest.as_str())];
    callers.extend(
        f.tokens
            .iter()
            .rev()
            .map(|(role, t)| (Who::Staff(*role), t.as_str())),
    );
    for (action, method, path, body) in &cases {
        let mut order = callers.clone();
        order.sort_by_key(|(who, _)| action.allows(*who));
        for (who, token) in order {
            let mut request = app.request(method.clone(), path, Some(token));
            if let Some(body) = body {
                let body = body.to_string().replace("{who}", who.as_str());
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let status = request.send().await.unwrap().status().as_u16();
            let context = format!("{action:?} by {}: {method} {path} → {status}", who.as_str());
            if action.allows(who) {
                assert_ne!(status, 403, "{context}");
                assert!(status < 500, "{context}");
            } else if hidden_from(*action, who) {
                assert_eq!(status, 404, "{context}");
            } else {
                assert_eq!(status, 403, "{context}");
            }
        }
    }
}
