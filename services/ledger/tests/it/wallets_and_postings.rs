//! Wallet provisioning, statements and the posting rules, on real PostgreSQL.

use crate::common::spawn;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn wallet_provisioning_is_idempotent_and_per_currency() {
    let l = spawn().await;
    let app = Uuid::new_v4();
    let url = format!("{}/v1/wallet", l.base);
    let first: serde_json::Value = l
        .http
        .post(&url)
        .bearer_auth(l.token(app))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second: serde_json::Value = l
        .http
        .post(&url)
        .bearer_auth(l.token(app))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["data"]["id"], second["data"]["id"]);
    assert_eq!(first["data"]["currency"], "NGN");
    assert_eq!(
        first["data"]["applicationName"],
        format!("App {}", &app.to_string()[..8])
    );
    // Numbers with four decimals, as the guide shows them.
    let (_, raw) = (
        0,
        l.http
            .get(&url)
            .bearer_auth(l.token(app))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(raw.contains("\"balance\":0.0000"), "{raw}");

    let (status, v) = l.get("/v1/wallet?currency=USD", app).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["errorCode"], "IDAAS-RES-3011");
    let (status, v) = l.get("/v1/wallet?currency=usd", app).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let resp = l
        .http
        .post(format!("{url}?currency=USD"))
        .bearer_auth(l.token(app))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, v) = l.get("/v1/wallet", Uuid::new_v4()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another app has no wallet: {v}"
    );
    let (status, v) = json_status(l.http.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["errorCode"], "IDAAS-AUTH-1001");
}

async fn json_status(r: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_posting_debits_credits_and_replays_without_moving_twice() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let (status, v, replayed) = l
        .post("TXN-0000000001-AAAAAAAA", a, b, json!(1500.00), "NGN")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert!(!replayed);
    let entries = v["data"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);

    let wa = l.raw("/v1/wallet", a).await;
    let wb = l.raw("/v1/wallet", b).await;
    assert!(
        wa.contains(r#""balance":-1500.0000"#) && wa.contains(r#""totalDebited":1500.0000"#),
        "{wa}"
    );
    assert!(
        wb.contains(r#""balance":1500.0000"#) && wb.contains(r#""totalCredited":1500.0000"#),
        "{wb}"
    );

    let (status, again, replayed) = l
        .post("TXN-0000000001-AAAAAAAA", a, b, json!("1500"), "NGN")
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(replayed);
    assert_eq!(again["data"]["id"], v["data"]["id"]);
    let wb = l.raw("/v1/wallet", b).await;
    assert!(
        wb.contains(r#""balance":1500.0000"#),
        "nothing moved twice: {wb}"
    );

    let (status, conflict, _) = l
        .post("TXN-0000000001-AAAAAAAA", a, b, json!(1), "NGN")
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["errorCode"], "IDAAS-CONF-4008");

    let (status, st) = l.get("/v1/wallet/statement?page=0&size=20", b).await;
    assert_eq!(status, StatusCode::OK);
    let e = &st["data"]["content"][0];
    assert_eq!(st["data"]["totalElements"], 1);
    assert_eq!(e["entryType"], "CREDIT");
    assert_eq!(e["transactionReference"], "TXN-0000000001-AAAAAAAA");
    let raw = l.raw("/v1/wallet/statement", b).await;
    assert!(
        raw.contains(r#""openingBalance":0.0000"#) && raw.contains(r#""closingBalance":1500.0000"#),
        "{raw}"
    );
    assert_eq!(e["currency"], "NGN");
    assert_eq!(
        e["description"],
        format!(
            "Credit from alice (App {}) to bob (App {}) — NGN 1500.0000",
            &a.to_string()[..8],
            &b.to_string()[..8]
        )
    );
    l.assert_invariants().await;
}

#[tokio::test]
async fn decimals_are_exact_and_currencies_separate() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for i in 0..3 {
        let (status, v, _) = l
            .post(&format!("TXN-TENTH-{i}"), a, b, json!(0.1), "NGN")
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let (status, v, _) = l.post("TXN-USD-1", a, b, json!("2.5"), "USD").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let ngn = l.raw("/v1/wallet", b).await;
    assert!(
        ngn.contains(r#""balance":0.3000"#),
        "three payments of 0.1 are exactly 0.3: {ngn}"
    );
    let usd = l.raw("/v1/wallet?currency=USD", b).await;
    assert!(usd.contains(r#""balance":2.5000"#), "{usd}");
    assert!(
        l.raw("/v1/wallet", a)
            .await
            .contains(r#""balance":-0.3000"#),
        "USD never touched NGN"
    );

    let (_, st) = l.get("/v1/wallet/statement?size=2", b).await;
    assert_eq!(st["data"]["totalElements"], 3);
    assert_eq!(st["data"]["totalPages"], 2);
    assert_eq!(
        st["data"]["content"][0]["transactionReference"], "TXN-TENTH-2",
        "newest first"
    );

    for bad in [
        json!(0),
        json!(-5),
        json!(0.00001),
        json!("abc"),
        json!(1e16),
        json!(null),
    ] {
        let (status, v, _) = l.post("TXN-BAD", a, b, bad.clone(), "NGN").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001");
    }
    let (status, _, _) = l.post("TXN-BAD", a, b, json!(1), "ABC").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    l.assert_invariants().await;
}

#[tokio::test]
async fn entries_and_postings_cannot_be_changed_in_the_database() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    l.post("TXN-IMMUTABLE", a, b, json!(10), "NGN").await;
    let mut conn = l.conn().await;
    use diesel_async::RunQueryDsl;
    for sql in [
        "UPDATE ledger_entries SET amount = 1",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries CASCADE",
        "UPDATE postings SET amount = 1",
        "DELETE FROM postings",
    ] {
        let r = diesel::sql_query(sql).execute(&mut conn).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
    l.assert_invariants().await;
}
