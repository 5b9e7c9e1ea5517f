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
