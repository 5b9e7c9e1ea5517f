//! Webhooks end to end, the way integrators meet them (sections 9, 11, 14.2, 15): a payment
//! through the gateway reaches the receiver's endpoint as a JWE to its key and the outcome
//! reaches the sender's endpoint, both signed; the records are readable by both parties only.
//! Signatures are checked with ring's HMAC and JWEs opened with josekit, not our own code.

use std::time::{Duration, Instant};

use e2e::Platform;
use idaas_testkit::{receiver, Received, Receiver};
use josekit::{jwe::ECDH_ES_A256KW, jwk::Jwk};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The first request a receiver saw.
async fn first(r: &Receiver) -> Received {
    r.wait_for(1, Duration::from_secs(30)).await.remove(0)
}

/// Section 15's check, as an integrator writes it.
pub fn verify(secret: &str, r: &Received) {
    let (ts, body) = (r.header("X-IDaaS-Timestamp"), &r.body);
    let age = chrono_free_now() - ts.parse::<i64>().unwrap();
    assert!(age.abs() <= 300, "timestamp {ts} is not fresh");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("v0:{ts}:{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(r.header("X-IDaaS-Signature"), format!("v0={hex}"));
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

pub struct App {
    pub token: String,
    pub secret: String,
    pub private_jwk: Value,
    pub tag: String,
}

pub async fn app(p: &Platform, url: &str, encrypted: bool, platform_jwk: &Value) -> App {
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
    let (sender_seen, receiver_seen) = (receiver(vec![]), receiver(vec![]));
    let a = app(&p, &sender_seen.url, false, &platform_jwk).await;
    let b = app(&p, &receiver_seen.url, true, &platform_jwk).await;

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
    let got = first(&receiver_seen).await;
    assert_eq!(got.header("Content-Encryption"), "JWE");
    verify(&b.secret, &got);
    let traceparent = got.header("traceparent");
    assert_eq!(
        traceparent.split('-').nth(1),
        Some(TRACE_ID),
        "one trace from the request to the delivery: {traceparent:?}"
    );
    let jwk = Jwk::from_map(b.private_jwk.as_object().unwrap().clone()).unwrap();
    let dec = ECDH_ES_A256KW.decrypter_from_jwk(&jwk).unwrap();
    let (plain, _) = josekit::jwe::deserialize_compact(&got.body, &dec).unwrap();
    let event: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(event["event"], "TRANSACTION_INITIATED");
    assert_eq!(event["transaction"]["reference"], reference.as_str());
    assert_eq!(event["transaction"]["receiverTag"], b.tag.as_str());

    let accept = p.api(&format!("/v1/transactions/{reference}/accept"));
    let (s, v) = p.send(p.http.post(accept).bearer_auth(&b.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The sender (plain): the outcome, signed.
    let got = first(&sender_seen).await;
    verify(&a.secret, &got);
    let event: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(event["event"], "TRANSACTION_COMPLETED");
    assert!(!got.header("X-IDaaS-Delivery").is_empty());

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
