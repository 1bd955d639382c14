use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{expect_json, spawn_app};

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

/// Operations anyone may call without a token.
pub const PUBLIC_OPERATIONS: [&str; 6] = [
    "ping",
    "health",
    "login",
    "register",
    "validate_table_session",
    "scan_table_qr",
];

pub fn committed_spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("openapi/openapi.json is missing; run `{REGENERATE}`"));
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

#[tokio::test]
async fn the_committed_spec_matches_the_served_one() {
    let app = spawn_app().await;
    let served = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;
    assert!(
        served == committed_spec(),
        "openapi/openapi.json differs from the served spec; run `{REGENERATE}` and commit it"
    );
}

#[tokio::test]
async fn every_operation_is_tagged_named_and_secured() {
    let spec = committed_spec();
    assert_eq!(spec["servers"][0]["url"], "/api/v1");
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} lacks operationId"));
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} lacks a tag"
            );
            if !PUBLIC_OPERATIONS.contains(&name) {
                let secured = operation["security"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
                assert!(secured, "{name} lacks the bearer security scheme");
                assert!(
                    operation["responses"].get("401").is_some(),
                    "{name} does not document 401"
                );
            }
        }
    }
}

/// Every operation says who may call it (`x-kedai-roles`, from the permission table), the
/// table names no operation that does not exist, and PUBLIC marks exactly the public ones.
#[tokio::test]
async fn every_operation_lists_its_roles_from_the_permission_table() {
    let spec = committed_spec();
    let known = [
        "PUBLIC", "GUEST", "OWNER", "MANAGER", "KASIR", "WAITER", "KITCHEN",
    ];
    let mut seen = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = operation["operationId"].as_str().unwrap();
            seen.push(name.to_owned());
            let roles: Vec<&str> = operation["x-kedai-roles"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} lacks x-kedai-roles"))
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            assert!(!roles.is_empty(), "{name} allows nobody");
            assert!(roles.iter().all(|r| known.contains(r)), "{name}: {roles:?}");
            assert_eq!(
                roles.contains(&"PUBLIC"),
                PUBLIC_OPERATIONS.contains(&name),
                "{name}: {roles:?}"
            );
            let access = kedai::api::access::access_of(name).unwrap();
            assert_eq!(roles, kedai::api::access::roles(access), "{name}");
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(&format!("Roles: {}.", roles.join(", ")))),
                "{name}'s description does not end with its roles"
            );
        }
    }
    for (name, _) in kedai::api::access::OPERATIONS {
        assert!(
            seen.iter().any(|s| s == name),
            "access.rs names {name}, which is not an operation"
        );
    }
}
