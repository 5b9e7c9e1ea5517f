//! Claims and consent (section 18): request, the public consent page, approve with an
//! attestation verified against the JWKS, deny, revoke, expiry on an injected clock, replays,
//! duplicates, the consent mail, and another tenant's ids at every step.

use std::sync::Arc;

use chrono::Duration;
use idaas_testkit::{ManualClock, SmtpSink};
use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::common::{
    assert_error, read_topic, spawn, spawn_on, unique_handle, RegisteredApp, TestApp,
};

/// A subject with an email and a tag on `reg`: (subject id, qualified address).
async fn holder(app: &TestApp, reg: &RegisteredApp, name: &str) -> (String, String) {
    let (s, v) = app
        .post(
            "/v1/subjects",
            Some(&reg.token),
            json!({"externalId": format!("ext-{name}"), "displayName": "Bob Bello", "email": format!("{name}@example.com")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let subject = v["data"]["id"].as_str().unwrap().to_owned();
    let (s, v) = app.tag(&reg.token, &subject, name).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (
        subject,
        v["data"]["qualifiedAddress"].as_str().unwrap().to_owned(),
    )
}

async fn claim(app: &TestApp, token: &str, tag: &str, subject: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/v1/tags/{tag}/claims"),
        Some(token),
        json!({ "subjectId": subject }),
    )
    .await
}

fn consent_token(v: &Value) -> String {
    v["data"]["consentToken"].as_str().unwrap().to_owned()
}

async fn decide(app: &TestApp, token: &str, decision: &str) -> (StatusCode, Value) {
    app.post(&format!("/v1/consent/{token}/{decision}"), None, json!({}))
        .await
}

/// Verifies an attestation with the keys identity publishes, for the audience given.
async fn verify_attestation(app: &TestApp, jwt: &str, audience: &str) -> Value {
    let jwks: JwkSet = app
        .http
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = decode_header(jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("idaas-attestation+jwt"));
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in JWKS");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&["idaas"]);
    decode::<Value>(jwt, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn a_claim_is_approved_once_and_its_attestation_verifies_against_the_jwks() {
    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let stranger = app.register(&unique_handle("strange")).await;
    let (_, bob) = holder(&app, &shop, "bob").await;
    let mine = app.subject(&wallet.token, "wallet-bob").await;

    let created = claim(&app, &wallet.token, &bob, &mine).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    let d = &created.1["data"];
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["tag"], bob.as_str());
    let token = consent_token(&created.1);
    let claim_id = d["id"].as_str().unwrap().to_owned();
    assert!(d["approvalUrl"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v1/consent/{token}")));
    let expires = chrono::DateTime::parse_from_rfc3339(d["tokenExpiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let hours = (expires - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((47.9..=48.0).contains(&hours), "48 h by default: {hours}");

    // The same subject cannot ask twice while the first waits.
    assert_error(
        &claim(&app, &wallet.token, &bob, &mine).await,
        409,
        "IDAAS-CONF-4005",
    );

    // The public page: names, never internal ids.
    let (s, page) = app.get(&format!("/v1/consent/{token}"), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let p = &page["data"];
    assert_eq!(p["requestingAppName"], format!("App {}", wallet.handle));
    assert_eq!(p["tag"], bob.as_str());
    assert_eq!(p["ownerDisplayName"], "Bob Bello");
    assert_eq!(p["expired"], false);
    assert_eq!(p["claimState"], "PENDING");
    let text = page.to_string();
    for id in [&wallet.id, &shop.id, &mine, &claim_id] {
        assert!(!text.contains(id.as_str()), "the page leaks {id}: {text}");
    }

    let (s, approved) = decide(&app, &token, "approve").await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let a = &approved["data"];
    assert_eq!(a["tag"], bob.as_str());
    assert_eq!(a["subjectId"], mine.as_str());
    let claims = verify_attestation(&app, a["token"].as_str().unwrap(), &wallet.id).await;
    assert_eq!(claims["sub"], mine.as_str());
    assert_eq!(claims["aud"], wallet.id.as_str());
    assert_eq!(claims["tag"], bob.as_str());
    assert_eq!(claims["consentId"], a["consentId"]);
    assert_eq!(claims["exp"], a["expiresAt"]);

    // Single use: a replay, or a deny after the approval, finds no pending claim.
    assert_error(
        &decide(&app, &token, "approve").await,
        404,
        "IDAAS-RES-3006",
    );
    assert_error(&decide(&app, &token, "deny").await, 404, "IDAAS-RES-3006");
    let (_, page) = app.get(&format!("/v1/consent/{token}"), None).await;
    assert_eq!(page["data"]["claimState"], "ACTIVE");
    assert_error(
        &claim(&app, &wallet.token, &bob, &mine).await,
        409,
        "IDAAS-CONF-4004",
    );

    // An attestation is never an application token.
    let (s, _) = app
        .get("/v1/tags", Some(a["token"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The requester reads its claim with the attestation; the holder without; no one else.
    let path = format!("/v1/claims/{claim_id}");
    let (_, own) = app.get(&path, Some(&wallet.token)).await;
    assert_eq!(own["data"]["status"], "ACTIVE", "{own}");
    assert!(own["data"]["attestation"]["token"].is_string());
    let (_, held) = app.get(&path, Some(&shop.token)).await;
    assert_eq!(held["data"]["status"], "ACTIVE", "{held}");
    assert!(held["data"].get("attestation").is_none());
    assert_error(
        &app.get(&path, Some(&stranger.token)).await,
        404,
        "IDAAS-RES-3005",
    );
    assert_error(
        &app.get("/v1/claims/not-a-uuid", Some(&wallet.token)).await,
        404,
        "IDAAS-RES-3005",
    );

    // Lists: the holder sees every claim on its tag, a requester its own, anyone else 404.
    let list = format!("/v1/tags/{bob}/claims");
    let (_, all) = app.get(&list, Some(&shop.token)).await;
    assert_eq!(all["data"]["claims"].as_array().unwrap().len(), 1, "{all}");
    let (_, theirs) = app.get(&list, Some(&wallet.token)).await;
    assert_eq!(theirs["data"]["claims"][0]["id"], claim_id.as_str());
    assert_error(
        &app.get(&list, Some(&stranger.token)).await,
        404,
        "IDAAS-RES-3005",
    );

    // Revoke: not by a stranger; by the requester once; then never again.
    let revoke = format!("/v1/claims/{claim_id}/revoke");
    assert_error(
        &app.post(&revoke, Some(&stranger.token), json!({})).await,
        404,
        "IDAAS-RES-3005",
    );
    let (s, r) = app.post(&revoke, Some(&wallet.token), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["status"], "REVOKED");
    assert!(r["data"].get("attestation").is_none());
    assert_error(
        &app.post(&revoke, Some(&shop.token), json!({})).await,
        422,
        "IDAAS-STATE-5005",
    );
    // Revoked, the subject may ask again.
    let again = claim(&app, &wallet.token, &bob, &mine).await;
    assert_eq!(again.0, StatusCode::CREATED, "{}", again.1);
}

#[tokio::test]
async fn claims_refuse_foreign_subjects_disabled_tags_and_unknown_tokens() {
    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let (owner_subject, bob) = holder(&app, &shop, "bob").await;
    let mine = app.subject(&wallet.token, "wallet-bob").await;

    // Another application's subject, an unknown one, a malformed one.
    assert_error(
        &claim(&app, &wallet.token, &bob, &owner_subject).await,
        422,
        "IDAAS-STATE-5002",
    );
    assert_error(
        &claim(&app, &wallet.token, &bob, &uuid::Uuid::new_v4().to_string()).await,
        404,
        "IDAAS-RES-3002",
    );
    assert_error(
        &claim(&app, &wallet.token, &bob, "nope").await,
        400,
        "IDAAS-VALID-2001",
    );
    assert_error(
        &claim(&app, &wallet.token, "nobody@nowhere", &mine).await,
        404,
        "IDAAS-RES-3004",
    );
    // The tag's own holder claiming it for its holder: it already is.
    assert_error(
        &claim(&app, &shop.token, &bob, &owner_subject).await,
        409,
        "IDAAS-CONF-4004",
    );

    // Deny, then the claim cannot be revoked.
    let (s, v) = claim(&app, &wallet.token, &bob, &mine).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    let (s, denied) = decide(&app, &consent_token(&v), "deny").await;
    assert_eq!(s, StatusCode::OK, "{denied}");
    assert_eq!(denied["data"]["claimState"], "DENIED");
    assert_error(
        &app.post(
            &format!("/v1/claims/{id}/revoke"),
            Some(&shop.token),
            json!({}),
        )
        .await,
        422,
        "IDAAS-STATE-5005",
    );

    // A disabled tag cannot be claimed.
    let (s, _) = app
        .patch(&format!("/v1/tags/{bob}/disable"), &shop.token)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_error(
        &claim(&app, &wallet.token, &bob, &mine).await,
        422,
        "IDAAS-STATE-5001",
    );

    for path in ["/v1/consent/unknown-token", "/v1/consent/x"] {
        assert_error(&app.get(path, None).await, 404, "IDAAS-RES-3006");
    }
    assert_error(
        &decide(&app, "unknown-token", "approve").await,
        404,
        "IDAAS-RES-3006",
    );
}

#[tokio::test]
async fn a_consent_token_expires_after_48_hours_and_a_new_claim_takes_its_place() {
    let clock = Arc::new(ManualClock::default());
    let app = spawn_on(clock.clone(), |_| {}).await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let (_, bob) = holder(&app, &shop, "bob").await;
    let mine = app.subject(&wallet.token, "wallet-bob").await;

    let (_, first) = claim(&app, &wallet.token, &bob, &mine).await;
    let token = consent_token(&first);
    clock.advance(Duration::hours(47));
    let (_, page) = app.get(&format!("/v1/consent/{token}"), None).await;
    assert_eq!(page["data"]["expired"], false);

    clock.advance(Duration::hours(1) + Duration::seconds(1));
    let (_, page) = app.get(&format!("/v1/consent/{token}"), None).await;
    assert_eq!(page["data"]["expired"], true, "{page}");
    assert_eq!(page["data"]["claimState"], "EXPIRED");
    assert_error(
        &decide(&app, &token, "approve").await,
        422,
        "IDAAS-STATE-5003",
    );
    assert_error(&decide(&app, &token, "deny").await, 422, "IDAAS-STATE-5003");

    // The expired claim no longer blocks the subject: the new one replaces it.
    let (s, second) = claim(&app, &wallet.token, &bob, &mine).await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let (_, list) = app
        .get(&format!("/v1/tags/{bob}/claims"), Some(&shop.token))
        .await;
    let states: Vec<&str> = list["data"]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["PENDING", "EXPIRED"], "{list}");
    let (s, _) = decide(&app, &consent_token(&second), "approve").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn the_tag_owner_is_mailed_the_consent_url() {
    let sink = SmtpSink::start().await;
    let url = sink.url.clone();
    let app = crate::common::spawn_with(move |s| {
        s.smtp.url = idaas_crypto::secret::Secret::new(url);
        s.claims.consent_base_url = "https://idaas.example/api".into();
    })
    .await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let (_, bob) = holder(&app, &shop, "bobmail").await;
    let mine = app.subject(&wallet.token, "wallet-bob").await;

    let (s, v) = claim(&app, &wallet.token, &bob, &mine).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].to, ["bobmail@example.com"]);
    let url = format!("https://idaas.example/api/v1/consent/{}", consent_token(&v));
    assert_eq!(v["data"]["approvalUrl"], url.as_str());
    let text = mails[0].text();
    assert!(text.contains(&url), "{text}");
    assert!(text.contains(&bob), "{text}");

    // Sent once: recorded SENT with the sealed URL wiped, so nothing can send it again.
    let mut conn = AsyncPgConnection::establish(&app.db.url()).await.unwrap();
    let mut stored: Vec<(String, Option<String>)> = Vec::new();
    for _ in 0..100 {
        stored = diesel::sql_query("SELECT mail_state, mail_sealed FROM claims")
            .load::<MailRow>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.mail_state, r.mail_sealed))
            .collect();
        if stored.iter().all(|(s, _)| s == "SENT") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stored, [("SENT".to_owned(), None)]);
    assert_eq!(sink.mails().len(), 1);
}

#[derive(diesel::QueryableByName)]
struct MailRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    mail_state: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    mail_sealed: Option<String>,
}

#[tokio::test]
async fn two_decisions_racing_on_one_token_end_in_exactly_one() {
    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let (_, bob) = holder(&app, &shop, "bob").await;
    for round in 0..3 {
        let mine = app.subject(&wallet.token, &format!("race-{round}")).await;
        let (_, v) = claim(&app, &wallet.token, &bob, &mine).await;
        let token = consent_token(&v);
        let (a, b, c) = tokio::join!(
            decide(&app, &token, "approve"),
            decide(&app, &token, "deny"),
            decide(&app, &token, "approve"),
        );
        let all = [a, b, c];
        let wins = all.iter().filter(|r| r.0 == StatusCode::OK).count();
        assert_eq!(wins, 1, "{all:?}");
        for lost in all.iter().filter(|r| r.0 != StatusCode::OK) {
            assert_error(lost, 404, "IDAAS-RES-3006");
        }
    }
}

#[tokio::test]
async fn claim_changes_are_published_and_each_party_is_sent_its_webhook() {
    use idaas_proto::{
        identity::v1::{tag_event::Kind, TagEvent},
        transaction::v1::WebhookDispatch,
        Message,
    };
    use rdkafka::Message as _;

    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let (_, bob) = holder(&app, &shop, "bob").await;
    let mine = app.subject(&wallet.token, "wallet-bob").await;
    let (_, v) = claim(&app, &wallet.token, &bob, &mine).await;
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    let (s, _) = decide(&app, &consent_token(&v), "approve").await;
    assert_eq!(s, StatusCode::OK);

    let hooks: Vec<WebhookDispatch> = read_topic(&format!("{}webhooks", app.topic_prefix), 3)
        .await
        .iter()
        .map(|m| WebhookDispatch::decode(m.payload().unwrap()).unwrap())
        .collect();
    let seen: Vec<(&str, &str, &str)> = hooks
        .iter()
        .map(|h| {
            assert_eq!(h.transaction_reference, id);
            (
                h.event_type.as_str(),
                h.direction.as_str(),
                h.target_application_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("CLAIM_REQUESTED", "TAG_OWNER", shop.id.as_str()),
            ("CLAIM_APPROVED", "CLAIMANT", wallet.id.as_str()),
            ("CLAIM_APPROVED", "TAG_OWNER", shop.id.as_str()),
        ]
    );
    // Webhook bodies are kept (outbox, topic, delivery records): they carry no token.
    for h in &hooks {
        let body: Value = serde_json::from_str(&h.payload_json).unwrap();
        assert_eq!(body["claim"]["id"], id.as_str());
        assert!(
            !h.payload_json.contains(&consent_token(&v)),
            "{}",
            h.payload_json
        );
        assert!(body.get("attestation").is_none());
    }

    let events: Vec<TagEvent> = read_topic(&format!("{}tags", app.topic_prefix), 2)
        .await
        .iter()
        .map(|m| TagEvent::decode(m.payload().unwrap()).unwrap())
        .collect();
    let states: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            Some(Kind::Claim(c)) if c.claim_id == id => Some(c.status.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(states, ["PENDING", "ACTIVE"]);
}

#[tokio::test]
async fn one_application_cannot_flood_a_tag_owner_with_pending_claims() {
    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let other = app.register(&unique_handle("other")).await;
    let (_, bob) = holder(&app, &shop, "bob").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let mine = app.subject(&wallet.token, &format!("flood-{i}")).await;
        let (s, v) = claim(&app, &wallet.token, &bob, &mine).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.push(v["data"]["id"].as_str().unwrap().to_owned());
    }
    let fourth = app.subject(&wallet.token, "flood-3").await;
    assert_error(
        &claim(&app, &wallet.token, &bob, &fourth).await,
        409,
        "IDAAS-CONF-4005",
    );
    // Another application is not held back by this one's claims.
    let theirs = app.subject(&other.token, "other-1").await;
    let (s, v) = claim(&app, &other.token, &bob, &theirs).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // One withdrawn, the next may ask.
    let (s, _) = app
        .post(
            &format!("/v1/claims/{}/revoke", ids[0]),
            Some(&wallet.token),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = claim(&app, &wallet.token, &bob, &fourth).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}
