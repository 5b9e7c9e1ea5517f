//! Tag transfer (section 22): only the holder moves a tag, only to a subject with an ACTIVE
//! claim; the address stays, resolution shows the new owner at once, and the tag now acts as
//! the new owner's.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{assert_error, spawn, unique_handle, RegisteredApp, TestApp};

async fn approved_claim(app: &TestApp, by: &RegisteredApp, tag: &str, subject: &str) -> String {
    let (s, v) = app
        .post(
            &format!("/v1/tags/{tag}/claims"),
            Some(&by.token),
            json!({ "subjectId": subject }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = v["data"]["consentToken"].as_str().unwrap();
    let (s, a) = app
        .post(&format!("/v1/consent/{token}/approve"), None, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    v["data"]["id"].as_str().unwrap().to_owned()
}

async fn transfer(app: &TestApp, token: &str, tag: &str, subject: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/v1/tags/{tag}/transfer"),
        Some(token),
        json!({ "subjectId": subject }),
    )
    .await
}

#[tokio::test]
async fn a_tag_moves_to_a_claimant_of_another_application() {
    let app = spawn().await;
    let shop = app.register(&unique_handle("shop")).await;
    let wallet = app.register(&unique_handle("wallet")).await;
    let stranger = app.register(&unique_handle("strange")).await;
    let bob_at_shop = app.subject(&shop.token, "bob").await;
    let (s, v) = app.tag(&shop.token, &bob_at_shop, "bob").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let bob = v["data"]["qualifiedAddress"].as_str().unwrap().to_owned();
    let (s, v) = app
        .post(
            "/v1/subjects",
            Some(&wallet.token),
            json!({"externalId": "bob-w", "displayName": "Bob at Wallet"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let bob_at_wallet = v["data"]["id"].as_str().unwrap().to_owned();

    // No claim yet: refused, whoever the subject is.
    assert_error(
        &transfer(&app, &shop.token, &bob, &bob_at_wallet).await,
        422,
        "IDAAS-STATE-5006",
    );
    assert_error(
        &transfer(&app, &shop.token, &bob, &uuid::Uuid::new_v4().to_string()).await,
        422,
        "IDAAS-STATE-5006",
    );
    let claim = approved_claim(&app, &wallet, &bob, &bob_at_wallet).await;
    // A pending claim of a third application, which the transfer withdraws.
    let other = app.subject(&stranger.token, "bob-s").await;
    let (s, pending) = app
        .post(
            &format!("/v1/tags/{bob}/claims"),
            Some(&stranger.token),
            json!({ "subjectId": other }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pending}");

    // Only the holder may move it.
    assert_error(
        &transfer(&app, &wallet.token, &bob, &bob_at_wallet).await,
        403,
        "IDAAS-AUTH-1006",
    );
    assert_error(
        &transfer(&app, &stranger.token, &bob, &other).await,
        403,
        "IDAAS-AUTH-1006",
    );

    let (s, moved) = transfer(&app, &shop.token, &bob, &bob_at_wallet).await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["data"]["qualifiedAddress"], bob.as_str());
    assert_eq!(
        moved["data"]["canonicalOwner"]["id"],
        bob_at_wallet.as_str()
    );
    assert_eq!(moved["data"]["createdByAppId"], shop.id.as_str());

    // Resolution shows the new owner at once (the cache was invalidated).
    let (_, resolved) = app.get(&format!("/v1/tags/{bob}"), None).await;
    assert_eq!(
        resolved["data"]["canonicalOwner"]["displayName"],
        "Bob at Wallet"
    );
    // The tag is now the wallet's: listed there, acted on there, and no longer the shop's.
    let (_, listed) = app.get("/v1/tags", Some(&wallet.token)).await;
    assert!(listed.to_string().contains(&bob), "{listed}");
    let (_, listed) = app.get("/v1/tags", Some(&shop.token)).await;
    assert!(!listed.to_string().contains(&bob), "{listed}");
    let (s, _) = app
        .patch(&format!("/v1/tags/{bob}/disable"), &shop.token)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, of_subject) = app
        .get(
            &format!("/v1/subjects/{bob_at_wallet}/tags"),
            Some(&wallet.token),
        )
        .await;
    assert!(of_subject.to_string().contains(&bob), "{of_subject}");

    // The claim that allowed it stands; the third application's was withdrawn.
    let (_, c) = app
        .get(&format!("/v1/claims/{claim}"), Some(&wallet.token))
        .await;
    assert_eq!(c["data"]["status"], "ACTIVE");
    let pending_id = pending["data"]["id"].as_str().unwrap();
    let (_, p) = app
        .get(&format!("/v1/claims/{pending_id}"), Some(&stranger.token))
        .await;
    assert_eq!(p["data"]["status"], "REVOKED", "{p}");

    // Moving it back needs a claim of the shop's subject, like anyone else's.
    assert_error(
        &transfer(&app, &wallet.token, &bob, &bob_at_shop).await,
        422,
        "IDAAS-STATE-5006",
    );
    // The new holder names it by its qualified address: a bare name means its own handle.
    let bare = bob.split('@').next().unwrap();
    assert_error(
        &transfer(&app, &wallet.token, bare, &bob_at_shop).await,
        404,
        "IDAAS-RES-3004",
    );
}
