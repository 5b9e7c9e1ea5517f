//! Initiate → accept/reject through the real identity and ledger.

use crate::common::{spawn, unique};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn initiate_then_accept_moves_money_once() {
    let p = spawn().await;
    let alice = unique("alice");
    let bob = unique("bob");
    let a = p.app("wal", &[&alice]).await;
    let b = p.app("shop", &[&bob]).await;

    let (s, v, _) = p
        .initiate(&a, json!({"senderTag": format!("{alice}@{}", a.handle), "receiverTag": bob, "amount": 1500.00,
                             "currency": "NGN", "narration": "Payment for order #99"}), None)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let d = &v["data"];
    let reference = d["reference"].as_str().unwrap().to_owned();
    assert!(
        reference.starts_with("TXN-") && reference.len() == 23,
        "{reference}"
    );
    assert_eq!(d["status"], "AWAITING_ACCEPTANCE");
    assert_eq!(d["senderTag"], format!("{alice}@{}", a.handle));
    assert_eq!(
        d["receiverTag"],
        format!("{bob}@{}", b.handle),
        "qualified in responses"
    );
    assert_eq!(d["senderAppId"], a.id.as_str());
    assert_eq!(d["receiverAppName"], format!("App {}", b.handle));
    assert_eq!(
        v["message"],
        "Transaction initiated – awaiting acceptance by receiving application"
    );

    let (s, pending) = p.get(&b, "/v1/transactions/pending").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(pending["data"]["totalElements"], 1);
    let (_, sent) = p.get(&a, "/v1/transactions/sent").await;
    assert_eq!(sent["data"]["content"][0]["reference"], reference.as_str());
    let stranger = p.app("strg", &[]).await;
    let (s, nf) = p
        .get(&stranger, &format!("/v1/transactions/{reference}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "strangers cannot read it");
    assert_eq!(nf["errorCode"], "IDAAS-RES-3010");

    let (s, e, _) = p.act(&a, &reference, "accept", None, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["errorCode"], "IDAAS-AUTH-1007");
    let (s, e, _) = p.act(&stranger, &reference, "accept", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

    let (s, acc, _) = p.act(&b, &reference, "accept", None, None).await;
    assert_eq!(s, StatusCode::OK, "{acc}");
    assert_eq!(acc["data"]["status"], "COMPLETED");
    assert!(acc["data"]["acceptedAt"].is_string());
    assert_eq!(acc["message"], "Transaction accepted");

    assert!(p.wallet(&a).await.contains(r#""balance":-1500.0000"#));
    assert!(p.wallet(&b).await.contains(r#""balance":1500.0000"#));

    let (s, again, _) = p.act(&b, &reference, "accept", None, None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(again["errorCode"], "IDAAS-STATE-5007");
    let (_, received) = p.get(&b, "/v1/transactions/received").await;
    assert_eq!(received["data"]["content"][0]["status"], "COMPLETED");
}

#[tokio::test]
async fn three_tenths_are_exactly_three_tenths() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("ten", &[&alice]).await;
    let b = p.app("rec", &[&bob]).await;
    for _ in 0..3 {
        let (_, v, _) = p
            .initiate(&a, json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 0.1}), None)
            .await;
        let reference = v["data"]["reference"].as_str().unwrap().to_owned();
        let (s, v, _) = p.act(&b, &reference, "accept", None, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let w = p.wallet(&b).await;
    assert!(w.contains(r#""balance":0.3000"#), "{w}");
}

#[tokio::test]
async fn bad_payments_are_refused_with_their_codes() {
    let p = spawn().await;
    let (alice, bob, shared) = (unique("al"), unique("bo"), unique("dup"));
    let a = p.app("bada", &[&alice, &shared]).await;
    let b = p.app("badb", &[&bob, &shared]).await;
    let pay = |sender: String, receiver: String, amount: serde_json::Value| json!({"senderTag": sender, "receiverTag": receiver, "amount": amount});

    let (s, v, _) = p
        .initiate(
            &a,
            pay(format!("{bob}@{}", b.handle), alice.clone(), json!(1)),
            None,
        )
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::FORBIDDEN, Some("IDAAS-AUTH-1006")),
        "{v}"
    );
    let (s, v, _) = p
        .initiate(&a, pay(alice.clone(), unique("nobody"), json!(1)), None)
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::NOT_FOUND, Some("IDAAS-RES-3004")),
        "{v}"
    );
    let (s, v, _) = p
        .initiate(&a, pay(alice.clone(), shared.clone(), json!(1)), None)
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-CONF-4006")),
        "{v}"
    );
    assert_eq!(v["data"]["candidates"].as_array().map(Vec::len), Some(2));
    for bad in [json!(0), json!(-1), json!(0.00001), json!("x"), json!(1e15)] {
        let (s, v, _) = p
            .initiate(&a, pay(alice.clone(), bob.clone(), bad.clone()), None)
            .await;
        assert_eq!(
            (s, v["errorCode"].as_str()),
            (StatusCode::BAD_REQUEST, Some("IDAAS-VALID-2001")),
            "{bad}: {v}"
        );
    }
    let (s, _, _) = p
        .initiate(&a, json!({"senderTag": alice, "receiverTag": bob, "amount": 1, "narration": "n".repeat(501)}), None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // A disabled receiver tag is refused.
    let (s, _, _) = p
        .call(
            reqwest::Method::PATCH,
            format!("{}/v1/tags/{bob}/disable", p.identity),
            Some(&b.token),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = p
        .initiate(
            &a,
            pay(alice.clone(), format!("{bob}@{}", b.handle), json!(1)),
            None,
        )
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("IDAAS-STATE-5009")),
        "{v}"
    );
}

#[tokio::test]
async fn reject_moves_nothing_and_closes_the_transaction() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("rja", &[&alice]).await;
    let b = p.app("rjb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 25}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    let (s, _, _) = p
        .act(
            &b,
            &reference,
            "reject",
            Some(json!({"reason": "r".repeat(501)})),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v, _) = p
        .act(
            &b,
            &reference,
            "reject",
            Some(json!({"reason": "Out of stock"})),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["status"], "REJECTED");
    assert_eq!(v["data"]["rejectionReason"], "Out of stock");
    let (s, v, _) = p.act(&b, &reference, "accept", None, None).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-STATE-5007"))
    );
    let w = p.wallet(&b).await;
    assert!(
        w.contains("IDAAS-RES-3011"),
        "no wallet, no money moved: {w}"
    );
}

#[tokio::test]
async fn a_callback_url_must_be_on_an_origin_the_sender_allows() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p
        .app_with(
            "cba",
            &[&alice],
            json!({"callbackOrigins": ["https://orders.example.org/any/path"]}),
        )
        .await;
    let b = p.app("cbb", &[&bob]).await;
    let pay = |callback: &str| {
        json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 1,
               "callbackUrl": callback})
    };
    for allowed in [
        "https://example.com/cb/1",
        "https://orders.example.org/cb?order=9",
        "https://orders.example.org:443/x",
    ] {
        let (s, v, _) = p.initiate(&a, pay(allowed), None).await;
        assert_eq!(s, StatusCode::CREATED, "{allowed}: {v}");
    }
    for refused in [
        "https://evil.example.net/cb",
        "https://orders.example.org.evil.net/cb",
        "https://orders.example.org:8443/cb",
        "https://user:pw@example.com/cb",
    ] {
        let (s, v, _) = p.initiate(&a, pay(refused), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{refused}: {v}");
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001");
    }
}
