use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, spawn_app, TestApp};

/// Decodes a PNG QR code with a reader independent of the encoder.
pub(crate) fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    grids[0].decode().expect("decodable").1
}

async fn qr_png(app: &TestApp, token: &str, table: impl std::fmt::Display) -> Vec<u8> {
    let response = app
        .get(&format!("/tables/{table}/qr.png"), Some(token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_tables_qr_code_decodes_to_its_public_url() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let response = app
        .post(
            &format!("/outlets/{outlet}/tables"),
            Some(&owner),
            &json!({"name": "Meja 1", "capacity": 4}),
        )
        .await;
    let table = expect_json(response, StatusCode::CREATED).await;
    let slug = table["qr_slug"].as_str().unwrap();
    assert!(slug.len() >= 22, "at least 128 bits: {slug}");
    assert!(
        slug.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "URL-safe: {slug}"
    );
    let expected = format!("{}/t/{slug}", app.address);
    assert_eq!(table["qr_url"], expected);

    let id = table["id"].as_str().unwrap();
    assert_eq!(decode_qr(&qr_png(&app, &owner, id).await), expected);

    let svg = app.get(&format!("/tables/{id}/qr.svg"), Some(&owner)).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
}

#[tokio::test]
async fn rotating_the_qr_replaces_the_slug() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (id, old_slug) = app.create_table(&owner, outlet, "Meja 1").await;

    let rotated = expect_json(
        app.post(&format!("/tables/{id}/rotate-qr"), Some(&owner), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let new_slug = rotated["qr_slug"].as_str().unwrap();
    assert_ne!(new_slug, old_slug);
    assert_eq!(
        decode_qr(&qr_png(&app, &owner, id).await),
        format!("{}/t/{new_slug}", app.address)
    );
    let listed = expect_json(
        app.get(&format!("/outlets/{outlet}/tables"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !listed.to_string().contains(&old_slug),
        "the old slug is gone"
    );
}

#[tokio::test]
async fn table_names_are_unique_per_outlet_and_unicode_safe() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let name = "Teras 🌴 Meja № 1";
    let created = expect_json(
        app.post(
            &format!("/outlets/{pusat}/tables"),
            Some(&owner),
            &json!({"name": name}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["name"], name);
    assert_eq!(created["capacity"], 4);
    let fetched = expect_json(
        app.get(
            &format!("/tables/{}", created["id"].as_str().unwrap()),
            Some(&owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fetched["name"], name);

    let duplicate = app
        .post(
            &format!("/outlets/{pusat}/tables"),
            Some(&owner),
            &json!({"name": name}),
        )
        .await;
    expect_problem(duplicate, StatusCode::CONFLICT, "TABLE_NAME_TAKEN").await;
    expect_json(
        app.post(
            &format!("/outlets/{cabang}/tables"),
            Some(&owner),
            &json!({"name": name}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let (other, _) = app.create_table(&owner, pusat, "Meja 2").await;
    let rename = app
        .patch(
            &format!("/tables/{other}"),
            Some(&owner),
            &json!({"name": name}),
        )
        .await;
    expect_problem(rename, StatusCode::CONFLICT, "TABLE_NAME_TAKEN").await;
}

#[tokio::test]
async fn table_input_is_validated() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let path = format!("/outlets/{outlet}/tables");
    for body in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "Meja", "capacity": 0}),
        json!({"name": "Meja", "capacity": 101}),
        json!({"name": "Meja", "capacity": 2.5}),
        json!({"capacity": 4}),
    ] {
        expect_problem(
            app.post(&path, Some(&owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
    }
    expect_problem(
        app.post(
            "/outlets/not-a-uuid/tables",
            Some(&owner),
            &json!({"name": "A"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    let unknown = app
        .post(
            &format!("/outlets/{}/tables", uuid::Uuid::now_v7()),
            Some(&owner),
            &json!({"name": "A"}),
        )
        .await;
    expect_problem(unknown, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let listed = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn tables_list_page_and_filter_and_delete() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let mut ids = Vec::new();
    for i in 1..=5 {
        ids.push(
            app.create_table(&owner, outlet, &format!("Meja {i}"))
                .await
                .0,
        );
    }
    let first = expect_json(
        app.get(&format!("/outlets/{outlet}/tables?limit=3"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = expect_json(
        app.get(
            &format!("/outlets/{outlet}/tables?limit=3&cursor={cursor}"),
            Some(&owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert!(second["next_cursor"].is_null());

    expect_json(
        app.patch(
            &format!("/tables/{}", ids[0]),
            Some(&owner),
            &json!({"active": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let inactive = expect_json(
        app.get(
            &format!("/outlets/{outlet}/tables?active=false"),
            Some(&owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inactive["items"].as_array().unwrap().len(), 1);

    let deleted = app
        .delete(&format!("/tables/{}", ids[1]), Some(&owner))
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    expect_problem(
        app.get(&format!("/tables/{}", ids[1]), Some(&owner)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn another_outlets_tables_do_not_exist_for_a_manager() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let a = app.create_outlet(&owner, "A").await;
    let b = app.create_outlet(&owner, "B").await;
    let (table, _) = app.create_table(&owner, a, "Meja 1").await;
    let (_, manager_b) = app.staff(&owner, "manager-b", Role::Manager, b).await;

    for path in [
        format!("/outlets/{a}"),
        format!("/outlets/{a}/tables"),
        format!("/tables/{table}"),
        format!("/tables/{table}/qr.png"),
        format!("/tables/{table}/qr.svg"),
    ] {
        expect_problem(
            app.get(&path, Some(&manager_b)).await,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        )
        .await;
    }
    let rename = app
        .patch(
            &format!("/tables/{table}"),
            Some(&manager_b),
            &json!({"name": "Mine"}),
        )
        .await;
    expect_problem(rename, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let rotate = app
        .post(
            &format!("/tables/{table}/rotate-qr"),
            Some(&manager_b),
            &json!({}),
        )
        .await;
    expect_problem(rotate, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let create = app
        .post(
            &format!("/outlets/{a}/tables"),
            Some(&manager_b),
            &json!({"name": "Sneaky"}),
        )
        .await;
    expect_problem(create, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}
