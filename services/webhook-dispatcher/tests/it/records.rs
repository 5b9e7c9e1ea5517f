//! Delivery records: both parties of a payment see its records (only their own endpoint and
//! errors), anyone else gets 404; the failed list is each application's own.

use std::time::Duration;

use idaas_proto::transaction::v1::WebhookDispatch;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{receiver, spawn};

fn event(
    direction: &str,
    target: &str,
    sender: &str,
    receiver: &str,
    url: &str,
    reference: &str,
) -> WebhookDispatch {
    WebhookDispatch {
        event_id: uuid::Uuid::now_v7().to_string(),
        direction: direction.into(),
        event_type: if direction == "RECEIVER" {
            "TRANSACTION_INITIATED"
        } else {
            "TRANSACTION_COMPLETED"
        }
        .into(),
        transaction_reference: reference.into(),
        target_application_id: target.into(),
        target_url: url.into(),
        payload_json: json!({"event": "x", "transaction": {"reference": reference}}).to_string(),
        occurred_at: chrono::Utc::now().to_rfc3339(),
        sender_application_id: sender.into(),
        receiver_application_id: receiver.into(),
    }
}

#[tokio::test]
async fn both_parties_see_a_payments_records_and_nobody_else_does() {
    let p = spawn().await;
    let (hook_a, hook_b) = (receiver(vec![]), receiver(vec![]));
    let a = p.app(&hook_a.url, false).await;
    let b = p.app(&hook_b.url, false).await;
    let stranger = p.app(&hook_b.url, false).await;
    let reference = "TXN-1741082580-RECORDS1";
    let to_b = event("RECEIVER", &b.id, &a.id, &b.id, &hook_b.url, reference);
    let to_a = event("SENDER", &a.id, &a.id, &b.id, &hook_a.url, reference);
    let (eb, ea) = (to_b.event_id.clone(), to_a.event_id.clone());
    p.send(to_b).await;
    p.send(to_a).await;
    assert_eq!(p.settled(&eb, Duration::from_secs(20)).await.0, "DELIVERED");
    assert_eq!(p.settled(&ea, Duration::from_secs(20)).await.0, "DELIVERED");

    let path = format!("/v1/transactions/{reference}/webhooks");
    for (me, other_url) in [(&a, &hook_b.url), (&b, &hook_a.url)] {
        let (s, v) = p.get(me, &path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let records = v["data"].as_array().unwrap();
        assert_eq!(records.len(), 2, "{v}");
        for r in records {
            assert_eq!(r["status"], "DELIVERED");
            assert_eq!(r["attempts"], 1);
            let mine = r["targetUrl"].is_string();
            assert_eq!(
                mine,
                r["direction"] == if me.id == a.id { "SENDER" } else { "RECEIVER" },
                "{r}"
            );
            assert_ne!(
                r["targetUrl"].as_str(),
                Some(other_url.as_str()),
                "never the other party's URL"
            );
        }
    }
    let (s, v) = p.get(&b, &format!("{path}/receiver")).await;
    assert_eq!(
        (s, v["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    assert_eq!(v["data"][0]["direction"], "RECEIVER");

    // A stranger: the list, one side, and the record by id are all 404.
    let (s, v) = p.get(&stranger, &path).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::NOT_FOUND, Some("IDAAS-RES-3010"))
    );
    let (s, _) = p.get(&stranger, &format!("{path}/sender")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let id = hook_b.all()[0].header("X-IDaaS-Delivery").to_owned();
    let (s, _) = p.get(&stranger, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = p.get(&a, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(
        (s, v["data"]["direction"].as_str()),
        (StatusCode::OK, Some("RECEIVER"))
    );
    let (s, _) = p.get(&a, "/v1/webhooks/not-a-uuid").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let resp = p
        .http
        .get(format!("{}{path}", p.dispatcher))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_failed_list_is_the_callers_own() {
    let p = spawn().await;
    let hook = receiver(vec![]);
    let a = p.app(&hook.url, false).await;
    let b = p.app(&hook.url, false).await;
    let reference = "TXN-1741082580-FAILED01";
    let lost = event("SENDER", &a.id, &a.id, &b.id, "", reference);
    let id = lost.event_id.clone();
    p.send(lost).await;
    assert_eq!(p.settled(&id, Duration::from_secs(20)).await.0, "FAILED");

    let (s, v) = p.get(&a, "/v1/webhooks/failed?page=0&size=20").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["totalElements"], 1, "{v}");
    assert_eq!(v["data"]["content"][0]["transactionReference"], reference);
    assert!(v["data"]["content"][0]["lastError"].is_string());
    let (_, v) = p.get(&b, "/v1/webhooks/failed").await;
    assert_eq!(
        v["data"]["totalElements"], 0,
        "b's deliveries did not fail: {v}"
    );
    let (s, _) = p.get(&a, "/v1/webhooks/failed?size=1000").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_application_a_delivery_is_for_can_retry_it_once_more() {
    let p = spawn().await;
    let hook = receiver(vec![500, 500, 500]);
    let a = p.app(&hook.url, false).await;
    let b = p.app(&hook.url, false).await;
    let stranger = p.app(&hook.url, false).await;
    let reference = "TXN-1741082580-RETRY001";
    let lost = event("RECEIVER", &b.id, &a.id, &b.id, &hook.url, reference);
    let event_id = lost.event_id.clone();
    p.send(lost).await;
    assert_eq!(
        p.settled(&event_id, Duration::from_secs(20)).await.0,
        "FAILED"
    );
    let id = hook.all()[0].header("X-IDaaS-Delivery").to_owned();

    // The payer sees the record but it is not its to retry; a stranger does not see it.
    let (s, v) = p.post(&a, &format!("/v1/webhooks/{id}/retry")).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::FORBIDDEN, Some("IDAAS-AUTH-1006"))
    );
    let (s, _) = p.post(&stranger, &format!("/v1/webhooks/{id}/retry")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, v) = p.post(&b, &format!("/v1/webhooks/{id}/retry")).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    // One manual attempt, with the same delivery id, and the record says how it went.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let record = loop {
        let (_, v) = p.get(&b, &format!("/v1/webhooks/{id}")).await;
        if v["data"]["status"] == "DELIVERED" || std::time::Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(record["data"]["status"], "DELIVERED", "{record}");
    assert_eq!(record["data"]["attempts"], 4);
    assert_eq!(hook.count(), 4);
    assert!(hook
        .all()
        .iter()
        .all(|r| r.header("X-IDaaS-Delivery") == id));
}
