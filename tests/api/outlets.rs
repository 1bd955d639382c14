use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app};

#[tokio::test]
async fn owners_create_outlets_with_defaults() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let response = app
        .post(
            "/outlets",
            Some(&owner),
            &json!({"name": "  Warung Pusat  "}),
        )
        .await;
    let outlet = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(outlet["name"], "Warung Pusat");
    assert_eq!(outlet["currency"], "IDR");
    assert_eq!(outlet["service_charge_bp"], 0);
    assert_eq!(outlet["tax_bp"], 0);
    assert_eq!(outlet["qr_self_service"], false);
    assert_eq!(outlet["timezone"], "Asia/Jakarta");

    let id = outlet["id"].as_str().unwrap();
    let response = app
        .patch(
            &format!("/outlets/{id}"),
            Some(&owner),
            &json!({"tax_bp": 1100, "service_charge_bp": 500}),
        )
        .await;
    let outlet = expect_json(response, StatusCode::OK).await;
    assert_eq!(outlet["tax_bp"], 1100);
    assert_eq!(outlet["service_charge_bp"], 500);
}

#[tokio::test]
async fn outlet_settings_are_validated() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "A", "tax_bp": 10001}),
        json!({"name": "A", "service_charge_bp": -1}),
        json!({"name": "A", "currency": "RP"}),
        json!({"name": "A", "timezone": "Mars/Olympus"}),
    ] {
        expect_problem(
            app.post("/outlets", Some(&owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
    }
    let listed = expect_json(app.get("/outlets", Some(&owner)).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn staff_see_only_their_outlet_and_only_admins_edit_it() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (_, manager) = app.staff(&owner, "manager1", Role::Manager, pusat).await;
    let (_, kasir) = app.staff(&owner, "kasir1", Role::Kasir, pusat).await;

    let listed = expect_json(app.get("/outlets", Some(&kasir)).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    expect_json(
        app.get(&format!("/outlets/{pusat}"), Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.get(&format!("/outlets/{cabang}"), Some(&kasir)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;

    let rename = json!({"name": "Pusat Baru"});
    expect_problem(
        app.patch(&format!("/outlets/{pusat}"), Some(&kasir), &rename)
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
    expect_json(
        app.patch(&format!("/outlets/{pusat}"), Some(&manager), &rename)
            .await,
        StatusCode::OK,
    )
    .await;
    expect_problem(
        app.patch(&format!("/outlets/{cabang}"), Some(&manager), &rename)
            .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_problem(
        app.post("/outlets", Some(&manager), &json!({"name": "Mine"}))
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;
}
