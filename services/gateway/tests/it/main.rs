//! The gateway against a stand-in backend that echoes what it receives, on real Redis.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use actix_web::{web, HttpRequest, HttpResponse};
use idaas_auth::{Revocations, TokenIssuer};
use idaas_crypto::keys::EcKeyPair;
use idaas_testkit::{test_settings, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Setup {
    base: String,
    http: reqwest::Client,
    issuer: TokenIssuer,
    request_key: EcKeyPair,
}

async fn echo(req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    HttpResponse::Ok()
        .insert_header(("idempotency-replayed", "true"))
        .json(json!({
            "method": req.method().as_str(),
            "path": req.path(),
            "query": req.query_string(),
            "body": String::from_utf8_lossy(&body),
            "contentType": header("content-type"),
            "authorization": header("authorization").is_some(),
            "requestId": header("x-request-id"),
            "traceparent": header("traceparent"),
            "contentEncryption": header("content-encryption"),
        }))
}

/// Starts the stand-in backend (JWKS, health, echo) and a gateway pointed at it.
async fn setup(tweak: impl FnOnce(&mut idaas_config::Settings)) -> Setup {
    let signing = EcKeyPair::generate();
    let public = signing.public_key();
    // Every backend at once: identity's JWKS, health, and an echo of whatever arrives.
    let backend_url = idaas_testkit::stand_in(move |cfg| {
        idaas_testkit::jwks(cfg, &[public]);
        cfg.route(
            "/actuator/health",
            web::get().to(|| async { HttpResponse::Ok().json(json!({"status": "UP"})) }),
        )
        .default_service(web::to(echo));
    });

    let keys = TestKeys::generate();
    let prefix = format!("g{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let mut settings = test_settings("gateway", "", &prefix, &keys);
    for svc in settings.services.values_mut() {
        svc.url = backend_url.clone();
    }
    settings.auth.jwks_url = format!("{backend_url}/.well-known/jwks.json");
    settings.http.trust_forwarded_for = true;
    settings.rate_limits.default_per_minute = 10_000;
    settings.rate_limits.token_per_minute = 10_000;
    settings.rate_limits.transactions_per_minute = 10_000;
    tweak(&mut settings);
    idaas_testkit::clear_revocations().await;
    let base = idaas_testkit::serve(gateway::build, settings).await.base;
    Setup {
        base,
        http: reqwest::Client::new(),
        issuer: TokenIssuer::new(&signing, "idaas", 600).unwrap(),
        request_key: EcKeyPair::from_pkcs8_pem(&keys.request_encryption_key).unwrap(),
    }
}

fn unique_ip() -> String {
    let b = uuid::Uuid::new_v4().into_bytes();
    format!("10.{}.{}.{}", b[0], b[1], b[2])
}

async fn json_of(resp: reqwest::Response) -> (StatusCode, Value) {
    let s = resp.status();
    (s, resp.json().await.unwrap_or(Value::Null))
}

fn token(s: &Setup, encryption: bool) -> (uuid::Uuid, String) {
    let app = uuid::Uuid::new_v4();
    let t = s.issuer.issue(app, "someapp", encryption).unwrap();
    (app, t.token.expose().clone())
}

#[tokio::test]
async fn unknown_paths_and_missing_or_bad_tokens() {
    let s = setup(|_| {}).await;
    for path in ["/api/v1/nothing", "/elsewhere", "/api/v2/tags", "/api"] {
        let (status, v) = json_of(
            s.http
                .get(format!("{}{path}", s.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(v["errorCode"], "IDAAS-RES-3012");
    }
    let (status, v) = json_of(
        s.http
            .get(format!("{}/api/v1/subjects", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["errorCode"], "IDAAS-AUTH-1001");
    let (status, v) = json_of(
        s.http
            .get(format!("{}/api/v1/subjects", s.base))
            .bearer_auth("a.b.c")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["errorCode"], "IDAAS-AUTH-1002");
}

#[tokio::test]
async fn forwards_path_query_headers_and_trace_context() {
    let s = setup(|_| {}).await;
    let (_, t) = token(&s, false);
    let resp = s
        .http
        .post(format!("{}/api/v1/subjects?page=1&size=5", s.base))
        .bearer_auth(&t)
        .header("x-request-id", "req-123")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .json(&json!({"externalId": "u1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get("x-request-id").unwrap(), "req-123");
    assert_eq!(resp.headers().get("idempotency-replayed").unwrap(), "true");
    assert!(resp.headers().get("x-ratelimit-remaining").is_some());
    let (status, v) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["path"], "/v1/subjects");
    assert_eq!(v["query"], "page=1&size=5");
    assert_eq!(v["body"], "{\"externalId\":\"u1\"}");
    assert_eq!(v["authorization"], true);
    assert_eq!(v["requestId"], "req-123");
    // The caller's trace continues through the gateway into the service.
    let forwarded = v["traceparent"].as_str().unwrap_or_default();
    assert!(
        forwarded.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
        "{v}"
    );
    assert!(
        !forwarded.contains("00f067aa0ba902b7"),
        "the gateway's own span is the parent"
    );

    // Public endpoints need no token.
    let (status, v) = json_of(
        s.http
            .get(format!("{}/api/v1/tags/alice", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["path"], "/v1/tags/alice");
}

#[tokio::test]
async fn jwe_bodies_are_required_for_encrypting_apps_and_decrypted() {
    let s = setup(|_| {}).await;
    let (_, t) = token(&s, true);
    let url = format!("{}/api/v1/subjects", s.base);
    let (status, v) = json_of(
        s.http
            .post(&url)
            .bearer_auth(&t)
            .json(&json!({"a": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(v["errorCode"], "IDAAS-VALID-2004");

    let jwe = idaas_crypto::jwe::encrypt_compact(
        b"{\"a\":1}",
        &s.request_key.public_key(),
        Some("application/json"),
        None,
    )
    .unwrap();
    let (status, v) = json_of(
        s.http
            .post(&url)
            .bearer_auth(&t)
            .header("content-type", "application/jose")
            .header("content-encryption", "JWE")
            .body(jwe)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["body"], "{\"a\":1}");
    assert_eq!(v["contentType"], "application/json");
    assert!(
        v["contentEncryption"].is_null(),
        "the encryption header stops at the gateway"
    );

    // Encrypted to some other key: cannot be decrypted.
    let wrong =
        idaas_crypto::jwe::encrypt_compact(b"{}", &EcKeyPair::generate().public_key(), None, None)
            .unwrap();
    for bad in [wrong, "not-a-jwe".to_owned()] {
        let (status, v) = json_of(
            s.http
                .post(&url)
                .bearer_auth(&t)
                .header("content-encryption", "JWE")
                .body(bad)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(v["errorCode"], "IDAAS-VALID-2005");
    }

    // A body-less request from an encrypting app is fine.
    let (status, _) = json_of(
        s.http
            .post(format!("{}/api/v1/transactions/TXN-1/accept", s.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_bodies_are_413_in_the_envelope() {
    let s = setup(|_| {}).await;
    let big = "x".repeat(65 * 1024);
    let (status, v) = json_of(
        s.http
            .post(format!("{}/api/v1/applications", s.base))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["errorCode"], "IDAAS-VALID-2001");
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let s = setup(|st| st.rate_limits.token_per_minute = 2).await;
    let ip = unique_ip();
    let url = format!("{}/api/v1/auth/token", s.base);
    for _ in 0..2 {
        let r = s
            .http
            .post(&url)
            .header("x-forwarded-for", &ip)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = s
        .http
        .post(&url)
        .header("x-forwarded-for", &ip)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.headers().get("x-ratelimit-remaining").unwrap(), "0");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errorCode"], "IDAAS-RATE-6001");
    assert_eq!(
        v["message"],
        format!("Rate limit exceeded. Retry after {retry} seconds.")
    );
    // Another client is unaffected.
    let r = s
        .http
        .post(&url)
        .header("x-forwarded-for", unique_ip())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn consent_pages_have_their_own_per_ip_limit() {
    let s = setup(|st| st.rate_limits.consent_per_minute = 2).await;
    let ip = unique_ip();
    let get = |path: &str| {
        s.http
            .get(format!("{}/api{path}", s.base))
            .header("x-forwarded-for", &ip)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            get("/v1/consent/guess").await.unwrap().status(),
            StatusCode::OK
        );
    }
    // The page and its decisions share one bucket.
    let r = s
        .http
        .post(format!("{}/api/v1/consent/guess/approve", s.base))
        .header("x-forwarded-for", &ip)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let (_, v) = json_of(r).await;
    assert_eq!(v["errorCode"], "IDAAS-RATE-6001");
    // The rest of the API is not spent by guessing tokens.
    assert_eq!(
        get("/v1/keys/idaas").await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoked_apps_and_unreachable_backends() {
    let s = setup(|st| {
        if let Some(ledger) = st.services.get_mut("ledger") {
            ledger.url = "http://127.0.0.1:9".into();
        }
    })
    .await;
    let (app, t) = token(&s, false);
    let (status, v) = json_of(
        s.http
            .get(format!("{}/api/v1/wallet", s.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v["errorCode"], "IDAAS-SYS-9003");

    let (status, _) = json_of(
        s.http
            .get(format!("{}/actuator/health", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a backend is down");

    Revocations::connect(&idaas_testkit::redis_url())
        .await
        .unwrap()
        .revoke(&app.to_string())
        .await
        .unwrap();
    let (status, v) = json_of(
        s.http
            .get(format!("{}/api/v1/tags", s.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["errorCode"], "IDAAS-AUTH-1003");
}

#[tokio::test]
async fn health_is_up_when_everything_answers() {
    let s = setup(|_| {}).await;
    let (status, v) = json_of(
        s.http
            .get(format!("{}/actuator/health", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "UP");
    assert_eq!(v["components"]["identity"]["status"], "UP");
    assert_eq!(v["components"]["kafka"]["status"], "UP");
}

#[tokio::test]
async fn a_rotated_request_key_still_decrypts_during_the_overlap() {
    let previous = EcKeyPair::generate();
    let previous_pem = previous.to_pkcs8_pem().unwrap().expose().clone();
    let s = setup(move |st| st.keys.previous_request_encryption_key = previous_pem.into()).await;
    let (_, t) = token(&s, true);
    let url = format!("{}/api/v1/subjects", s.base);
    let stranger = EcKeyPair::generate();
    for (key, want) in [
        (s.request_key.public_key(), StatusCode::OK),
        (previous.public_key(), StatusCode::OK),
        (stranger.public_key(), StatusCode::BAD_REQUEST),
    ] {
        let jwe = idaas_crypto::jwe::encrypt_compact(b"{\"a\":2}", &key, None, None).unwrap();
        let (status, v) = json_of(
            s.http
                .post(&url)
                .bearer_auth(&t)
                .header("content-encryption", "JWE")
                .body(jwe)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, want, "{v}");
        if want == StatusCode::OK {
            assert_eq!(v["body"], "{\"a\":2}");
        }
    }
}

#[tokio::test]
async fn a_client_cannot_choose_its_rate_limit_bucket() {
    let s = setup(|st| st.rate_limits.token_per_minute = 2).await;
    let ingress_hop = unique_ip();
    let url = format!("{}/api/v1/auth/token", s.base);
    // The client varies what it writes; the ingress appends the same real address each time.
    for i in 0..3 {
        let r = s
            .http
            .post(&url)
            .header("x-forwarded-for", format!("{}, {ingress_hop}", unique_ip()))
            .header("forwarded", format!("for=198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        let want = if i < 2 {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status(), want, "request {i}");
    }
}

#[tokio::test]
async fn path_tricks_are_refused_before_anything_is_forwarded() {
    let s = setup(|_| {}).await;
    let (_, t) = token(&s, false);
    for path in [
        "/api/v1/wallet/%252e%252e/internal",
        "/api/v1/tags/a%2fb",
        "/api/v1/tags/a%5cb",
        "/api/v1//wallet",
        "/api/v1/wallet;jsessionid=1",
    ] {
        let (status, v) = json_of(
            s.http
                .post(format!("{}{path}", s.base))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap(),
        )
        .await;
        // Only spellings reqwest sends as written: its URL parser folds `%2e%2e` into `..` and
        // removes it. tests/tests/attacks.rs sends every spelling byte for byte.
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001", "{path}");
        assert!(v["method"].is_null(), "{path} reached the backend: {v}");
    }
}
