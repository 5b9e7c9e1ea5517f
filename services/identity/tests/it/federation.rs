//! Tag federation (section 20): link, verify, read, remove, and every catalog code on the way,
//! with another application's ids tried at each step.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{assert_error, body, spawn, unique_handle, RegisteredApp, TestApp};

async fn owned_tag(app: &TestApp, reg: &RegisteredApp, name: &str) -> String {
    let subject = app.subject(&reg.token, &format!("user-{name}")).await;
    let (s, v) = app.tag(&reg.token, &subject, name).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["data"]["qualifiedAddress"].as_str().unwrap().to_owned()
}

async fn federate(app: &TestApp, token: &str, tag: &str, external: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/v1/tags/{tag}/federation"),
        Some(token),
        json!({"provider": "github", "externalIdentifier": external}),
    )
    .await
}

async fn verify(app: &TestApp, token: &str, challenge: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/v1/federation/verify/{challenge}"),
        Some(token),
        json!({}),
    )
    .await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    body(
        app.http
            .delete(app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_tag_is_federated_once_verified_and_its_challenge_works_once() {
    let app = spawn().await;
    let owner = app.register(&unique_handle("fedown")).await;
    let tag = owned_tag(&app, &owner, "alice").await;

    let none = app
        .get(&format!("/v1/tags/{tag}/federation"), Some(&owner.token))
        .await;
    assert_error(&none, 404, "IDAAS-RES-3009");

    let (s, v) = federate(&app, &owner.token, "alice", "Alice-GH").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["data"]["tag"], tag.as_str());
    assert_eq!(v["data"]["link"]["status"], "PENDING");
    assert_eq!(v["data"]["link"]["provider"], "github");
    let challenge = v["data"]["challenge"].as_str().unwrap().to_owned();
    assert!(challenge.len() >= 43, "{v}");
    assert!(v["data"]["challengeExpiresAt"].is_string());

    let (s, v) = verify(&app, &owner.token, &challenge).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["link"]["status"], "VERIFIED");
    let link = v["data"]["link"]["id"].as_str().unwrap().to_owned();

    let (s, v) = app
        .get(&format!("/v1/tags/{tag}/federation"), Some(&owner.token))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["tag"], tag.as_str());
    let links = v["data"]["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["id"], link.as_str());
    assert_eq!(links[0]["externalIdentifier"], "Alice-GH");
    assert!(links[0]["verifiedAt"].is_string(), "{v}");

    // Single use.
    assert_error(
        &verify(&app, &owner.token, &challenge).await,
        422,
        "IDAAS-STATE-5004",
    );
    assert_error(
        &verify(&app, &owner.token, "no-such-challenge-at-all").await,
        404,
        "IDAAS-RES-3008",
    );

    // The owner removes it; its challenge stays spent; the tag has no federation any more.
    let (s, v) = delete(
        &app,
        &owner.token,
        &format!("/v1/tags/alice/federation/{link}"),
    )
    .await;
    assert_eq!(
        (s, v["data"]["link"]["status"].as_str()),
        (StatusCode::OK, Some("REMOVED")),
        "{v}"
    );
    let gone = delete(
        &app,
        &owner.token,
        &format!("/v1/tags/alice/federation/{link}"),
    )
    .await;
    assert_error(&gone, 404, "IDAAS-RES-3007");
    let none = app
        .get(&format!("/v1/tags/{tag}/federation"), Some(&owner.token))
        .await;
    assert_error(&none, 404, "IDAAS-RES-3009");
}

