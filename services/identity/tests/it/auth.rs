//! Credentials and tokens: every failure answers its catalog code.

use crate::common::{assert_error, spawn, unique_handle};
use idaas_auth::TokenIssuer;
use idaas_crypto::keys::EcKeyPair;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn wrong_or_unknown_credentials_are_1004() {
    let app = spawn().await;
    let reg = app.register(&unique_handle("cred")).await;
    let wrong = app
        .post(
            "/v1/auth/token",
            None,
            json!({"client_id": reg.client_id, "client_secret": "nope"}),
        )
        .await;
    assert_error(&wrong, 401, "IDAAS-AUTH-1004");
    let unknown = app
        .post(
            "/v1/auth/token",
            None,
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "client_secret": reg.client_secret}),
        )
        .await;
    assert_error(&unknown, 401, "IDAAS-AUTH-1004");
    let garbage_id = app
        .post(
            "/v1/auth/token",
            None,
            json!({"client_id": "not-a-uuid", "client_secret": "x"}),
        )
        .await;
    assert_error(&garbage_id, 401, "IDAAS-AUTH-1004");
    let missing = app.post("/v1/auth/token", None, json!({})).await;
    assert_error(&missing, 400, "IDAAS-VALID-2001");
    // HTTP Basic works too.
    let resp = app
        .http
        .post(app.url("/v1/auth/token"))
        .basic_auth(&reg.client_id, Some(&reg.client_secret))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_garbled_expired_and_foreign_tokens() {
    let app = spawn().await;
    let none = app.get("/v1/subjects", None).await;
    assert_error(&none, 401, "IDAAS-AUTH-1001");
    let resp = app
        .http
        .get(app.url("/v1/subjects"))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    assert_error(&crate::common::body(resp).await, 401, "IDAAS-AUTH-1001");
    let garbled = app.get("/v1/subjects", Some("not.a.jwt")).await;
    assert_error(&garbled, 401, "IDAAS-AUTH-1002");

    let signing = EcKeyPair::from_pkcs8_pem(&app.keys.token_signing_key).unwrap();
    let reg = app.register(&unique_handle("exp")).await;
    let app_id = uuid::Uuid::parse_str(&reg.id).unwrap();
    let expired = TokenIssuer::new(&signing, "idaas", -120)
        .unwrap()
        .issue(app_id, &reg.handle, true)
        .unwrap();
    let r = app.get("/v1/subjects", Some(expired.token.expose())).await;
    assert_error(&r, 401, "IDAAS-AUTH-1002");

    // Signed by a key that is not the platform's.
    let forged = TokenIssuer::new(&EcKeyPair::generate(), "idaas", 600)
        .unwrap()
        .issue(app_id, &reg.handle, true)
        .unwrap();
    let r = app.get("/v1/subjects", Some(forged.token.expose())).await;
    assert_error(&r, 401, "IDAAS-AUTH-1002");
}

