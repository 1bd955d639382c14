//! Text inputs: control and direction characters are refused everywhere with a 400 naming the
//! field (on SQLite and PostgreSQL alike), and names are stored in one canonical form.

use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::helpers::{expect_json, expect_problem, spawn_app};

/// Characters no text input may carry (a line break is allowed in notes).
const FORBIDDEN: [char; 8] = [
    '\u{0}', '\u{7}', '\t', '\u{1B}', '\u{7F}', '\u{85}', '\u{202E}', '\u{2067}',
];

/// The schema `schema` stands for, with `$ref`s and single-entry `allOf`s followed.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return resolve(spec, &spec["components"]["schemas"][name]);
    }
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[combinator].as_array().and_then(|all| all.first()) {
            return resolve(spec, first);
        }
    }
    schema
}

/// A value of `schema`, with `bad` in place of the string at `target` (a dotted field path)
/// when the walk reaches it; `strings` collects every string field's path.
fn example(
    spec: &Value,
    schema: &Value,
    path: &str,
    target: &str,
    bad: &str,
    strings: &mut Vec<String>,
) -> Value {
    let schema = resolve(spec, schema);
    match schema["type"].as_str() {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            for (name, field) in schema["properties"].as_object().unwrap() {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                object.insert(
                    name.clone(),
                    example(spec, field, &inner, target, bad, strings),
                );
            }
            Value::Object(object)
        }
        Some("array") => json!([example(spec, &schema["items"], path, target, bad, strings)]),
        Some("string") => {
            strings.push(path.to_owned());
            if path == target {
                return json!(bad);
            }
            if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
                return first.clone();
            }
            match schema["format"].as_str() {
                Some("uuid") => json!(uuid::Uuid::nil()),
                Some("date") => json!("2026-01-01"),
                Some("date-time") => json!("2026-01-01T00:00:00Z"),
                _ => json!("x".repeat(schema["minLength"].as_u64().unwrap_or(1) as usize)),
            }
        }
        Some("integer") => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}

fn path_with_ids(template: &str) -> String {
    template
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                uuid::Uuid::nil().to_string()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn control_characters_in_any_text_field_are_refused_with_400() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let spec = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;
    let mut checked = 0;
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let path = path_with_ids(template);
            // Every string field of the body, one at a time, each forbidden character.
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                let schema = &content.values().next().unwrap()["schema"];
                let mut fields = Vec::new();
                example(&spec, schema, "", "", "", &mut fields);
                for (i, field) in fields.iter().enumerate() {
                    let bad = format!("Meja{}1", FORBIDDEN[i % FORBIDDEN.len()]);
                    let body = example(&spec, schema, "", field, &bad, &mut Vec::new());
                    let response = app
                        .request(method.clone(), &path, Some(&token))
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    let problem =
                        expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED")
                            .await;
                    assert_eq!(problem["field"], *field, "{method} {template}: {problem}");
                    checked += 1;
                }
            }
            // Every query parameter.
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] != "query" {
                    continue;
                }
                let name = parameter["name"].as_str().unwrap();
                let response = app
                    .request(
                        method.clone(),
                        &format!("{path}?{name}=a%00b"),
                        Some(&token),
                    )
                    .send()
                    .await
                    .unwrap();
                let problem =
                    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
                assert_eq!(problem["field"], name, "{method} {template}: {problem}");
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} inputs were tried");
    // Nothing was created on the way.
    let outlets = expect_json(app.get("/outlets", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(outlets["items"], json!([]));
}

#[tokio::test]
async fn unauthenticated_entry_points_refuse_nul_before_the_database_sees_it() {
    // On PostgreSQL these answered 500: a text column cannot hold NUL.
    let app = spawn_app().await;
    let token = app.owner_token().await;
    for (path, body, field) in [
        (
            "/auth/login",
            json!({"username": "owner\u{0}", "password": "owner-password"}),
            "username",
        ),
        (
            "/table-sessions/scan",
            json!({"qr_slug": "ab\u{0}cd"}),
            "qr_slug",
        ),
        (
            "/table-sessions/validate",
            json!({"token": "ts_\u{0}"}),
            "token",
        ),
    ] {
        let problem = expect_problem(
            app.post(path, None, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(problem["field"], field, "{path}");
    }
    // The WebSocket's query token too, before any upgrade.
    let response = app
        .client
        .get(app.url("/ws?token=ts_%00"))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    // A note keeps its line breaks.
    let outlet = app.create_outlet(&token, "Pusat").await;
    let body = json!({"name": "Warung", "address": "Jl. Melati 1\r\nBandung"});
    let updated = expect_json(
        app.patch(&format!("/outlets/{outlet}"), Some(&token), &body)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["address"], "Jl. Melati 1\nBandung");
}

#[tokio::test]
async fn look_alike_and_invisible_names_are_one_name_or_refused() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let outlet = app.create_outlet(&token, "Pusat").await;
    let tables = format!("/outlets/{outlet}/tables");
    let created = expect_json(
        app.post(
            &tables,
            Some(&token),
            &json!({"name": "  Meja\u{00A0} 1\u{200B}"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["name"], "Meja 1");
    // The same name with a zero-width space, a byte-order mark or doubled spaces is taken.
    for name in ["Meja 1\u{200B}", "\u{FEFF}Meja 1", "Meja  1"] {
        let response = app
            .post(&tables, Some(&token), &json!({"name": name}))
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{name:?}");
    }
    // Composed and decomposed é are one name.
    let categories = format!("/outlets/{outlet}/categories");
    expect_json(
        app.post(&categories, Some(&token), &json!({"name": "Caf\u{E9}"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let response = app
        .post(&categories, Some(&token), &json!({"name": "Cafe\u{301}"}))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Names made of nothing visible, or holding line breaks or direction marks, are refused.
    for name in [
        "\u{200B}\u{200B}",
        "\u{200D}",
        "Meja\r\n2",
        "Meja\u{200F}2",
        "Meja\u{2028}2",
    ] {
        let problem = expect_problem(
            app.post(&tables, Some(&token), &json!({"name": name}))
                .await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(problem["field"], "name", "{name:?}");
    }
    let listed = expect_json(app.get(&tables, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
