use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_json, expect_problem, id_of, spawn_app};

#[tokio::test]
async fn staff_get_the_only_outlet_when_none_is_named() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;

    // No outlet yet: a non-owner account has nowhere to belong.
    let body = json!({"username": "kasir1", "password": "strongpassword", "role": "KASIR"});
    expect_problem(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::BAD_REQUEST,
        "OUTLET_REQUIRED",
    )
    .await;

    let outlet = app.create_outlet(&owner, "Pusat").await;
    let created = expect_json(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["outlet_id"], outlet.to_string());
    assert_eq!(created["role"], "KASIR");

    // With two outlets the original's body (no outlet_id) is ambiguous.
    app.create_outlet(&owner, "Cabang").await;
    let body = json!({"username": "kasir2", "password": "strongpassword", "role": "KASIR"});
    expect_problem(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::BAD_REQUEST,
        "OUTLET_REQUIRED",
    )
    .await;
}

#[tokio::test]
async fn managers_create_only_floor_staff_in_their_own_outlet() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (_, manager) = app.staff(&owner, "manager1", Role::Manager, pusat).await;

    // Outlet left out: the manager's own.
    for (name, role) in [
        ("kasir1", "KASIR"),
        ("waiter1", "WAITER"),
        ("kitchen1", "KITCHEN"),
    ] {
        let body = json!({"username": name, "password": "strongpassword", "role": role});
        let created = expect_json(
            app.post("/auth/register", Some(&manager), &body).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["outlet_id"], pusat.to_string());
    }
    for role in ["MANAGER", "OWNER"] {
        let body = json!({"username": "climber", "password": "strongpassword", "role": role});
        expect_problem(
            app.post("/auth/register", Some(&manager), &body).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
    }
    let body = json!({"username": "spy", "password": "strongpassword", "role": "KASIR", "outlet_id": cabang});
    expect_problem(
        app.post("/auth/register", Some(&manager), &body).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    let body = json!({"username": "nobody", "password": "strongpassword", "role": "KASIR", "outlet_id": uuid::Uuid::now_v7()});
    expect_problem(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn floor_staff_cannot_register_or_list_accounts() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    for (name, role) in [
        ("kasir1", Role::Kasir),
        ("waiter1", Role::Waiter),
        ("kitchen1", Role::Kitchen),
    ] {
        let (_, token) = app.staff(&owner, name, role, outlet).await;
        let body =
            json!({"username": format!("{name}x"), "password": "strongpassword", "role": "KASIR"});
        expect_problem(
            app.post("/auth/register", Some(&token), &body).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
        expect_problem(
            app.get("/users", Some(&token)).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        )
        .await;
    }
}

#[tokio::test]
async fn registration_input_is_validated_and_changes_nothing_when_bad() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.create_outlet(&owner, "Pusat").await;
    let cases = [
        (
            json!({"username": "kasir1", "password": "short", "role": "KASIR"}),
            "password",
        ),
        (
            json!({"username": "ab", "password": "strongpassword", "role": "KASIR"}),
            "username",
        ),
        (
            json!({"username": "has space", "password": "strongpassword", "role": "KASIR"}),
            "username",
        ),
        (
            json!({"username": "semi;colon", "password": "strongpassword", "role": "KASIR"}),
            "username",
        ),
        (
            json!({"username": "x".repeat(33), "password": "strongpassword", "role": "KASIR"}),
            "username",
        ),
        (
            json!({"username": "kasir1", "password": "strongpassword"}),
            "role",
        ),
    ];
    for (body, field) in cases {
        let problem = expect_problem(
            app.post("/auth/register", Some(&owner), &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(problem["field"], field, "{body}");
    }
    let unknown_role = json!({"username": "kasir1", "password": "strongpassword", "role": "CHEF"});
    expect_problem(
        app.post("/auth/register", Some(&owner), &unknown_role)
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;

    let users = expect_json(app.get("/users", Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        1,
        "only the owner exists: {users}"
    );
}

#[tokio::test]
async fn usernames_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.create_outlet(&owner, "Pusat").await;
    let body = json!({"username": "kasir1", "password": "strongpassword", "role": "KASIR"});
    expect_json(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({"username": "KASIR1", "password": "strongpassword", "role": "WAITER"});
    expect_problem(
        app.post("/auth/register", Some(&owner), &body).await,
        StatusCode::CONFLICT,
        "USERNAME_TAKEN",
    )
    .await;
}

#[tokio::test]
async fn concurrent_registrations_of_one_username_make_one_account() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    app.create_outlet(&owner, "Pusat").await;
    let attempts = (0..5).map(|_| {
        let (app, owner) = (&app, &owner);
        async move {
            let body = json!({"username": "twin", "password": "strongpassword", "role": "WAITER"});
            app.post("/auth/register", Some(owner), &body)
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn managers_see_only_their_outlets_staff() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (_, manager) = app.staff(&owner, "manager1", Role::Manager, pusat).await;
    app.create_user(&owner, "kasir-pusat", Role::Kasir, Some(pusat))
        .await;
    let other = app
        .create_user(&owner, "kasir-cabang", Role::Kasir, Some(cabang))
        .await;

    let listed = expect_json(app.get("/users", Some(&manager)).await, StatusCode::OK).await;
    let mut names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["kasir-pusat", "manager1"]);

    // Another outlet's account does not exist for this manager.
    expect_problem(
        app.get(&format!("/users/{other}"), Some(&manager)).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let response = app
        .patch(
            &format!("/users/{other}"),
            Some(&manager),
            &json!({"active": false}),
        )
        .await;
    expect_problem(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;

    let all = expect_json(app.get("/users", Some(&owner)).await, StatusCode::OK).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let filtered = expect_json(
        app.get(&format!("/users?outlet_id={cabang}"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn user_lists_page_with_a_cursor() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    for i in 0..4 {
        app.create_user(&owner, &format!("waiter{i}"), Role::Waiter, Some(outlet))
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/users?limit=2".to_owned();
    loop {
        let page = expect_json(app.get(&path, Some(&owner)).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(id_of));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no user on two pages: {seen:?}");
    for limit in [0, 201] {
        let problem = expect_problem(
            app.get(&format!("/users?limit={limit}"), Some(&owner))
                .await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(problem["field"], "limit");
    }
    expect_problem(
        app.get("/users?cursor=bogus", Some(&owner)).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn role_changes_follow_the_rules() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (manager_id, manager) = app.staff(&owner, "manager1", Role::Manager, outlet).await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir1", Role::Kasir, outlet).await;

    let promote = app
        .patch(
            &format!("/users/{kasir_id}"),
            Some(&manager),
            &json!({"role": "WAITER"}),
        )
        .await;
    assert_eq!(expect_json(promote, StatusCode::OK).await["role"], "WAITER");
    // The new role applies to the existing token at once.
    let body = json!({"username": "x-kasir", "password": "strongpassword", "role": "KASIR"});
    expect_problem(
        app.post("/auth/register", Some(&kasir), &body).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    let escalate = app
        .patch(
            &format!("/users/{kasir_id}"),
            Some(&manager),
            &json!({"role": "MANAGER"}),
        )
        .await;
    expect_problem(escalate, StatusCode::FORBIDDEN, "FORBIDDEN").await;
    let self_promote = app
        .patch(
            &format!("/users/{manager_id}"),
            Some(&manager),
            &json!({"role": "OWNER"}),
        )
        .await;
    expect_problem(self_promote, StatusCode::FORBIDDEN, "FORBIDDEN").await;
    let by_kasir = app
        .patch(
            &format!("/users/{manager_id}"),
            Some(&kasir),
            &json!({"active": false}),
        )
        .await;
    expect_problem(by_kasir, StatusCode::NOT_FOUND, "NOT_FOUND").await;

    let to_owner = app
        .patch(
            &format!("/users/{manager_id}"),
            Some(&owner),
            &json!({"role": "OWNER"}),
        )
        .await;
    let body = expect_json(to_owner, StatusCode::OK).await;
    assert_eq!(body["role"], "OWNER");
    assert!(body["outlet_id"].is_null(), "an OWNER belongs to no outlet");
}

#[tokio::test]
async fn two_owners_deactivating_each_other_leave_one_active() {
    let app = spawn_app().await;
    let first = app.owner_token().await;
    let first_id =
        id_of(&expect_json(app.get("/auth/me", Some(&first)).await, StatusCode::OK).await);
    let second_id = app.create_user(&first, "owner2", Role::Owner, None).await;
    let second = app.login("owner2", "owner2-password").await;

    let deactivate = json!({"active": false});
    let (path_a, path_b) = (format!("/users/{second_id}"), format!("/users/{first_id}"));
    let (a, b) = tokio::join!(
        app.patch(&path_a, Some(&first), &deactivate),
        app.patch(&path_b, Some(&second), &deactivate),
    );
    let statuses = [a.status(), b.status()];
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );

    let listed_by = if a.status() == StatusCode::OK {
        &first
    } else {
        &second
    };
    let owners = expect_json(
        app.get("/users?role=OWNER&active=true", Some(listed_by))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(owners["items"].as_array().unwrap().len(), 1);
}

/// A cashier with an open shift cannot be moved to another outlet: from there they could
/// neither close that drawer nor open a new one. Once the shift is closed, the move works.
#[tokio::test]
async fn a_cashier_with_an_open_shift_is_not_moved_to_another_outlet() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir1", Role::Kasir, pusat).await;
    let shift = expect_json(
        app.post(
            "/shifts/open",
            Some(&kasir),
            &json!({"outlet_id": pusat, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/users/{kasir_id}");
    let move_to = json!({"outlet_id": cabang});
    expect_problem(
        app.patch(&path, Some(&owner), &move_to).await,
        StatusCode::CONFLICT,
        "SHIFT_OPEN",
    )
    .await;
    let me = expect_json(app.get("/auth/me", Some(&kasir)).await, StatusCode::OK).await;
    assert_eq!(me["outlet_id"], pusat.to_string(), "nothing changed");
    let close = json!({"shift_id": shift["id"], "end_cash": 0});
    expect_json(
        app.post("/shifts/close", Some(&kasir), &close).await,
        StatusCode::OK,
    )
    .await;
    let moved = expect_json(
        app.patch(&path, Some(&owner), &move_to).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["outlet_id"], cabang.to_string());
}
