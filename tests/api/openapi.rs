use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{expect_json, spawn_app};

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

/// Operations anyone may call without a token.
pub const PUBLIC_OPERATIONS: [&str; 11] = [
    "ping",
    "health",
    "login",
    "register",
    "validate_table_session",
    "scan_table_qr",
    "get_receipt",
    "pin_login",
    "device_lock_screen",
    "setup_state",
    "get_product_image",
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

/// Limits are defined once, as constants; poem-openapi needs literals in its validators, so
/// every number the spec states for a known field must equal its constant.
#[tokio::test]
async fn the_specs_limits_are_the_services_constants() {
    use kedai::{
        auth::password::MAX_PASSWORD_LEN,
        service::{
            orders::{MAX_ITEMS, MAX_QUANTITY},
            outlets::MAX_BASIS_POINTS,
            printers::MAX_ADDRESS_LEN,
            products::{MAX_DESCRIPTION_LEN, MAX_OPTIONS},
            tables::MAX_CAPACITY,
            MAX_AMOUNT, MAX_NAME_LEN, MAX_NOTE_LEN, MAX_PAGE_LIMIT,
        },
    };
    let as_u64 = |n: usize| u64::try_from(n).unwrap();
    let expected = |schema: &str, field: &str, keyword: &str| -> Option<u64> {
        Some(match (field, keyword) {
            // A printer's address is host:port, not a street.
            ("address", "maxLength") if schema.contains("Printer") => as_u64(MAX_ADDRESS_LEN),
            ("name", "maxLength") => as_u64(MAX_NAME_LEN),
            ("note" | "reason" | "address", "maxLength") => as_u64(MAX_NOTE_LEN),
            ("description", "maxLength") => as_u64(MAX_DESCRIPTION_LEN),
            ("password" | "current_password", "maxLength") => as_u64(MAX_PASSWORD_LEN),
            ("price" | "amount" | "tendered" | "start_cash" | "end_cash", "maximum") => {
                u64::try_from(MAX_AMOUNT).unwrap()
            }
            ("service_charge_bp" | "tax_bp", "maximum") => u64::try_from(MAX_BASIS_POINTS).unwrap(),
            ("quantity", "maximum") => u64::try_from(MAX_QUANTITY).unwrap(),
            ("capacity", "maximum") => u64::try_from(MAX_CAPACITY).unwrap(),
            ("items", "maxItems") => as_u64(MAX_ITEMS),
            ("options" | "modifier_option_ids", "maxItems") => as_u64(MAX_OPTIONS),
            _ => return None,
        })
    };
    let spec = committed_spec();
    let mut checked = 0;
    let mut check = |field: &str, schema: &Value, context: &str| {
        for keyword in ["maxLength", "maximum", "maxItems"] {
            // The spec writes numbers as floats (200.0).
            let (Some(stated), Some(wanted)) =
                (schema[keyword].as_f64(), expected(context, field, keyword))
            else {
                continue;
            };
            assert_eq!(stated, wanted as f64, "{context}.{field} {keyword}");
            checked += 1;
        }
    };
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            check(field, property, name);
        }
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if name == "limit" && !path.starts_with("/events") {
                    let stated = parameter["schema"]["maximum"].as_f64();
                    assert_eq!(stated, Some(MAX_PAGE_LIMIT as f64), "{path} limit");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} limits found in the spec");
}
