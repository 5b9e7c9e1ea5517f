//! The dispatcher's view of an application: the webhook secret and key in force now, over an
//! internal route that answers only the webhook dispatcher's service credential.

use idaas_contracts::applications::DELIVERY_PROFILE_PATH;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{internal_client, spawn, unique_handle, TestApp};

async fn profile(app: &TestApp, as_service: &str, id: &str) -> (StatusCode, Value) {
    let path = format!("{DELIVERY_PROFILE_PATH}?applicationId={id}");
    let resp = internal_client(app, as_service)
        .send("identity", &app.base, Method::GET, &path, None)
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_dispatcher_gets_the_secret_and_key_in_force_and_nobody_else_does() {
    let app = spawn().await;
    let a = app.register(&unique_handle("dp")).await;

    let (status, v) = profile(&app, "webhook-dispatcher", &a.id).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["webhookSecret"], a.webhook_secret.as_str());
    assert_eq!(v["data"]["active"], true);
    assert_eq!(v["data"]["keyVersion"], 1);
    assert_eq!(v["data"]["publicJwk"]["kty"], "EC");

    // A rotation is what the next attempt signs and encrypts with.
    let (_, rotated) = app
        .post(
            "/v1/applications/webhook-secret/rotate",
            Some(&a.token),
            json!({}),
        )
        .await;
    let (_, keys) = app
        .post("/v1/applications/keys/rotate", Some(&a.token), json!({}))
        .await;
    let (_, v) = profile(&app, "webhook-dispatcher", &a.id).await;
    assert_eq!(v["data"]["webhookSecret"], rotated["data"]["webhookSecret"]);
    assert_eq!(v["data"]["publicJwk"], keys["data"]["appPublicKeyJwk"]);
    assert_eq!(v["data"]["keyVersion"], 2);

    // Another service's credential, a tenant's token, or nothing: refused.
    let (status, _) = profile(&app, "transaction", &a.id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let path = format!("{}{DELIVERY_PROFILE_PATH}?applicationId={}", app.base, a.id);
    let resp = app
        .http
        .get(&path)
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let (status, v) = profile(
        &app,
        "webhook-dispatcher",
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    assert_eq!(
        (status, v["errorCode"].as_str()),
        (StatusCode::NOT_FOUND, Some("IDAAS-RES-3001"))
    );
    let (status, _) = profile(&app, "webhook-dispatcher", "not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
