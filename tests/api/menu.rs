use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{expect_json, expect_problem, spawn_app, TestApp};

/// An owner token and an outlet.
async fn setup(app: &TestApp) -> (String, Uuid) {
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    (owner, outlet)
}

async fn create_product(app: &TestApp, token: &str, outlet: Uuid, body: Value) -> Value {
    expect_json(
        app.post(&format!("/outlets/{outlet}/products"), Some(token), &body)
            .await,
        StatusCode::CREATED,
    )
    .await
}

#[tokio::test]
async fn products_round_trip_with_unicode_and_categories() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let drinks = app.create_category(&owner, outlet, "Minuman 🥤", 2).await;
    let product = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Es Jeruk 🍊", "description": "Jeruk peras, gula aren", "price": 15000, "category_id": drinks}),
    )
    .await;
    assert_eq!(product["name"], "Es Jeruk 🍊");
    assert_eq!(product["price"], 15000);
    assert_eq!(product["available"], true);
    assert_eq!(product["category_id"], drinks.to_string());
    assert_eq!(product["modifier_groups"], json!([]));

    let id = product["id"].as_str().unwrap();
    let fetched = expect_json(
        app.get(&format!("/products/{id}"), Some(&owner)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fetched["name"], "Es Jeruk 🍊");
    assert_eq!(fetched["description"], "Jeruk peras, gula aren");

    let moved = app
        .patch(
            &format!("/products/{id}"),
            Some(&owner),
            &json!({"category_id": null, "price": 16000}),
        )
        .await;
    let moved = expect_json(moved, StatusCode::OK).await;
    assert!(moved["category_id"].is_null());
    assert_eq!(moved["price"], 16000);
}

