//! Idempotency-Key on identity's mutating POSTs: a retry replays the first answer (secrets
//! included, sealed at rest), another body is a conflict, a failure is never kept.

use diesel::{sql_types::Text, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{assert_error, body, spawn, unique_handle, TestApp};

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    key: &str,
    payload: Value,
) -> (StatusCode, Value, bool) {
    let mut req = app
        .http
        .post(app.url(path))
        .header("Idempotency-Key", key)
        .json(&payload);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let replayed = resp
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    let (s, v) = body(resp).await;
    (s, v, replayed)
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    key_hash: String,
    #[diesel(sql_type = Text)]
    response_sealed: String,
}

#[tokio::test]
async fn a_retried_registration_replays_its_answer_secrets_included_and_registers_once() {
    let app = spawn().await;
    let handle = unique_handle("idem");
    let reg = json!({"name": "Idem App", "appHandle": handle});
    let key = uuid::Uuid::new_v4().to_string();
    let (s1, first, replayed) =
        post_with_key(&app, "/v1/applications", None, &key, reg.clone()).await;
    assert_eq!((s1, replayed), (StatusCode::CREATED, false), "{first}");
    let (s2, again, replayed) =
        post_with_key(&app, "/v1/applications", None, &key, reg.clone()).await;
    assert_eq!((s2, replayed), (StatusCode::CREATED, true), "{again}");
    assert_eq!(again["data"]["id"], first["data"]["id"]);
    assert_eq!(again["data"]["clientSecret"], first["data"]["clientSecret"]);
    assert_eq!(
        again["data"]["appPrivateJwk"],
        first["data"]["appPrivateJwk"]
    );
    // The replayed secret works: it is the application's, not a copy of a dead one.
    app.token(
        first["data"]["clientId"].as_str().unwrap(),
        again["data"]["clientSecret"].as_str().unwrap(),
    )
    .await;
    // Registered once: the handle is taken for anyone without the key.
    let (s, v) = app.post("/v1/applications", None, reg.clone()).await;
    assert_error(&(s, v), 409, "IDAAS-CONF-4007");
    // The same key with another body is a conflict, never a replay.
    let other = json!({"name": "Other", "appHandle": unique_handle("idem")});
    let (s, v, _) = post_with_key(&app, "/v1/applications", None, &key, other).await;
    assert_error(&(s, v), 409, "IDAAS-CONF-4008");
    // Neither the key nor the secrets are readable in the database.
    let mut conn = AsyncPgConnection::establish(&app.db.url()).await.unwrap();
    let stored: Vec<Stored> =
        diesel::sql_query("SELECT key_hash, response_sealed FROM idempotency_keys")
            .load(&mut conn)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].key_hash, key);
    let secret = first["data"]["clientSecret"].as_str().unwrap();
    assert!(!stored[0].response_sealed.contains(secret));
    assert!(!stored[0].response_sealed.contains("clientSecret"));
    // A malformed key names the header.
    let (s, v, _) = post_with_key(&app, "/v1/applications", None, "é", reg).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn keys_are_per_application_and_a_failure_is_not_kept() {
    let app = spawn().await;
    let a = app.register(&unique_handle("idema")).await;
    let b = app.register(&unique_handle("idemb")).await;
    let key = "subject-create-1";
    let body = json!({"externalId": "user-1"});
    let (s, first, _) =
        post_with_key(&app, "/v1/subjects", Some(&a.token), key, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again, replayed) =
        post_with_key(&app, "/v1/subjects", Some(&a.token), key, body.clone()).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, true));
    assert_eq!(again["data"]["id"], first["data"]["id"]);
    // Another application's identical key and body are its own request.
    let (s, theirs, replayed) =
        post_with_key(&app, "/v1/subjects", Some(&b.token), key, body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false), "{theirs}");
    assert_ne!(theirs["data"]["id"], first["data"]["id"]);

    // A request that fails keeps nothing: the key is free for the corrected request.
    let dup = json!({"externalId": "user-1"});
    let (s, v, _) = post_with_key(&app, "/v1/subjects", Some(&a.token), "k2", dup).await;
    assert_error(&(s, v), 409, "IDAAS-CONF-4003");
    let fixed = json!({"externalId": "user-2"});
    let (s, v, replayed) = post_with_key(&app, "/v1/subjects", Some(&a.token), "k2", fixed).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false), "{v}");

    // Tags too.
    let subject = v["data"]["id"].as_str().unwrap().to_owned();
    let tag = json!({"tag": "dora", "subjectId": subject});
    let (s, t1, _) = post_with_key(&app, "/v1/tags", Some(&a.token), "t1", tag.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{t1}");
    let (s, t2, replayed) = post_with_key(&app, "/v1/tags", Some(&a.token), "t1", tag).await;
    assert_eq!(
        (s, replayed, &t2["data"]["id"]),
        (StatusCode::CREATED, true, &t1["data"]["id"])
    );
}

