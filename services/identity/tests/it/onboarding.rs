//! Registration → token → subject → tag → resolve, and what each step refuses.

use crate::common::{assert_error, spawn, unique_handle};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn happy_path_register_token_subject_tag_resolve() {
    let app = spawn().await;
    let handle = unique_handle("wallet");
    let (status, v) = app
        .post(
            "/v1/applications",
            None,
            json!({"name": "WalletApp", "appHandle": handle, "transactionWebhookUrl": "https://w.example.com/hook",
                   "redirectUris": "https://w.example.com/cb", "metadata": "{\"env\": \"production\"}"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let d = &v["data"];
    assert_eq!(v["success"], true);
    assert_eq!(d["appHandle"], handle.as_str());
    assert_eq!(d["active"], true);
    assert_eq!(d["encryptionEnabled"], true);
    assert_eq!(d["keyVersion"], 1);
    assert!(d["clientSecret"].as_str().unwrap().len() >= 40);
    assert!(d["webhookSecret"].as_str().unwrap().len() >= 40);
    assert!(d["appPrivateJwk"]["d"].is_string());
    assert!(d["appPublicKeyJwk"]["d"].is_null());
    assert_eq!(d["appPublicKeyJwk"]["crv"], "P-256");

    let client_id = d["clientId"].as_str().unwrap();
    let secret = d["clientSecret"].as_str().unwrap();
    // Form-encoded, as in the guide.
    let resp = app
        .http
        .post(app.url("/v1/auth/token"))
        .form(&[("client_id", client_id), ("client_secret", secret)])
        .send()
        .await
        .unwrap();
    let (status, tv) = crate::common::body(resp).await;
    assert_eq!(status, StatusCode::OK, "{tv}");
    assert_eq!(tv["message"], "Token issued");
    assert_eq!(tv["data"]["subjectId"], d["id"]);
    let exp = tv["data"]["expiresAt"].as_i64().unwrap();
    let now = chrono_now();
    assert!((exp - now - 3600).abs() < 60, "default TTL is one hour");
    let token = tv["data"]["token"].as_str().unwrap();

    let (status, sv) = app
        .post(
            "/v1/subjects",
            Some(token),
            json!({"externalId": "user-12345", "displayName": "Alice Adeyemi", "email": "alice@example.com", "metadata": "{\"tier\": \"premium\"}"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sv}");
    let subject = sv["data"]["id"].as_str().unwrap();
    assert_eq!(sv["data"]["externalId"], "user-12345");

    let (status, tag) = app.tag(token, subject, "alice").await;
    assert_eq!(status, StatusCode::CREATED, "{tag}");
    let qualified = format!("alice@{handle}");
    assert_eq!(tag["data"]["tagString"], "alice");
    assert_eq!(tag["data"]["qualifiedAddress"], qualified.as_str());
    assert_eq!(tag["data"]["status"], "ACTIVE");
    assert_eq!(tag["data"]["canonicalOwner"]["id"], subject);
    assert_eq!(
        tag["data"]["canonicalOwner"]["displayName"],
        "Alice Adeyemi"
    );
    assert_eq!(tag["data"]["createdByAppId"], d["id"]);
    assert_eq!(tag["data"]["createdByAppName"], "WalletApp");

    // Public resolution: no token, by qualified address and (unique) bare name... the bare
    // name "alice" may exist in other tests' apps, so resolve a unique one.
    let (status, r) = app.get(&format!("/v1/tags/{qualified}"), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["qualifiedAddress"], qualified.as_str());
    assert_eq!(r["data"]["canonicalOwner"]["displayName"], "Alice Adeyemi");
    assert_eq!(r["data"]["createdByAppName"], "WalletApp");
    assert!(
        r["data"]["canonicalOwner"]["id"].is_null(),
        "public view hides ids"
    );

    let bare = unique_handle("solo");
    let (status, _) = app.tag(token, subject, &bare).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, r) = app.get(&format!("/v1/tags/{bare}"), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["qualifiedAddress"], format!("{bare}@{handle}"));

    let (status, list) = app.get("/v1/tags?page=0&size=1", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"]["totalElements"], 2);
    assert_eq!(list["data"]["totalPages"], 2);
    assert_eq!(list["data"]["content"].as_array().unwrap().len(), 1);

    let (status, st) = app
        .get(&format!("/v1/subjects/{subject}/tags"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(st["data"].as_array().unwrap().len(), 2);

    let (status, subjects) = app.get("/v1/subjects", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(subjects["data"]["totalElements"], 1);

    let (status, one) = app
        .get(
            &format!("/v1/applications/{}", d["id"].as_str().unwrap()),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["data"]["appHandle"], handle.as_str());
    assert!(
        one["data"]["clientSecret"].is_null(),
        "secrets are shown once only"
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn registration_validation_and_duplicate_handle() {
    let app = spawn().await;
    let bad = app
        .post(
            "/v1/applications",
            None,
            json!({"name": "X", "appHandle": "Bad_Handle"}),
        )
        .await;
    assert_error(&bad, 400, "IDAAS-VALID-2001");
    assert_eq!(bad.1["errors"].as_array().unwrap().len(), 2, "{}", bad.1);

    for h in ["ab", "-abc", "abc-", &"a".repeat(31)] {
        let r = app
            .post(
                "/v1/applications",
                None,
                json!({"name": "Name", "appHandle": h}),
            )
            .await;
        assert_error(&r, 400, "IDAAS-VALID-2001");
    }
    let missing = app.post("/v1/applications", None, json!({})).await;
    assert_error(&missing, 400, "IDAAS-VALID-2001");

    let handle = unique_handle("dup");
    app.register(&handle).await;
    let again = app
        .post(
            "/v1/applications",
            None,
            json!({"name": "Other", "appHandle": handle}),
        )
        .await;
    assert_error(&again, 409, "IDAAS-CONF-4007");
}

#[tokio::test]
async fn webhook_urls_and_callback_origins_are_checked_at_registration() {
    let app = spawn().await;
    let register = |extra: serde_json::Value| {
        let mut body = json!({"name": "Hooks", "appHandle": unique_handle("hk")});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        app.post("/v1/applications", None, body)
    };
    let long = format!("https://a.example.com/{}", "x".repeat(500));
    for bad in [
        json!({"transactionWebhookUrl": long}),
        json!({"transactionWebhookUrl": "ftp://a.example.com/hook"}),
        json!({"transactionWebhookUrl": "https://user:pw@a.example.com/hook"}),
        json!({"callbackOrigins": ["not a url"]}),
        json!({"callbackOrigins": (0..11).map(|i| format!("https://o{i}.example.com")).collect::<Vec<_>>()}),
    ] {
        let r = register(bad.clone()).await;
        assert_error(&r, 400, "IDAAS-VALID-2001");
    }
    let (status, v) = register(json!({
        "transactionWebhookUrl": "https://shop.example.com/hook",
        "callbackOrigins": ["https://Orders.Example.org/cb?x=1", "https://orders.example.org:443/y"],
    }))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["data"]["callbackOrigins"],
        json!(["https://orders.example.org"])
    );
}

#[tokio::test]
async fn malformed_oversized_and_wrong_media_type_bodies() {
    let app = spawn().await;
    let resp = app
        .http
        .post(app.url("/v1/applications"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(&crate::common::body(resp).await, 400, "IDAAS-VALID-2001");

    let resp = app
        .http
        .post(app.url("/v1/applications"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(&crate::common::body(resp).await, 415, "IDAAS-VALID-2004");

    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(70 * 1024));
    let resp = app
        .http
        .post(app.url("/v1/applications"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(&crate::common::body(resp).await, 413, "IDAAS-VALID-2001");

    let unknown = app.get("/v1/nope", None).await;
    assert_error(&unknown, 404, "IDAAS-RES-3012");
    let wrong_method = app.patch("/v1/auth/token", "x").await;
    assert_error(&wrong_method, 404, "IDAAS-RES-3012");
}
