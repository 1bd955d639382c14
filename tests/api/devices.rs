//! Shared tablets: PIN sign-in only on an enrolled, unrevoked device of the person's outlet,
//! device-bound tokens that die with the device, and the wrong-PIN locks.

use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{expect_json, expect_problem, TestApp};

pub(crate) async fn enrol(
    app: &TestApp,
    token: &str,
    outlet: Uuid,
    name: &str,
) -> (String, String) {
    let response = app
        .post(
            &format!("/outlets/{outlet}/devices"),
            Some(token),
            &json!({"name": name}),
        )
        .await;
    let body = expect_json(response, StatusCode::CREATED).await;
    (
        body["device"]["id"].as_str().unwrap().to_owned(),
        body["device_secret"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn set_pin(
    app: &TestApp,
    token: &str,
    user: Uuid,
    pin: &str,
) -> reqwest::Response {
    app.request(
        reqwest::Method::PUT,
        &format!("/users/{user}/pin"),
        Some(token),
    )
    .json(&json!({"pin": pin}))
    .send()
    .await
    .unwrap()
}

pub(crate) async fn pin_login(
    app: &TestApp,
    secret: &str,
    username: &str,
    pin: &str,
) -> reqwest::Response {
    let body = json!({"device_secret": secret, "username": username, "pin": pin});
    app.post("/auth/pin", None, &body).await
}

pub(crate) async fn token_of(response: reqwest::Response) -> String {
    let body: Value = expect_json(response, StatusCode::OK).await;
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_pin_signs_in_only_on_an_enrolled_device_of_ones_outlet_and_dies_with_it() {
    let app = crate::helpers::spawn_app().await;
    let owner = app.owner_token().await;
    let pusat = app.create_outlet(&owner, "Pusat").await;
    let cabang = app.create_outlet(&owner, "Cabang").await;
    let (kasir_id, kasir) = app.staff(&owner, "kasir", Role::Kasir, pusat).await;
    let (_, other_kasir) = app.staff(&owner, "kasir2", Role::Kasir, pusat).await;
    let (_, manager) = app.staff(&owner, "manajer", Role::Manager, pusat).await;

    // Setting PINs: one's own, or as someone who manages the account; digits only.
    assert_eq!(
        set_pin(&app, &kasir, kasir_id, "4821").await.status(),
        StatusCode::NO_CONTENT
    );
    expect_problem(
        set_pin(&app, &kasir, kasir_id, "48a1").await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    expect_problem(
        set_pin(&app, &kasir, kasir_id, "123").await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_FAILED",
    )
    .await;
    // Someone else's account is out of a KASIR's sight, as everywhere.
    assert_eq!(
        set_pin(&app, &other_kasir, kasir_id, "1111").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        set_pin(&app, &manager, kasir_id, "4821").await.status(),
        StatusCode::NO_CONTENT
    );

    // Only a MANAGER/OWNER enrols; the secret is shown once and never listed.
    let refused = app
        .post(
            &format!("/outlets/{pusat}/devices"),
            Some(&kasir),
            &json!({"name": "X"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (device, secret) = enrol(&app, &manager, pusat, "Kasir depan").await;
    let (_, elsewhere) = enrol(&app, &owner, cabang, "Cabang").await;
    let listed = expect_json(
        app.get(&format!("/outlets/{pusat}/devices"), Some(&manager))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&secret));

    let token = token_of(pin_login(&app, &secret, "kasir", "4821").await).await;
    let me = expect_json(app.get("/auth/me", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(me["username"], "kasir");
    // Not on another outlet's tablet, not with a made-up secret, not with a wrong PIN.
    expect_problem(
        pin_login(&app, &elsewhere, "kasir", "4821").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    expect_problem(
        pin_login(&app, "dev_not-a-secret", "kasir", "4821").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    expect_problem(
        pin_login(&app, &secret, "kasir", "0000").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    // No PIN set: no PIN sign-in.
    expect_problem(
        pin_login(&app, &secret, "kasir2", "0000").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;

    // Revoking the device ends its tokens at once; a password sign-in is untouched.
    let revoked = app
        .delete(&format!("/devices/{device}"), Some(&manager))
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/auth/me", Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    expect_problem(
        pin_login(&app, &secret, "kasir", "4821").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    assert_eq!(
        app.get("/auth/me", Some(&kasir)).await.status(),
        StatusCode::OK
    );

    // Each sign-in is audited, and no PIN or secret is in the log.
    let log = expect_json(
        app.get("/audit?limit=200", Some(&owner)).await,
        StatusCode::OK,
    )
    .await;
    let text = log.to_string();
    for action in [
        "PIN_SIGN_IN",
        "PIN_SIGN_IN_FAILED",
        "PIN_CHANGED",
        "DEVICE_ENROLLED",
        "DEVICE_REVOKED",
    ] {
        assert!(
            text.contains(&format!("\"{action}\"")),
            "{action} in the log"
        );
    }
    for secret_text in ["4821", "0000", secret.as_str()] {
        assert!(
            !text.contains(secret_text),
            "{secret_text} leaked into the audit log"
        );
    }
}

#[tokio::test]
async fn five_wrong_pins_lock_the_person_on_the_device_and_twenty_lock_the_device() {
    let app = crate::helpers::spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Pusat").await;
    let (ani, _) = app.staff(&owner, "ani", Role::Kasir, outlet).await;
    let (budi, _) = app.staff(&owner, "budi", Role::Kasir, outlet).await;
    for user in [ani, budi] {
        assert_eq!(
            set_pin(&app, &owner, user, "2468").await.status(),
            StatusCode::NO_CONTENT
        );
    }
    let (device, secret) = enrol(&app, &owner, outlet, "Kasir").await;

    for _ in 0..5 {
        assert_eq!(
            pin_login(&app, &secret, "ani", "1357").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked out, even with the right PIN; Budi on the same tablet is not.
    let locked = pin_login(&app, &secret, "ani", "2468").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    token_of(pin_login(&app, &secret, "budi", "2468").await).await;

    // Twenty wrong in a row lock the tablet for everyone, until a manager unlocks it.
    for _ in 0..20 {
        assert_eq!(
            pin_login(&app, &secret, "nobody", "1357").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    expect_problem(
        pin_login(&app, &secret, "budi", "2468").await,
        StatusCode::CONFLICT,
        "DEVICE_LOCKED",
    )
    .await;
    let listed = expect_json(
        app.get(&format!("/outlets/{outlet}/devices"), Some(&owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["locked"], true);
    let unlocked = app
        .post(
            &format!("/devices/{device}/unlock"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(expect_json(unlocked, StatusCode::OK).await["locked"], false);
    token_of(pin_login(&app, &secret, "budi", "2468").await).await;
    token_of(pin_login(&app, &secret, "ani", "2468").await).await;
}
