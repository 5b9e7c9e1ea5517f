//! Section 4's checklist through the gateway, against the six real processes: registration →
//! token → subject → tag → resolve, with a JWE request built by an independent JOSE library.

use e2e::Platform;
use josekit::{
    jwe::{JweHeader, ECDH_ES_A256KW},
    jwk::Jwk,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Encrypts like an integrator would (section 14.1), with josekit, not our own code.
fn jwe(idaas_jwk: &Value, body: &Value) -> String {
    let map = idaas_jwk.as_object().unwrap().clone();
    let jwk = Jwk::from_map(map).unwrap();
    let encrypter = ECDH_ES_A256KW.encrypter_from_jwk(&jwk).unwrap();
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type("application/json");
    josekit::jwe::serialize_compact(body.to_string().as_bytes(), &header, &encrypter).unwrap()
}

#[tokio::test]
async fn onboarding_through_the_gateway() {
    let p = Platform::start().await;
    let http = &p.http;

    let (status, health) = send(http.get(format!("{}/actuator/health", p.gateway))).await;
    assert_eq!(status, StatusCode::OK, "{health}");

    // Plain application (encryption off) and an encrypting one.
    let plain_handle = unique("plain");
    let (status, reg) = send(http.post(p.api("/v1/applications")).json(&json!({
        "name": "PlainApp", "appHandle": plain_handle, "encryptionEnabled": false,
        "transactionWebhookUrl": "https://plain.example.com/hook"
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}\n{}", p.logs());
    let plain_id = reg["data"]["clientId"].as_str().unwrap().to_owned();
    let plain_secret = reg["data"]["clientSecret"].as_str().unwrap().to_owned();

    let enc_handle = unique("secure");
    let (status, reg2) = send(http.post(p.api("/v1/applications")).json(&json!({
        "name": "SecureApp", "appHandle": enc_handle
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg2}");
    assert_eq!(reg2["data"]["encryptionEnabled"], true);

    let (status, tok) = send(http.post(p.api("/v1/auth/token")).form(&[
        ("client_id", plain_id.as_str()),
        ("client_secret", plain_secret.as_str()),
    ]))
    .await;
    assert_eq!(status, StatusCode::OK, "{tok}");
    let plain_token = tok["data"]["token"].as_str().unwrap().to_owned();
    let (status, tok2) = send(http.post(p.api("/v1/auth/token")).json(&json!({
        "client_id": reg2["data"]["clientId"], "client_secret": reg2["data"]["clientSecret"]
    })))
    .await;
    assert_eq!(status, StatusCode::OK, "{tok2}");
    let enc_token = tok2["data"]["token"].as_str().unwrap().to_owned();

    // Plain app: subject → tag → resolve.
    let (status, subj) = send(
        http.post(p.api("/v1/subjects"))
            .bearer_auth(&plain_token)
            .json(&json!({"externalId": "user-1", "displayName": "Alice Adeyemi"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{subj}");
    let subject_id = subj["data"]["id"].as_str().unwrap().to_owned();
    let tag_name = unique("alice");
    let (status, tag) = send(
        http.post(p.api("/v1/tags"))
            .bearer_auth(&plain_token)
            .json(&json!({"tag": tag_name, "subjectId": subject_id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tag}");
    let qualified = format!("{tag_name}@{plain_handle}");
    assert_eq!(tag["data"]["qualifiedAddress"], qualified.as_str());

    let (status, resolved) = send(http.get(p.api(&format!("/v1/tags/{qualified}")))).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["data"]["createdByAppName"], "PlainApp");
    let (status, _) = send(http.get(p.api(&format!("/v1/tags/{tag_name}")))).await;
    assert_eq!(status, StatusCode::OK);

    // Encrypting app: plain JSON is refused, JWE made by josekit is accepted.
    let (status, key) = send(http.get(p.api("/v1/keys/idaas"))).await;
    assert_eq!(status, StatusCode::OK);
    let idaas_jwk = key["data"]["jwk"].clone();

    let body = json!({"externalId": "user-9", "displayName": "Bob"});
    let (status, refused) = send(
        http.post(p.api("/v1/subjects"))
            .bearer_auth(&enc_token)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{refused}");
    assert_eq!(refused["errorCode"], "IDAAS-VALID-2004");

    let (status, created) = send(
        http.post(p.api("/v1/subjects"))
            .bearer_auth(&enc_token)
            .header("content-type", "application/json")
            .header("content-encryption", "JWE")
            .body(jwe(&idaas_jwk, &body)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}\n{}", p.logs());
    let bob = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["data"]["externalId"], "user-9");

    let (status, enc_tag) = send(
        http.post(p.api("/v1/tags"))
            .bearer_auth(&enc_token)
            .header("content-type", "application/json")
            .header("content-encryption", "JWE")
            .body(jwe(&idaas_jwk, &json!({"tag": "bob", "subjectId": bob}))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{enc_tag}");
    assert_eq!(
        enc_tag["data"]["qualifiedAddress"],
        format!("bob@{enc_handle}")
    );

    let (status, garbled) = send(
        http.post(p.api("/v1/subjects"))
            .bearer_auth(&enc_token)
            .header("content-type", "application/json")
            .header("content-encryption", "JWE")
            .body("eyJhbGciOiJub3BlIn0.a.b.c.d"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{garbled}");
    assert_eq!(garbled["errorCode"], "IDAAS-VALID-2005");

    // Bad input answers the envelope, never a 500.
    let (status, missing) = send(http.get(p.api("/v1/subjects"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing["errorCode"], "IDAAS-AUTH-1001");
    let (status, unknown) = send(http.get(p.api("/v1/unknown/path"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown["errorCode"], "IDAAS-RES-3012");
    let (status, outside) = send(http.get(format!("{}/nope", p.gateway))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(outside["errorCode"], "IDAAS-RES-3012");

    // Deactivation revokes the token at the gateway too.
    let (status, _) = send(
        http.patch(p.api(&format!(
            "/v1/applications/{}/deactivate",
            reg["data"]["id"].as_str().unwrap()
        )))
        .bearer_auth(&plain_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, revoked) = send(http.get(p.api("/v1/tags")).bearer_auth(&plain_token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked["errorCode"], "IDAAS-AUTH-1003");
}

/// The guide's first lines: `GET /swagger-ui.html` and `GET /v3/api-docs`, served by the
/// gateway from the compiled-in document and assets.
#[tokio::test]
async fn the_api_is_described_at_the_documented_paths() {
    let p = Platform::start().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirects
        .get(format!("{}/swagger-ui.html", p.gateway))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(resp.headers()["location"], "/swagger-ui/");

    let ui = p
        .http
        .get(format!("{}/swagger-ui/", p.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger-ui"));

    let (status, doc) = send(p.http.get(format!("{}/v3/api-docs", p.gateway))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let token = &doc["paths"]["/api/v1/auth/token"]["post"];
    assert!(token["security"].is_null(), "public: {token}");
    let initiate = &doc["paths"]["/api/v1/transactions"]["post"];
    assert_eq!(
        initiate["security"][0]["bearerAuth"],
        json!([]),
        "{initiate}"
    );
    assert!(initiate["responses"]["429"]["headers"]["Retry-After"].is_object());
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
}

/// A standard OAuth2 client-credentials request, through the gateway: Basic credentials, a form
/// naming the grant, the RFC 6749 fields in the answer and nothing cached on the way.
#[tokio::test]
async fn oauth2_client_credentials_through_the_gateway() {
    let p = Platform::start().await;
    let handle = format!("oa{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (s, reg) = send(
        p.http
            .post(p.api("/v1/applications"))
            .json(&serde_json::json!({"name": "OAuth App", "appHandle": handle})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let resp = p
        .http
        .post(p.api("/v1/auth/token"))
        .basic_auth(
            reg["data"]["clientId"].as_str().unwrap(),
            reg["data"]["clientSecret"].as_str(),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer", "{v}");
    let token = v["access_token"].as_str().unwrap();
    let (s, me) = send(
        p.http
            .get(p.api(&format!(
                "/v1/applications/{}",
                reg["data"]["id"].as_str().unwrap()
            )))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{me}");
}