#[tokio::test]
async fn bad_product_input_is_400_and_writes_nothing() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let other_outlet = app.create_outlet(&owner, "Cabang").await;
    let foreign_category = app
        .create_category(&owner, other_outlet, "Makanan", 0)
        .await;
    let path = format!("/outlets/{outlet}/products");
    for body in [
        json!({"name": "Nasi", "price": -1}),
        json!({"name": "Nasi", "price": 1.5}),
        json!({"name": "Nasi", "price": 1_000_000_000_001_i64}),
        json!({"name": "Nasi", "price": "15000"}),
        json!({"name": "Nasi", "price": 99_999_999_999_999_999_999.0}),
        json!({"name": "", "price": 1000}),
        json!({"name": "x".repeat(101), "price": 1000}),
        json!({"name": "Nasi", "price": 1000, "description": "d".repeat(501)}),
        json!({"name": "Nasi", "price": 1000, "category_id": "not-a-uuid"}),
        json!({"name": "Nasi", "price": 1000, "category_id": foreign_category}),
        json!({"name": "Nasi", "price": 1000, "category_id": Uuid::now_v7()}),
        json!({"name": "Nasi"}),
    ] {
        expect_problem(
            app.post(&path, Some(&owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
    }
    let listed = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    expect_problem(
        app.get("/products/not-a-uuid", Some(&owner)).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn kasir_and_kitchen_may_only_flip_availability() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let product = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Soto Ayam", "price": 25000}),
    )
    .await;
    let path = format!("/products/{}", product["id"].as_str().unwrap());

    for (name, role) in [("kasir1", Role::Kasir), ("kitchen1", Role::Kitchen)] {
        let (_, token) = app.staff(&owner, name, role, outlet).await;
        let sold_out = expect_json(
            app.patch(&path, Some(&token), &json!({"available": false}))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(sold_out["available"], false);
        expect_json(
            app.patch(&path, Some(&token), &json!({"available": true}))
                .await,
            StatusCode::OK,
        )
        .await;
        for body in [
            json!({"price": 1}),
            json!({"available": false, "name": "Free soup"}),
        ] {
            expect_problem(
                app.patch(&path, Some(&token), &body).await,
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
            )
            .await;
        }
    }
    let (_, waiter) = app.staff(&owner, "waiter1", Role::Waiter, outlet).await;
    expect_problem(
        app.patch(&path, Some(&waiter), &json!({"available": false}))
            .await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    let unchanged = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(unchanged["price"], 25000);
    assert_eq!(unchanged["name"], "Soto Ayam");
    assert_eq!(unchanged["available"], true);
}

#[tokio::test]
async fn modifier_groups_are_validated_and_edited_inline() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let product = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Mie Goreng", "price": 75000}),
    )
    .await;
    let product_id = product["id"].as_str().unwrap();
    let path = format!("/products/{product_id}/modifier-groups");
    let options =
        json!([{"name": "Mild", "price_delta": 0}, {"name": "Extra hot", "price_delta": 2000}]);
    for body in [
        json!({"name": "Spice", "min_select": 2, "max_select": 1, "options": options}),
        json!({"name": "Spice", "min_select": 0, "max_select": 3, "options": options}),
        json!({"name": "Spice", "min_select": -1, "max_select": 1, "options": options}),
        json!({"name": "Spice", "min_select": 0, "max_select": 1, "options": []}),
        json!({"name": "Spice", "options": [{"name": "Mild", "price_delta": -5}]}),
        json!({"name": "", "options": options}),
    ] {
        expect_problem(
            app.post(&path, Some(&owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
    }

    let body = json!({"name": "Spice level", "min_select": 1, "max_select": 1, "options": options});
    let group = expect_json(
        app.post(&path, Some(&owner), &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(group["options"].as_array().unwrap().len(), 2);
    assert_eq!(group["options"][1]["name"], "Extra hot");
    assert_eq!(group["options"][1]["price_delta"], 2000);

    let read = expect_json(
        app.get(&format!("/products/{product_id}"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["modifier_groups"][0]["name"], "Spice level");
    assert_eq!(read["modifier_groups"][0]["min_select"], 1);

    // Keep "Extra hot" (renamed, dearer), drop "Mild", add "Medium".
    let group_id = group["id"].as_str().unwrap();
    let kept = group["options"][1]["id"].as_str().unwrap();
    let patch = json!({"options": [{"id": kept, "name": "Pedas gila 🌶", "price_delta": 3000}, {"name": "Medium"}]});
    let edited = expect_json(
        app.patch(
            &format!("/modifier-groups/{group_id}"),
            Some(&owner),
            &patch,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = edited["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Pedas gila 🌶", "Medium"]);
    assert_eq!(edited["options"][0]["id"], kept);

    let too_few = json!({"min_select": 1, "max_select": 3});
    expect_problem(
        app.patch(
            &format!("/modifier-groups/{group_id}"),
            Some(&owner),
            &too_few,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    let stranger = json!({"options": [{"id": Uuid::now_v7(), "name": "X"}]});
    expect_problem(
        app.patch(
            &format!("/modifier-groups/{group_id}"),
            Some(&owner),
            &stranger,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;

    let menu_changes = || async {
        app.events_logged().await;
        app.query_db("SELECT id FROM events WHERE kind = 'PRODUCT_UPDATED'")
            .await
            .len()
    };
    let before = menu_changes().await;
    assert_eq!(
        app.delete(&format!("/modifier-groups/{group_id}"), Some(&owner))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    // Open menus hear of it, as they do of a new or changed group.
    assert_eq!(menu_changes().await, before + 1);
    let read = expect_json(
        app.get(&format!("/products/{product_id}"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["modifier_groups"], json!([]));
}

#[tokio::test]
async fn the_menu_lists_available_products_by_category_in_order() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let drinks = app.create_category(&owner, outlet, "Minuman", 2).await;
    let food = app.create_category(&owner, outlet, "Makanan", 1).await;
    app.create_category(&owner, outlet, "Kosong", 3).await;
    create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Teh Manis", "price": 5000, "category_id": drinks}),
    )
    .await;
    create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Nasi Goreng", "price": 25000, "category_id": food, "sort": 2}),
    )
    .await;
    create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Ayam Bakar", "price": 30000, "category_id": food, "sort": 1}),
    )
    .await;
    create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Kerupuk", "price": 2000}),
    )
    .await;
    let sold_out = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Es Campur", "price": 12000, "category_id": drinks, "available": false}),
    )
    .await;
    let removed = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Old dish", "price": 1000, "category_id": food}),
    )
    .await;
    assert_eq!(
        app.delete(
            &format!("/products/{}", removed["id"].as_str().unwrap()),
            Some(&owner)
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );

    let (_, waiter) = app.staff(&owner, "waiter1", Role::Waiter, outlet).await;
    let menu = expect_json(app.get("/menu", Some(&waiter)).await, StatusCode::OK).await;
    assert_eq!(menu["outlet_name"], "Pusat");
    assert_eq!(menu["currency"], "IDR");
    let layout: Vec<(Value, Vec<&str>)> = menu["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].clone(),
                c["products"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        layout,
        vec![
            (json!("Makanan"), vec!["Ayam Bakar", "Nasi Goreng"]),
            (json!("Minuman"), vec!["Teh Manis"]),
            (Value::Null, vec!["Kerupuk"]),
        ]
    );
    let full = expect_json(
        app.get("/menu?include_sold_out=true", Some(&waiter)).await,
        StatusCode::OK,
    )
    .await;
    assert!(full.to_string().contains("Es Campur"));
    assert!(!full.to_string().contains("Old dish"));
    expect_problem(
        app.get(
            &format!("/products/{}", removed["id"].as_str().unwrap()),
            Some(&owner),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let _ = sold_out;
}

#[tokio::test]
async fn categories_are_unique_and_only_empty_ones_can_be_deleted() {
    let app = spawn_app().await;
    let (owner, outlet) = setup(&app).await;
    let food = app.create_category(&owner, outlet, "Makanan", 0).await;
    let duplicate = app
        .post(
            &format!("/outlets/{outlet}/categories"),
            Some(&owner),
            &json!({"name": "Makanan"}),
        )
        .await;
    expect_problem(duplicate, StatusCode::CONFLICT, "CATEGORY_NAME_TAKEN").await;

    let product = create_product(
        &app,
        &owner,
        outlet,
        json!({"name": "Nasi", "price": 5000, "category_id": food}),
    )
    .await;
    expect_problem(
        app.delete(&format!("/categories/{food}"), Some(&owner))
            .await,
        StatusCode::CONFLICT,
        "CATEGORY_NOT_EMPTY",
    )
    .await;
    assert_eq!(
        app.delete(
            &format!("/products/{}", product["id"].as_str().unwrap()),
            Some(&owner)
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/categories/{food}"), Some(&owner))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let listed = expect_json(
        app.get(&format!("/outlets/{outlet}/categories"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(listed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn another_outlets_menu_does_not_exist_for_a_manager() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let a = app.create_outlet(&owner, "A").await;
    let b = app.create_outlet(&owner, "B").await;
    let category = app.create_category(&owner, a, "Makanan", 0).await;
    let product = create_product(&app, &owner, a, json!({"name": "Nasi", "price": 5000})).await;
    let product = product["id"].as_str().unwrap();
    let (_, manager_b) = app.staff(&owner, "manager-b", Role::Manager, b).await;

    for path in [
        format!("/products/{product}"),
        format!("/outlets/{a}/products"),
        format!("/outlets/{a}/categories"),
        format!("/menu?outlet_id={a}"),
    ] {
        expect_problem(
            app.get(&path, Some(&manager_b)).await,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        )
        .await;
    }
    let edit = app
        .patch(
            &format!("/products/{product}"),
            Some(&manager_b),
            &json!({"price": 1}),
        )
        .await;
    expect_problem(edit, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let edit = app
        .patch(
            &format!("/categories/{category}"),
            Some(&manager_b),
            &json!({"name": "Mine"}),
        )
        .await;
    expect_problem(edit, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let group = json!({"name": "Size", "options": [{"name": "Big"}]});
    expect_problem(
        app.post(
            &format!("/products/{product}/modifier-groups"),
            Some(&manager_b),
            &group,
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    // Their own outlet's menu works.
    expect_json(app.get("/menu", Some(&manager_b)).await, StatusCode::OK).await;
}
