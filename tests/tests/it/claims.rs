//! Claims, consent and transfer end to end (sections 18 and 22), through the gateway with the
//! services as processes: a wallet claims a shop's tag, the shop hears it by a signed webhook
//! and its user by mail, the user approves on the public consent page, the attestation is
//! verified with josekit against the published JWKS (not our code), the shop transfers the tag
//! to the wallet's user, and a payment made afterwards reaches the wallet while one made before
//! stays with the shop.

use std::time::Duration;

use e2e::{Platform, PlatformOptions};
use idaas_testkit::{receiver, Receiver, SmtpSink};
use josekit::{jwk::JwkSet, jws::ES256};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::webhooks::verify;

struct Party {
    id: String,
    token: String,
    secret: String,
    subject: String,
    tag: String,
    hooks: Receiver,
}

async fn party(p: &Platform, prefix: &str, display: &str, email: &str) -> Party {
    let hooks = receiver(vec![]);
    let handle = format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let (s, reg) = p
        .send(p.http.post(p.api("/v1/applications")).json(&json!({
            "name": format!("App {handle}"), "appHandle": handle,
            "transactionWebhookUrl": hooks.url, "encryptionEnabled": false})))
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
    let (s, _) = p
        .send(p.http.post(p.api("/v1/wallet")).bearer_auth(&token))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, subj) = p
        .send(p.http.post(p.api("/v1/subjects")).bearer_auth(&token).json(
            &json!({"externalId": format!("u-{prefix}"), "displayName": display, "email": email}),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{subj}");
    let subject = subj["data"]["id"].as_str().unwrap().to_owned();
    let (s, tag) = p
        .send(
            p.http
                .post(p.api("/v1/tags"))
                .bearer_auth(&token)
                .json(&json!({"tag": prefix, "subjectId": subject})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tag}");
    Party {
        id: d["id"].as_str().unwrap().to_owned(),
        token,
        secret: d["webhookSecret"].as_str().unwrap().to_owned(),
        subject,
        tag: tag["data"]["qualifiedAddress"].as_str().unwrap().to_owned(),
        hooks,
    }
}

/// The first webhook of `event` a receiver got, checked against the app's signing secret.
async fn webhook(r: &Receiver, secret: &str, event: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        for got in r.wait_for(1, Duration::from_secs(30)).await {
            let body: Value = serde_json::from_str(&got.body).unwrap();
            if body["event"] == event {
                verify(secret, &got);
                return body;
            }
        }
        assert!(std::time::Instant::now() < deadline, "no {event} webhook");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The attestation's claims, verified by josekit with the key the JWKS names.
async fn verified(p: &Platform, jwt: &str) -> josekit::jwt::JwtPayload {
    let (s, jwks) = p
        .text(p.http.get(format!("{}/.well-known/jwks.json", p.gateway)))
        .await;
    assert_eq!(s, StatusCode::OK, "{jwks}");
    let set = JwkSet::from_bytes(jwks.as_bytes()).unwrap();
    let header = josekit::jwt::decode_header(jwt).unwrap();
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    let jwk = set.get(&kid).first().copied().expect("kid in JWKS").clone();
    let verifier = ES256.verifier_from_jwk(&jwk).unwrap();
    let (payload, _) = josekit::jwt::decode_with_verifier(jwt, &verifier).unwrap();
    payload
}

async fn pay(p: &Platform, from: &Party, to: &str, amount: &str) -> Value {
    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/transactions"))
                .bearer_auth(&from.token)
                .json(&json!({"senderTag": from.tag, "receiverTag": to, "amount": amount})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["data"].clone()
}

#[tokio::test]
async fn a_tag_is_claimed_approved_transferred_and_then_paid_at_its_new_home() {
    let sink = SmtpSink::start().await;
    let p = Platform::start_with(PlatformOptions {
        service_env: vec![("identity", "IDAAS__SMTP__URL".into(), sink.url.clone())],
        ..Default::default()
    })
    .await;
    let shop = party(&p, "bob", "Bob Bello", "bob@example.com").await;
    let wallet = party(&p, "bobw", "Bob at Wallet", "bob.w@example.com").await;
    let payer = party(&p, "payer", "Payer", "payer@example.com").await;

    // The wallet asks to link its user to the shop's tag.
    let (s, c) = p
        .send(
            p.http
                .post(p.api(&format!("/v1/tags/{}/claims", shop.tag)))
                .bearer_auth(&wallet.token)
                .json(&json!({"subjectId": wallet.subject})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}\n{}", p.logs());
    let consent = c["data"]["consentToken"].as_str().unwrap().to_owned();
    let claim_id = c["data"]["id"].as_str().unwrap().to_owned();

    // The shop hears it (signed), and its user gets the consent URL by mail.
    let requested = webhook(&shop.hooks, &shop.secret, "CLAIM_REQUESTED").await;
    assert_eq!(requested["claim"]["id"], claim_id.as_str());
    assert_eq!(requested["claim"]["ownerSubjectId"], shop.subject.as_str());
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].to, ["bob@example.com"]);
    assert!(mails[0].text().contains(&consent));

    // The public page and the approval, through the gateway without a token.
    let (s, page) = p
        .send(p.http.get(p.api(&format!("/v1/consent/{consent}"))))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["data"]["ownerDisplayName"], "Bob Bello");
    assert_eq!(page["data"]["tag"], shop.tag.as_str());
    let approve = p.api(&format!("/v1/consent/{consent}/approve"));
    let (s, approved) = p.send(p.http.post(&approve)).await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let claims = verified(&p, approved["data"]["token"].as_str().unwrap()).await;
    assert_eq!(claims.subject(), Some(wallet.subject.as_str()));
    assert_eq!(claims.audience(), Some(vec![wallet.id.as_str()]));
    assert_eq!(claims.issuer(), Some("idaas"));
    assert_eq!(claims.claim("tag"), Some(&json!(shop.tag)));
    assert_eq!(
        claims.claim("consentId"),
        Some(&approved["data"]["consentId"])
    );
    assert!(claims.expires_at().unwrap() > std::time::SystemTime::now());
    // Replayed: the token worked once.
    let (s, replay) = p.send(p.http.post(&approve)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{replay}");
    assert_eq!(replay["errorCode"], "IDAAS-RES-3006");
    // Both sides hear the approval; the wallet reads its attestation from the claim.
    let outcome = webhook(&wallet.hooks, &wallet.secret, "CLAIM_APPROVED").await;
    assert_eq!(outcome["claim"]["status"], "ACTIVE");
    webhook(&shop.hooks, &shop.secret, "CLAIM_APPROVED").await;
    let (s, read) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/claims/{claim_id}")))
                .bearer_auth(&wallet.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{read}");
    let again = verified(&p, read["data"]["attestation"]["token"].as_str().unwrap()).await;
    assert_eq!(again.claim("consentId"), claims.claim("consentId"));

    // A payment before the transfer goes to the shop and stays there.
    let before = pay(&p, &payer, &shop.tag, "5").await;
    assert_eq!(before["receiverAppId"], shop.id.as_str());

    let (s, moved) = p
        .send(
            p.http
                .post(p.api(&format!("/v1/tags/{}/transfer", shop.tag)))
                .bearer_auth(&shop.token)
                .json(&json!({"subjectId": wallet.subject})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    let (_, resolved) = p
        .send(p.http.get(p.api(&format!("/v1/tags/{}", shop.tag))))
        .await;
    assert_eq!(
        resolved["data"]["canonicalOwner"]["displayName"],
        "Bob at Wallet"
    );

    // After it, the same address pays the wallet's application.
    let after = pay(&p, &payer, &shop.tag, "7").await;
    assert_eq!(after["receiverAppId"], wallet.id.as_str(), "{after}");
    let reference = after["reference"].as_str().unwrap();
    let initiated = webhook(&wallet.hooks, &wallet.secret, "TRANSACTION_INITIATED").await;
    assert_eq!(initiated["transaction"]["reference"], reference);
    let accept = |who: &Party, r: &str| {
        p.http
            .post(p.api(&format!("/v1/transactions/{r}/accept")))
            .bearer_auth(&who.token)
    };
    let (s, v) = p.send(accept(&shop, reference)).await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{v}"
    );
    let (s, v) = p.send(accept(&wallet, reference)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["status"], "COMPLETED");
    let earlier = before["reference"].as_str().unwrap();
    let (s, v) = p.send(accept(&wallet, earlier)).await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{v}"
    );
    let (s, v) = p.send(accept(&shop, earlier)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
