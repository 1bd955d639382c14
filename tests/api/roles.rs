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
