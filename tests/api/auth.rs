use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use kedai::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect_json, expect_problem, spawn_app, spawn_app_with, JWT_SECRET, OWNER};

#[tokio::test]
async fn the_first_account_becomes_owner_and_registration_then_closes() {
    let app = spawn_app().await;
    // The original's body asks for KASIR; the very first account is the OWNER regardless.
    let body = json!({"username": "Cashier1", "password": "strongpassword", "role": "KASIR"});
    let created = expect_json(
        app.post("/auth/register", None, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["role"], "OWNER");
    assert_eq!(created["username"], "cashier1");
    assert!(created["id"].is_string());
    assert!(created.get("password_hash").is_none());

    let second = json!({"username": "intruder", "password": "strongpassword", "role": "OWNER"});
    expect_problem(
        app.post("/auth/register", None, &second).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    let login = app
        .post(
            "/auth/login",
            None,
            &json!({"username": "intruder", "password": "strongpassword"}),
        )
        .await;
    expect_problem(login, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn concurrent_first_registrations_make_exactly_one_owner() {
    let app = spawn_app().await;
    let attempts = (0..6).map(|i| {
        let app = &app;
        async move {
            let body = json!({"username": format!("founder{i}"), "password": "strongpassword"});
            app.post("/auth/register", None, &body).await.status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn login_returns_a_token_that_identifies_the_user() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let response = app
        .post(
            "/auth/login",
            None,
            &json!({"username": "OWNER", "password": OWNER.1}),
        )
        .await;
    let body = expect_json(response, StatusCode::OK).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["role"], "OWNER");

    let me = expect_json(app.get("/auth/me", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(me["username"], OWNER.0);
    assert_eq!(me["role"], "OWNER");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.owner_token().await;
    let wrong = app
        .post(
            "/auth/login",
            None,
            &json!({"username": OWNER.0, "password": "not-the-password"}),
        )
        .await;
    let wrong = expect_problem(wrong, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let unknown = app
        .post(
            "/auth/login",
            None,
            &json!({"username": "nobody", "password": "not-the-password"}),
        )
        .await;
    let unknown = expect_problem(unknown, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_username_and_per_address() {
    let app = spawn_app().await;
    app.owner_token().await;
    let attempt = |username: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/auth/login",
                None,
                &json!({"username": username, "password": password}),
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("owner", "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked now, even with the right password.
    let limited = attempt("owner", OWNER.1).await;
    assert!(limited.headers().get("retry-after").is_some());
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;

    // The address limit: 20 failures in all from this client, spread over usernames.
    for i in 0..15 {
        let username: &'static str = Box::leak(format!("guess{i}").into_boxed_str());
        assert_eq!(
            attempt(username, "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    expect_problem(
        attempt("someone-else", "wrong-password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
    )
    .await;
}

#[tokio::test]
async fn behind_a_trusted_load_balancer_each_client_address_is_throttled_alone() {
    // The test client plays the load balancer at 127.0.0.1.
    let app =
        spawn_app_with(|config| config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    app.owner_token().await;
    let attempt = |client: &'static str, username: String, password: &'static str| {
        let app = &app;
        async move {
            app.request(Method::POST, "/auth/login", None)
                .header("X-Forwarded-For", client)
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..20 {
        let guess = attempt("192.168.1.66", format!("guess{i}"), "wrong-password").await;
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    expect_problem(
        attempt("192.168.1.66", "owner".into(), OWNER.1).await,
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
    )
    .await;
    // Another till behind the same balancer still signs in.
    let other = attempt("192.168.1.23", "owner".into(), OWNER.1).await;
    assert_eq!(other.status(), StatusCode::OK);

    // Without trust the header is the client's own claim: forging it does not escape the limit.
    let direct = spawn_app().await;
    direct.owner_token().await;
    for i in 0..20 {
        let body = json!({"username": format!("guess{i}"), "password": "wrong-password"});
        let guess = direct
            .request(Method::POST, "/auth/login", None)
            .header("X-Forwarded-For", format!("10.9.8.{i}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    let forged = direct
        .request(Method::POST, "/auth/login", None)
        .header("X-Forwarded-For", "10.9.8.200")
        .json(&json!({"username": "owner", "password": OWNER.1}))
        .send()
        .await
        .unwrap();
    expect_problem(forged, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    sub: String,
    role: &'a str,
    outlet_id: Option<String>,
    iat: i64,
    exp: i64,
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn bad_tokens_are_401_problems() {
    let app = spawn_app().await;
    let token = app.owner_token().await;
    let me = expect_json(app.get("/auth/me", Some(&token)).await, StatusCode::OK).await;
    let user_id = me["id"].as_str().unwrap().to_owned();
    let now = chrono::Utc::now().timestamp();

    let expired = encode(
        &Header::default(),
        &Claims {
            sub: user_id.clone(),
            role: "OWNER",
            outlet_id: None,
            iat: now - 7200,
            exp: now - 3600,
        },
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let wrong_secret = encode(
        &Header::default(),
        &Claims {
            sub: user_id.clone(),
            role: "OWNER",
            outlet_id: None,
            iat: now,
            exp: now + 3600,
        },
        &EncodingKey::from_secret(b"some-other-secret-some-other-secret!!"),
    )
    .unwrap();
    let claims =
        json!({"sub": user_id, "role": "OWNER", "outlet_id": null, "iat": now, "exp": now + 3600});
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64(
        &json!({"sub": user_id, "role": "OWNER", "outlet_id": null, "iat": now, "exp": now + 999_999}),
    );
    let tampered = parts.join(".");

    for bad in [
        expired.as_str(),
        wrong_secret.as_str(),
        alg_none.as_str(),
        tampered.as_str(),
        "garbage",
        "a.b.c",
    ] {
        let response = app.get("/auth/me", Some(bad)).await;
        expect_problem(response, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    }
    expect_problem(
        app.get("/auth/me", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    let basic = app
        .client
        .get(app.url("/auth/me"))
        .basic_auth("owner", Some(OWNER.1))
        .send()
        .await
        .unwrap();
    expect_problem(basic, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
}

/// Token checks are remembered per instance; a deactivation on A must still reach B's memory
/// at once. With Redis the notice does it (the poll interval, which bounds the memory, is a
/// minute here); without it the memory lasts one poll interval (half a second here).
#[tokio::test]
async fn a_user_deactivated_on_one_instance_is_refused_by_another_within_a_second() {
    let (a, b) = crate::helpers::spawn_two_instances().await;
    let owner = a.owner_token().await;
    let outlet = a.create_outlet(&owner, "Pusat").await;
    let (kasir_id, kasir) = a.staff(&owner, "kasir1", Role::Kasir, outlet).await;
    // B has checked (and so remembers) the token.
    for _ in 0..3 {
        expect_json(b.get("/auth/me", Some(&kasir)).await, StatusCode::OK).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // B's subscriber listens

    let deactivate = a
        .patch(
            &format!("/users/{kasir_id}"),
            Some(&owner),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(
        expect_json(deactivate, StatusCode::OK).await["active"],
        false
    );
    let deactivated = std::time::Instant::now();
    // A forgets at once.
    expect_problem(
        a.get("/auth/me", Some(&kasir)).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    loop {
        let response = b.get("/auth/me", Some(&kasir)).await;
        if response.status() == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            deactivated.elapsed() < std::time::Duration::from_secs(1),
            "B still accepts the token of a user deactivated on A a second ago"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(deactivated.elapsed() < std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working_at_once() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir1", Role::Kasir, outlet).await;
    expect_json(app.get("/auth/me", Some(&kasir)).await, StatusCode::OK).await;

    let response = app
        .patch(
            &format!("/users/{kasir_id}"),
            Some(&owner),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(expect_json(response, StatusCode::OK).await["active"], false);
    expect_problem(
        app.get("/auth/me", Some(&kasir)).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    let login = app
        .post(
            "/auth/login",
            None,
            &json!({"username": "kasir1", "password": "kasir1-password"}),
        )
        .await;
    expect_problem(login, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;

    app.patch(
        &format!("/users/{kasir_id}"),
        Some(&owner),
        &json!({"active": true}),
    )
    .await;
    // Reactivating lets the user sign in again, but the old token stays dead.
    expect_problem(
        app.get("/auth/me", Some(&kasir)).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    let fresh = app.login("kasir1", "kasir1-password").await;
    expect_json(app.get("/auth/me", Some(&fresh)).await, StatusCode::OK).await;
}

/// Revocation is exact: a token issued between two password changes in the same second dies
/// with the second change.
#[tokio::test]
async fn a_token_issued_between_two_quick_password_changes_dies_with_the_second() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (kasir_id, _) = app.staff(&owner, "kasir1", Role::Kasir, outlet).await;
    let path = format!("/users/{kasir_id}");
    for round in 0..3 {
        let first = json!({"password": format!("first-password-{round}")});
        expect_json(app.patch(&path, Some(&owner), &first).await, StatusCode::OK).await;
        let between = app
            .login("kasir1", &format!("first-password-{round}"))
            .await;
        expect_json(app.get("/auth/me", Some(&between)).await, StatusCode::OK).await;
        let second = json!({"password": format!("second-password-{round}")});
        expect_json(
            app.patch(&path, Some(&owner), &second).await,
            StatusCode::OK,
        )
        .await;
        expect_problem(
            app.get("/auth/me", Some(&between)).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
        )
        .await;
    }
}

#[tokio::test]
async fn changing_a_password_signs_out_old_tokens() {
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir1", Role::Kasir, outlet).await;
    let path = format!("/users/{kasir_id}");

    // Own password: the current one is required.
    let response = app
        .patch(&path, Some(&kasir), &json!({"password": "new-password-1"}))
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    let response = app
        .patch(
            &path,
            Some(&kasir),
            &json!({"password": "new-password-1", "current_password": "wrong-one"}),
        )
        .await;
    expect_problem(response, StatusCode::FORBIDDEN, "FORBIDDEN").await;
    let response = app
        .patch(
            &path,
            Some(&kasir),
            &json!({"password": "new-password-1", "current_password": "kasir1-password"}),
        )
        .await;
    expect_json(response, StatusCode::OK).await;

    expect_problem(
        app.get("/auth/me", Some(&kasir)).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    let fresh = app.login("kasir1", "new-password-1").await;
    expect_json(app.get("/auth/me", Some(&fresh)).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_restart_keeps_users_and_issued_tokens() {
    // No configured secret: the one generated into the data folder must survive the restart.
    let app = spawn_app_with(|config| config.jwt_secret = None).await;
    let token = app.owner_token().await;
    assert!(app.data_dir.path().join("jwt-secret").exists());

    let app = app.restart().await;
    let me = expect_json(app.get("/auth/me", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(me["username"], OWNER.0);
    app.login(OWNER.0, OWNER.1).await;
}