#[tokio::test]
async fn another_application_can_neither_verify_read_nor_remove_a_link() {
    let app = spawn().await;
    let owner = app.register(&unique_handle("fedvic")).await;
    let thief = app.register(&unique_handle("fedthf")).await;
    let tag = owned_tag(&app, &owner, "bob").await;
    owned_tag(&app, &thief, "mallory").await;
    let (_, v) = federate(&app, &owner.token, &tag, "bob-gh").await;
    let challenge = v["data"]["challenge"].as_str().unwrap().to_owned();
    let link = v["data"]["link"]["id"].as_str().unwrap().to_owned();

    // The victim's challenge, presented by another application.
    assert_error(
        &verify(&app, &thief.token, &challenge).await,
        403,
        "IDAAS-AUTH-1008",
    );
    // Federating, reading and removing on the victim's tag.
    assert_error(
        &federate(&app, &thief.token, &tag, "x").await,
        403,
        "IDAAS-AUTH-1006",
    );
    let read = app
        .get(&format!("/v1/tags/{tag}/federation"), Some(&thief.token))
        .await;
    assert_error(&read, 404, "IDAAS-RES-3009");
    let removed = delete(
        &app,
        &thief.token,
        &format!("/v1/tags/{tag}/federation/{link}"),
    )
    .await;
    assert_error(&removed, 403, "IDAAS-AUTH-1008");
    // Even under its own tag's path.
    let removed = delete(
        &app,
        &thief.token,
        &format!("/v1/tags/mallory/federation/{link}"),
    )
    .await;
    assert_error(&removed, 403, "IDAAS-AUTH-1008");
    // None of that touched it: the owner verifies it still.
    let (s, v) = verify(&app, &owner.token, &challenge).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A link id that is not a UUID, or not on this tag, is simply not found.
    let odd = delete(
        &app,
        &owner.token,
        &format!("/v1/tags/{tag}/federation/xyz"),
    )
    .await;
    assert_error(&odd, 404, "IDAAS-RES-3007");
}

#[tokio::test]
async fn one_verified_link_per_external_identity_and_expired_challenges_are_refused() {
    let app = spawn().await;
    let first = app.register(&unique_handle("fedone")).await;
    let second = app.register(&unique_handle("fedtwo")).await;
    let a = owned_tag(&app, &first, "carol").await;
    let b = owned_tag(&app, &second, "carol").await;
    let (_, v) = federate(&app, &first.token, &a, "carol-gh").await;
    let (c1, l1) = (
        v["data"]["challenge"].as_str().unwrap().to_owned(),
        v["data"]["link"]["id"].as_str().unwrap().to_owned(),
    );
    let (_, v) = federate(&app, &second.token, &b, "carol-gh").await;
    let c2 = v["data"]["challenge"].as_str().unwrap().to_owned();
    assert_eq!(verify(&app, &first.token, &c1).await.0, StatusCode::OK);
    assert_error(
        &verify(&app, &second.token, &c2).await,
        409,
        "IDAAS-CONF-4009",
    );
    // Once the first link is removed, the identity is free again.
    let (s, _) = delete(
        &app,
        &first.token,
        &format!("/v1/tags/carol/federation/{l1}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(verify(&app, &second.token, &c2).await.0, StatusCode::OK);

    // An expired challenge.
    let (_, v) = federate(&app, &first.token, &a, "carol-gitlab").await;
    let c3 = v["data"]["challenge"].as_str().unwrap().to_owned();
    let mut conn = AsyncPgConnection::establish(&app.db.url()).await.unwrap();
    diesel::sql_query(
        "UPDATE identity_links SET challenge_expires_at = now() - interval '1 second'
          WHERE status = 'PENDING'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_error(
        &verify(&app, &first.token, &c3).await,
        422,
        "IDAAS-STATE-5004",
    );
    let (_, v) = app
        .get(&format!("/v1/tags/{a}/federation"), Some(&first.token))
        .await;
    let statuses: Vec<&str> = v["data"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["status"].as_str())
        .collect();
    assert_eq!(statuses, ["EXPIRED"], "{v}");

    // Bad input names its field.
    let bad = app
        .post(
            &format!("/v1/tags/{a}/federation"),
            Some(&first.token),
            json!({"provider": "Git Hub!", "externalIdentifier": ""}),
        )
        .await;
    assert_error(&bad, 400, "IDAAS-VALID-2001");
    assert_eq!(
        bad.1["errors"].as_array().map(Vec::len),
        Some(2),
        "{}",
        bad.1
    );
    let unknown = federate(&app, &first.token, "nobody", "x").await;
    assert_error(&unknown, 404, "IDAAS-RES-3004");
}
