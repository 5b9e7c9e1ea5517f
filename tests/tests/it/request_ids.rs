//! The request id an integrator quotes: every error body names it (`requestId`), the same id the
//! answer's `X-Request-Id` carries, whether the gateway answered or a service behind it did.

use e2e::Platform;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn error_bodies_name_the_request_id_end_to_end() {
    let p = Platform::start().await;
    let a = p.tenant("ra").await;

    // Answered by the transaction service behind the gateway, with the caller's own id.
    let resp = p
        .http
        .get(p.api("/v1/transactions/TXN-1700000000-NOSUCH00"))
        .bearer_auth(&a.token)
        .header("X-Request-Id", "ticket-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(resp.headers()["x-request-id"], "ticket-4711");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["requestId"], "ticket-4711", "{body}");
    assert!(body["errorCode"].is_string(), "{body}");

    // Answered by the gateway itself (no token), with an id it made up.
    let resp = p.http.get(p.api("/v1/wallet")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let header = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = resp.json().await.unwrap();
    assert!(!header.is_empty());
    assert_eq!(body["requestId"], header.as_str(), "{body}");
}

/// Rows of `service`'s outbox whose headers carry `request_id` (published rows stay a while).
async fn events_with(p: &Platform, service: &str, request_id: &str) -> i64 {
    use diesel::{sql_types::BigInt, QueryableByName};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(&p.database_url(service))
        .await
        .unwrap();
    diesel::sql_query("SELECT COUNT(*) AS n FROM outbox WHERE headers->>'x-request-id' = $1")
        .bind::<diesel::sql_types::Text, _>(request_id)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
}

#[tokio::test]
async fn the_events_a_request_causes_carry_its_id_the_ledgers_batched_posting_too() {
    let p = Platform::start().await;
    let a = p.tenant("rb").await;
    let b = p.tenant("rc").await;
    let reference = p.initiate(&a, &b, "3.00").await;
    let resp = p
        .http
        .post(p.api(&format!("/v1/transactions/{reference}/accept")))
        .bearer_auth(&b.token)
        .header("X-Request-Id", "accept-ticket-9")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // The transaction's own state change, and the ledger's posting, written by its batch task.
    assert!(events_with(&p, "transaction", "accept-ticket-9").await >= 1);
    assert_eq!(events_with(&p, "ledger", "accept-ticket-9").await, 1);
}
