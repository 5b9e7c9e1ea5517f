//! Webhooks end to end, the way integrators meet them (sections 9, 11, 14.2, 15): a payment
//! through the gateway reaches the receiver's endpoint as a JWE to its key and the outcome
//! reaches the sender's endpoint, both signed; the records are readable by both parties only.
//! Signatures are checked with ring's HMAC and JWEs opened with josekit, not our own code.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{web, HttpRequest, HttpResponse};
use e2e::Platform;
use josekit::{jwe::ECDH_ES_A256KW, jwk::Jwk};
use reqwest::StatusCode;
use serde_json::{json, Value};

type Seen = Arc<Mutex<Vec<(Vec<(String, String)>, String)>>>;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// An integrator's webhook endpoint: records every request, answers 200.
fn endpoint() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let base = idaas_testkit::stand_in(move |cfg| {
        let s = s.clone();
        cfg.route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let s = s.clone();
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    s.lock()
                        .unwrap()
                        .push((headers, String::from_utf8_lossy(&body).into_owned()));
                    HttpResponse::Ok().finish()
                }
            }),
        );
    });
    (format!("{base}/hook"), seen)
}

async fn first(seen: &Seen) -> (Vec<(String, String)>, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = seen.lock().unwrap().first().cloned() {
            return r;
        }
        assert!(Instant::now() < deadline, "no webhook within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// Section 15's check, as an integrator writes it.
fn verify(secret: &str, headers: &[(String, String)], body: &str) {
    let ts = header(headers, "X-IDaaS-Timestamp");
    let age = chrono_free_now() - ts.parse::<i64>().unwrap();
    assert!(age.abs() <= 300, "timestamp {ts} is not fresh");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("v0:{ts}:{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(header(headers, "X-IDaaS-Signature"), format!("v0={hex}"));
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A JWE request body to the platform key, made with josekit.
fn jwe_to(platform_jwk: &Value, body: &Value) -> String {
    let jwk = Jwk::from_map(platform_jwk.as_object().unwrap().clone()).unwrap();
    let enc = ECDH_ES_A256KW.encrypter_from_jwk(&jwk).unwrap();
    let mut h = josekit::jwe::JweHeader::new();
    h.set_content_encryption("A256GCM");
    josekit::jwe::serialize_compact(body.to_string().as_bytes(), &h, &enc).unwrap()
}

struct App {
    token: String,
    secret: String,
    private_jwk: Value,
    tag: String,
}

async fn app(p: &Platform, url: &str, encrypted: bool, platform_jwk: &Value) -> App {
    let handle = format!("w{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let (s, reg) = p
        .send(p.http.post(p.api("/v1/applications")).json(&json!({
            "name": format!("App {handle}"), "appHandle": handle,
            "transactionWebhookUrl": url, "encryptionEnabled": encrypted})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let d = &reg["data"];
    let (_, t) = p
        .send(
            p.http
                .post(p.api("/v1/auth/token"))
                .json(&json!({"client_id": d["clientId"], "client_secret": d["clientSecret"]})),
        )
        .await;
    let token = t["data"]["token"].as_str().unwrap().to_owned();
    let post = |path: &str, body: Value| {
        let req = p.http.post(p.api(path)).bearer_auth(&token);
        if encrypted {
            req.header("Content-Encryption", "JWE")
                .header("Content-Type", "application/json")
                .body(jwe_to(platform_jwk, &body))
        } else {
            req.json(&body)
        }
    };
    let (s, subj) = p
        .send(post("/v1/subjects", json!({"externalId": "u1"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{subj}");
    let (s, tag) = p
        .send(post(
            "/v1/tags",
            json!({"tag": "payee", "subjectId": subj["data"]["id"]}),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tag}");
    let (s, w) = p
        .send(p.http.post(p.api("/v1/wallet")).bearer_auth(&token))
        .await;
    assert_eq!(s, StatusCode::OK, "{w}");
    App {
        token,
        secret: d["webhookSecret"].as_str().unwrap().to_owned(),
        private_jwk: d["appPrivateJwk"].clone(),
        tag: tag["data"]["qualifiedAddress"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn a_payment_notifies_both_sides_signed_and_the_receiver_encrypted() {
    let p = Platform::start().await;
    let (_, key) = p.send(p.http.get(p.api("/v1/keys/idaas"))).await;
    let platform_jwk = key["data"]["jwk"].clone();
    let (sender_url, sender_seen) = endpoint();
    let (receiver_url, receiver_seen) = endpoint();
    let a = app(&p, &sender_url, false, &platform_jwk).await;
    let b = app(&p, &receiver_url, true, &platform_jwk).await;

    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/transactions"))
                .bearer_auth(&a.token)
                // The integrator's own trace: the webhook it causes must continue it.
                .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
                .json(&json!({"senderTag": a.tag, "receiverTag": b.tag, "amount": "15.50"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();

    // The receiver (encryptionEnabled): a JWE to its own key, signed over the JWE.
    let (headers, body) = first(&receiver_seen).await;
    assert_eq!(header(&headers, "Content-Encryption"), "JWE");
    verify(&b.secret, &headers, &body);
    let traceparent = header(&headers, "traceparent");
    assert_eq!(
        traceparent.split('-').nth(1),
        Some(TRACE_ID),
        "one trace from the request to the delivery: {traceparent:?}"
    );
    let jwk = Jwk::from_map(b.private_jwk.as_object().unwrap().clone()).unwrap();
    let dec = ECDH_ES_A256KW.decrypter_from_jwk(&jwk).unwrap();
    let (plain, _) = josekit::jwe::deserialize_compact(&body, &dec).unwrap();
    let event: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(event["event"], "TRANSACTION_INITIATED");
    assert_eq!(event["transaction"]["reference"], reference.as_str());
    assert_eq!(event["transaction"]["receiverTag"], b.tag.as_str());

    let accept = p.api(&format!("/v1/transactions/{reference}/accept"));
    let (s, v) = p.send(p.http.post(accept).bearer_auth(&b.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The sender (plain): the outcome, signed.
    let (headers, body) = first(&sender_seen).await;
    verify(&a.secret, &headers, &body);
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["event"], "TRANSACTION_COMPLETED");
    assert!(!header(&headers, "X-IDaaS-Delivery").is_empty());

    // Both parties read both records through the gateway; a stranger gets 404.
    let path = format!("/v1/transactions/{reference}/webhooks");
    for who in [&a.token, &b.token] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (s, v) = p.send(p.http.get(p.api(&path)).bearer_auth(who)).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let delivered = v["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["status"] == "DELIVERED")
                .count();
            if delivered == 2 {
                break;
            }
            assert!(Instant::now() < deadline, "{v}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // The payment itself says where its webhooks stand (section 22).
    let (s, t) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/transactions/{reference}")))
                .bearer_auth(&a.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["data"]["status"], "COMPLETED");
    assert_eq!(
        t["data"]["webhooks"]["receiver"]["status"], "DELIVERED",
        "{t}"
    );
    assert_eq!(
        t["data"]["webhooks"]["sender"]["status"], "DELIVERED",
        "{t}"
    );
    let stranger = p.tenant("str").await;
    let (s, v) = p
        .send(p.http.get(p.api(&path)).bearer_auth(&stranger.token))
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::NOT_FOUND, Some("IDAAS-RES-3010"))
    );
}
