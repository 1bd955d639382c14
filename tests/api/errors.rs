//! Bad input never yields a 5xx: every failure is a problem+json 4xx, and changes nothing.

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{expect_json, expect_problem, spawn_app, TestApp};

async fn post_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.request(reqwest::Method::POST, path, token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn user_count(app: &TestApp, owner: &str) -> usize {
    let users = expect_json(app.get("/users", Some(owner)).await, StatusCode::OK).await;
    users["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn malformed_json_wrong_types_and_missing_fields_are_400() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.create_outlet(&owner, "Pusat").await;
    let bodies = [
        "{\"username\": \"kasir1\", \"password\": ",
        "not json at all",
        "{\"username\": 42, \"password\": \"strongpassword\", \"role\": \"KASIR\"}",
        "{\"username\": \"kasir1\", \"password\": [1,2], \"role\": \"KASIR\"}",
        "{\"password\": \"strongpassword\", \"role\": \"KASIR\"}",
        "{\"username\": \"kasir1\", \"password\": \"strongpassword\", \"role\": \"KASIR\", \"outlet_id\": \"not-a-uuid\"}",
        "[]",
        "null",
    ];
    for body in bodies {
        let response = post_raw(
            &app,
            "/auth/register",
            Some(&owner),
            "application/json",
            body,
        )
        .await;
        expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    }
    let response = app
        .patch("/outlets/not-a-uuid", Some(&owner), &json!({}))
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    assert_eq!(user_count(&app, &owner).await, 1);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_client_error() {
    let app = spawn_app().await;
    let response = post_raw(
        &app,
        "/auth/login",
        None,
        "text/plain",
        "username=a&password=b",
    )
    .await;
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let response = post_raw(
        &app,
        "/outlets",
        Some(&owner),
        "application/json",
        big.clone(),
    )
    .await;
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;

    // Chunked: no Content-Length for a size check to see.
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/outlets HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {owner}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in big.as_bytes().chunks(64 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // the server may answer and close before reading everything
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");

    let listed = expect_json(app.get("/outlets", Some(&owner)).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn overlong_strings_are_400_not_500() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let response = app
        .post(
            "/auth/login",
            None,
            &json!({"username": "u".repeat(5000), "password": "p".repeat(5000)}),
        )
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    let response = app
        .post(
            "/outlets",
            Some(&owner),
            &json!({"name": "n".repeat(10_000)}),
        )
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
}

/// The schema says `type: string`: a number or boolean is refused, never read as its text.
#[tokio::test]
async fn numbers_and_booleans_are_not_strings() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;

    for body in [
        json!({"name": 123}),
        json!({"name": true}),
        json!({"name": "Pusat", "currency": 360}),
        json!({"name": "Pusat", "timezone": false}),
    ] {
        let response = app.post("/outlets", Some(&owner), &body).await;
        let problem = expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("string"),
            "{problem}"
        );
    }
    let listed = expect_json(app.get("/outlets", Some(&owner)).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");

    // Optional fields of a patch too: the outlet keeps its name.
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let response = app
        .patch(
            &format!("/outlets/{outlet}"),
            Some(&owner),
            &json!({"name": false}),
        )
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    let kept = expect_json(
        app.get(&format!("/outlets/{outlet}"), Some(&owner)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["name"], "Pusat");

    // Read as text, each of these would have been a valid account.
    for body in [
        json!({"username": true, "password": "strongpassword", "role": "KASIR"}),
        json!({"username": 12345678, "password": "strongpassword", "role": "KASIR"}),
        json!({"username": "kasir1", "password": 123456789, "role": "KASIR"}),
    ] {
        let response = app.post("/auth/register", Some(&owner), &body).await;
        expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    }
    assert_eq!(user_count(&app, &owner).await, 1);

    let response = app
        .post(
            "/auth/login",
            None,
            &json!({"username": true, "password": "owner-password"}),
        )
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
}

#[tokio::test]
async fn schema_rules_are_400_naming_the_field_in_words() {
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let cases = [
        (
            "/orders",
            json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 0}]}),
            "quantity",
            "quantity must be at least 1",
        ),
        (
            "/outlets",
            json!({"name": "Cabang", "tax_bp": 10_001}),
            "tax_bp",
            "tax_bp must be at most 10000",
        ),
        (
            "/outlets",
            json!({"name": ""}),
            "name",
            "name must not be empty",
        ),
        (
            &format!("/outlets/{}/products", shop.outlet),
            json!({"name": "Es teh", "price": -1}),
            "price",
            "price must be at least 0",
        ),
    ];
    for (path, body, field, detail) in cases {
        let problem = expect_problem(
            app.post(path, Some(&shop.owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(problem["field"], field, "{body}");
        assert_eq!(problem["detail"], detail, "{body}");
    }
    // Nothing was created.
    let outlets = expect_json(app.get("/outlets", Some(&shop.owner)).await, StatusCode::OK).await;
    assert_eq!(outlets["items"].as_array().unwrap().len(), 1);
    let orders = expect_json(
        app.get(
            &format!("/orders?outlet_id={}", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(orders["items"].as_array().unwrap().is_empty());
}