#[tokio::test]
async fn deactivation_revokes_every_token() {
    let app = spawn().await;
    let reg = app.register(&unique_handle("deact")).await;
    let second = app.token(&reg.client_id, &reg.client_secret).await;
    let other = app.register(&unique_handle("other")).await;

    let foreign = app
        .patch(
            &format!("/v1/applications/{}/deactivate", other.id),
            &reg.token,
        )
        .await;
    assert_error(&foreign, 403, "IDAAS-AUTH-1006");

    let (status, v) = app
        .patch(
            &format!("/v1/applications/{}/deactivate", reg.id),
            &reg.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["active"], false);

    for t in [&reg.token, &second] {
        let r = app.get("/v1/subjects", Some(t)).await;
        assert_error(&r, 401, "IDAAS-AUTH-1003");
    }
    let fresh = app
        .post(
            "/v1/auth/token",
            None,
            json!({"client_id": reg.client_id, "client_secret": reg.client_secret}),
        )
        .await;
    assert_error(&fresh, 401, "IDAAS-AUTH-1004");
    // The other tenant is unaffected.
    let (status, _) = app.get("/v1/subjects", Some(&other.token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn keys_jwks_and_rotation() {
    let app = spawn().await;
    let (status, k) = app.get("/v1/keys/idaas", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(k["data"]["algorithm"], "ECDH-ES+A256KW");
    assert_eq!(k["data"]["encAlgorithm"], "A256GCM");
    assert_eq!(k["data"]["curve"], "P-256");
    assert_eq!(k["data"]["jwk"]["kty"], "EC");
    assert!(k["data"]["jwk"]["d"].is_null());
    let der = k["data"]["publicKeyBase64"].as_str().unwrap();
    let from_der = idaas_crypto::keys::public_key_from_spki_der_base64(der).unwrap();
    let from_jwk = idaas_crypto::keys::public_key_from_jwk(&k["data"]["jwk"]).unwrap();
    assert_eq!(from_der, from_jwk);

    let (status, jwks) = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    assert!(jwks["keys"][0]["kid"].is_string());

    let reg = app.register(&unique_handle("rot")).await;
    let (_, before) = app
        .get(&format!("/v1/applications/{}", reg.id), Some(&reg.token))
        .await;
    let (status, rotated) = app
        .post("/v1/applications/keys/rotate", Some(&reg.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_eq!(rotated["data"]["keyVersion"], 2);
    assert!(rotated["data"]["appPrivateJwk"]["d"].is_string());
    assert_ne!(
        rotated["data"]["appPublicKeyJwk"],
        before["data"]["appPublicKeyJwk"]
    );

    let (status, ws) = app
        .post(
            "/v1/applications/webhook-secret/rotate",
            Some(&reg.token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    let new_secret = ws["data"]["webhookSecret"].as_str().unwrap();
    assert_ne!(new_secret, reg.webhook_secret);
}

#[tokio::test]
async fn a_rotated_token_key_breaks_no_outstanding_token() {
    let previous = EcKeyPair::generate();
    let previous_pem = previous.to_pkcs8_pem().unwrap().expose().clone();
    let app =
        crate::common::spawn_with(move |s| s.keys.previous_token_signing_key = previous_pem.into())
            .await;
    let (_, jwks) = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2), "{jwks}");

    let reg = app.register(&unique_handle("rtk")).await;
    let path = format!("/v1/applications/{}", reg.id);
    // Issued before the rotation, under the key that is now the previous one.
    let outstanding = TokenIssuer::new(&previous, "idaas", 600)
        .unwrap()
        .issue(reg.id.parse().unwrap(), &reg.handle, false)
        .unwrap();
    let (status, v) = app.get(&path, Some(outstanding.token.expose())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // Issued now, under the current key.
    let (status, v) = app.get(&path, Some(&reg.token)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A key that was never the platform's is still refused.
    let forged = TokenIssuer::new(&EcKeyPair::generate(), "idaas", 600)
        .unwrap()
        .issue(reg.id.parse().unwrap(), &reg.handle, false)
        .unwrap();
    let (status, _) = app.get(&path, Some(forged.token.expose())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn identity_publishes_the_request_key_without_holding_its_private_half() {
    let gateway_key = EcKeyPair::generate();
    let public_pem = gateway_key.public_key_pem().unwrap();
    let app = crate::common::spawn_with(move |s| {
        s.keys.request_encryption_key = String::new().into();
        s.keys.request_encryption_public_key = public_pem;
    })
    .await;
    let (status, k) = app.get("/v1/keys/idaas", None).await;
    assert_eq!(status, StatusCode::OK);
    let published = idaas_crypto::keys::public_key_from_jwk(&k["data"]["jwk"]).unwrap();
    assert_eq!(published, gateway_key.public_key());
}

#[tokio::test]
async fn the_token_endpoint_speaks_oauth2_client_credentials() {
    let app = spawn().await;
    let reg = app.register(&unique_handle("oauth")).await;
    // What an OAuth2 client-credentials library sends: HTTP Basic and a form naming the grant.
    let resp = app
        .http
        .post(app.url("/v1/auth/token"))
        .basic_auth(&reg.client_id, Some(&reg.client_secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: serde_json::Value = resp.json().await.unwrap();
    let access = v["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!access.is_empty(), "{v}");
    assert_eq!(v["token_type"], "Bearer");
    let expires_in = v["expires_in"].as_i64().unwrap_or_default();
    assert!((1..=3600).contains(&expires_in), "{v}");
    // The guide's fields are all still there, and it is the same token.
    assert_eq!(v["data"]["token"], access.as_str());
    assert_eq!(v["success"], true);
    let (s, _) = app
        .get(&format!("/v1/applications/{}", reg.id), Some(&access))
        .await;
    assert_eq!(s, StatusCode::OK);
    // The credentials in the form, as some libraries send them.
    let resp = app
        .http
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", reg.client_id.as_str()),
            ("client_secret", reg.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // Any other grant is refused, never silently treated as this one.
    for body in [
        "grant_type=password&username=a&password=b",
        "grant_type=authorization_code&code=x",
    ] {
        let resp = app
            .http
            .post(app.url("/v1/auth/token"))
            .basic_auth(&reg.client_id, Some(&reg.client_secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_error(&(status, v), 400, "IDAAS-VALID-2001");
    }
    let wrong = app
        .post(
            "/v1/auth/token",
            None,
            json!({"client_id": reg.client_id, "client_secret": reg.client_secret, "grant_type": "refresh_token"}),
        )
        .await;
    assert_error(&wrong, 400, "IDAAS-VALID-2001");
}
