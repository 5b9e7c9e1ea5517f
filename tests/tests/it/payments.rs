//! Sections 8, 10 and 12 through the gateway, against the six real processes: two
//! applications, a payment initiated by one and accepted by the other, both wallets moved once.

use e2e::Platform;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn pay_accept_and_read_both_wallets_through_the_gateway() {
    let p = Platform::start().await;
    let http = &p.http;
    let (_, wallet_app, a) = p.register("wallet").await;
    let (_, shop_app, b) = p.register("shop").await;
    for (token, tag) in [(&a, "alice"), (&b, "bob")] {
        let (s, w) = send(http.post(p.api("/v1/wallet")).bearer_auth(token)).await;
        assert_eq!(s, StatusCode::OK, "{w}\n{}", p.logs());
        let (_, subj) = send(
            http.post(p.api("/v1/subjects"))
                .bearer_auth(token)
                .json(&json!({"externalId": "u1"})),
        )
        .await;
        let (s, t) = send(
            http.post(p.api("/v1/tags"))
                .bearer_auth(token)
                .json(&json!({"tag": tag, "subjectId": subj["data"]["id"]})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
    }

    let (s, init) = send(
        http.post(p.api("/v1/transactions"))
            .bearer_auth(&a)
            .header("Idempotency-Key", "550e8400-e29b-41d4-a716-446655440000")
            .json(&json!({"senderTag": format!("alice@{wallet_app}"), "receiverTag": format!("bob@{shop_app}"),
                          "amount": 1500.00, "currency": "NGN", "narration": "Payment for order #99"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{init}\n{}", p.logs());
    let reference = init["data"]["reference"].as_str().unwrap().to_owned();

    let (s, pending) = send(http.get(p.api("/v1/transactions/pending")).bearer_auth(&b)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        pending["data"]["content"][0]["reference"],
        reference.as_str()
    );

    let (s, acc) = send(
        http.post(p.api(&format!("/v1/transactions/{reference}/accept")))
            .bearer_auth(&b),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{acc}\n{}", p.logs());
    assert_eq!(acc["data"]["status"], "COMPLETED");

    let raw = |token: &str, path: &str| {
        let req = http.get(p.api(path)).bearer_auth(token.to_owned());
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let wa = raw(&a, "/v1/wallet").await;
    let wb = raw(&b, "/v1/wallet").await;
    assert!(wa.contains(r#""balance":-1500.0000"#), "{wa}");
    assert!(
        wb.contains(r#""balance":1500.0000"#) && wb.contains(r#""totalCredited":1500.0000"#),
        "{wb}"
    );
    let st = raw(&b, "/v1/wallet/statement?page=0&size=20").await;
    assert!(
        st.contains(r#""entryType":"CREDIT""#) && st.contains(&reference),
        "{st}"
    );

    let (s, e) = send(
        http.get(p.api(&format!("/v1/transactions/{reference}")))
            .bearer_auth(&a),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(e["data"]["status"], "COMPLETED");
}