#[tokio::test]
async fn a_retried_rotation_rotates_once() {
    let app = spawn().await;
    let a = app.register(&unique_handle("idemr")).await;
    let path = "/v1/applications/webhook-secret/rotate";
    let (s, first, _) = post_with_key(&app, path, Some(&a.token), "rot-1", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let (_, again, replayed) = post_with_key(&app, path, Some(&a.token), "rot-1", json!({})).await;
    assert!(replayed);
    assert_eq!(
        again["data"]["webhookSecret"],
        first["data"]["webhookSecret"]
    );
    let (_, next, replayed) = post_with_key(&app, path, Some(&a.token), "rot-2", json!({})).await;
    assert!(!replayed);
    assert_ne!(
        next["data"]["webhookSecret"],
        first["data"]["webhookSecret"]
    );
    let keys = "/v1/applications/keys/rotate";
    let (_, k1, _) = post_with_key(&app, keys, Some(&a.token), "keys-1", json!({})).await;
    let (_, k2, replayed) = post_with_key(&app, keys, Some(&a.token), "keys-1", json!({})).await;
    assert!(replayed);
    assert_eq!(k1["data"]["keyVersion"], k2["data"]["keyVersion"]);
    assert_eq!(k1["data"]["appPrivateJwk"], k2["data"]["appPrivateJwk"]);
}

/// A key as a request holding it left it: in progress since `age_secs` ago, under a claim token
/// of its own.
async fn held_key(app: &TestApp, scope: &str, key: &str, age_secs: i64) {
    use sha2::Digest;
    let mut conn = AsyncPgConnection::establish(&app.db.url()).await.unwrap();
    let hash = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    diesel::sql_query(format!(
        "INSERT INTO idempotency_keys (scope, operation, key_hash, request_hash, status, \
         created_at, expires_at, claim_token) VALUES ('{scope}', 'POST /v1/subjects', '{hash}', \
         'an earlier body', 'IN_PROGRESS', now() - interval '{age_secs} seconds', \
         now() + interval '1 day', gen_random_uuid())"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_key_held_by_a_request_that_died_is_free_again_after_a_minute() {
    let app = spawn().await;
    let a = app.register(&unique_handle("idemd")).await;
    // Still running (10 s): a twin waits.
    held_key(&app, &a.id, "live-key", 10).await;
    let (s, v, _) = post_with_key(
        &app,
        "/v1/subjects",
        Some(&a.token),
        "live-key",
        json!({"externalId": "user-live"}),
    )
    .await;
    assert_error(&(s, v), 409, "IDAAS-CONF-4008");
    // Held for over a minute without an answer: its request died; this one takes the key over,
    // runs, and its answer is what the key replays from now on.
    held_key(&app, &a.id, "dead-key", 61).await;
    let body = json!({"externalId": "user-after-crash"});
    let (s, first, replayed) = post_with_key(
        &app,
        "/v1/subjects",
        Some(&a.token),
        "dead-key",
        body.clone(),
    )
    .await;
    assert_eq!((s, replayed), (StatusCode::CREATED, false), "{first}");
    let (s, again, replayed) =
        post_with_key(&app, "/v1/subjects", Some(&a.token), "dead-key", body).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, true), "{again}");
    assert_eq!(again["data"]["id"], first["data"]["id"]);
}
