use reqwest::StatusCode;

use crate::helpers::{expect_json, expect_problem, spawn_app, spawn_app_with, OWNER};

#[tokio::test]
async fn ping_answers_pong() {
    let app = spawn_app().await;
    let body = expect_json(app.get("/ping", None).await, StatusCode::OK).await;
    assert_eq!(body["message"], "pong");
}

#[tokio::test]
async fn setup_says_whether_the_owner_still_has_to_be_created() {
    let app = spawn_app().await;
    let fresh = expect_json(app.get("/setup", None).await, StatusCode::OK).await;
    assert_eq!(fresh, serde_json::json!({"needs_owner": true}));
    app.owner_token().await;
    let done = expect_json(app.get("/setup", None).await, StatusCode::OK).await;
    assert_eq!(done, serde_json::json!({"needs_owner": false}));
}

#[tokio::test]
async fn health_reports_each_dependency() {
    let app = spawn_app().await;
    let body = expect_json(app.get("/health", None).await, StatusCode::OK).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let expected_redis = if app.config.redis_url.is_some() {
        "ok"
    } else {
        "disabled"
    };
    assert_eq!(body["redis"], expected_redis);
}

#[tokio::test]
async fn health_is_503_when_redis_is_down_but_the_api_keeps_working() {
    // Nothing listens on port 1 of loopback.
    let app = spawn_app_with(|config| config.redis_url = Some("redis://127.0.0.1:1".into())).await;
    let body = expect_json(
        app.get("/health", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["redis"], "down");
    assert_eq!(body["database"], "ok");
    expect_json(app.get("/ping", None).await, StatusCode::OK).await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    expect_problem(
        app.get("/no-such-thing", None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let response = app.client.delete(app.url("/ping")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET");
    expect_problem(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    )
    .await;
    let id = uuid::Uuid::now_v7();
    let response = app
        .client
        .put(app.url(&format!("/products/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "DELETE, GET, PATCH");
}

#[tokio::test]
async fn swagger_ui_and_home_page_are_served_without_a_cdn() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("SwaggerUIBundle"),
        "Swagger UI script is inlined"
    );
    assert!(
        !html.contains("<script src=\"http"),
        "no script from another host"
    );
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn.jsdelivr"),
        "no CDN"
    );

    let response = app.client.get(&app.address).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Kedai"));
}

#[tokio::test]
async fn overload_gets_a_fast_503_not_a_queue() {
    let app = spawn_app_with(|config| config.limits.max_in_flight = 1).await;
    app.owner_token().await;
    // Password checks are slow on purpose: eight at once against a limit of one.
    let body = serde_json::json!({"username": OWNER.0, "password": OWNER.1});
    let logins = (0..8).map(|_| app.post("/auth/login", None, &body));
    let responses = futures::future::join_all(logins).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    for response in responses {
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            expect_problem(response, StatusCode::SERVICE_UNAVAILABLE, "OVERLOADED").await;
        }
    }
}

#[tokio::test]
async fn requests_past_the_timeout_are_abandoned_with_503() {
    let app = spawn_app_with(|config| {
        config.limits.request_timeout = std::time::Duration::from_millis(1)
    })
    .await;
    // Hashing the first owner's password takes far longer than a millisecond.
    let body = serde_json::json!({"username": "owner", "password": "owner-password"});
    let response = app.post("/auth/register", None, &body).await;
    expect_problem(response, StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT").await;
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_policy() {
    let app = spawn_app().await;
    let get = |path: String| app.client.get(format!("{}{path}", app.address)).send();
    let policy_of = |response: &reqwest::Response| {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    // API answers and problems are data: nothing may run or frame them.
    for path in [
        "/api/v1/ping",
        "/api/v1/no-such-thing",
        "/static/missing.js",
    ] {
        let policy = policy_of(&get(path.to_owned()).await.unwrap());
        assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
    // Pages talk to this server only: no WebSocket to any other host.
    let policy = policy_of(&get("/kitchen".to_owned()).await.unwrap());
    assert!(policy.contains("connect-src 'self';"), "{policy}");
    assert!(
        !policy.contains("ws:") && !policy.contains("wss:"),
        "{policy}"
    );
    // Swagger UI runs its own inline scripts, allowed by hash, and nothing else.
    for path in ["/docs", "/docs/"] {
        let response = get(path.to_owned()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = policy_of(&response);
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert!(
            !policy.contains("'unsafe-eval'") && !policy.contains("script-src 'unsafe-inline'")
        );
    }
}
