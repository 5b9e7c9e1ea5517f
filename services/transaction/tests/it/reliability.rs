//! Idempotency, races, expiry and the accept saga's recovery after a crash or outage.

use std::time::Duration;

use crate::common::{spawn, spawn_with, unique};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn idempotency_keys_replay_conflict_and_validate() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("ida", &[&alice]).await;
    let b = p.app("idb", &[&bob]).await;
    let body =
        json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 10});
    let (s1, v1, r1) = p.initiate(&a, body.clone(), Some("key-1")).await;
    let (s2, v2, r2) = p.initiate(&a, body.clone(), Some("key-1")).await;
    assert_eq!((s1, r1), (StatusCode::CREATED, false));
    assert_eq!(
        (s2, r2),
        (StatusCode::CREATED, true),
        "same status, flagged as a replay"
    );
    assert_eq!(v1, v2, "same body");
    let (_, sent) = p.get(&a, "/v1/transactions/sent").await;
    assert_eq!(sent["data"]["totalElements"], 1, "no duplicate payment");

    let mut other = body.clone();
    other["amount"] = json!(11);
    let (s, v, _) = p.initiate(&a, other, Some("key-1")).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-CONF-4008"))
    );
    // Scoped per application: another app may use the same key.
    let (s, _, r) = p
        .initiate(
            &b,
            json!({"senderTag": bob, "receiverTag": format!("{alice}@{}", a.handle), "amount": 1}),
            Some("key-1"),
        )
        .await;
    assert_eq!((s, r), (StatusCode::CREATED, false));
    for bad in ["".to_owned(), "k".repeat(256)] {
        let (s, v, _) = p.initiate(&a, body.clone(), Some(&bad)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["errors"][0].as_str().unwrap().contains("Idempotency-Key"));
    }
    // A failure is not stored: the same key works once the request is valid.
    let (s, _, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": bob, "amount": 0}),
            Some("key-2"),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, r) = p.initiate(&a, body.clone(), Some("key-2")).await;
    assert_eq!((s, r), (StatusCode::CREATED, false));

    // Accept is idempotent too.
    let reference = v1["data"]["reference"].as_str().unwrap().to_owned();
    let (s1, acc1, _) = p.act(&b, &reference, "accept", None, Some("acc-1")).await;
    let (s2, acc2, r2) = p.act(&b, &reference, "accept", None, Some("acc-1")).await;
    assert_eq!(
        (s1, s2, r2),
        (StatusCode::OK, StatusCode::OK, true),
        "{acc1} {acc2}"
    );
    assert_eq!(acc1, acc2);
}

#[tokio::test]
async fn fifty_concurrent_accepts_post_exactly_once() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("raca", &[&alice]).await;
    let b = p.app("racb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 42}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    let results = join_all((0..50).map(|_| p.act(&b, &reference, "accept", None, None))).await;
    let ok = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    let conflicts = results
        .iter()
        .filter(|r| r.1["errorCode"] == "IDAAS-STATE-5007")
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 49),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(p.wallet(&b).await.contains(r#""balance":42.0000"#));
    assert!(p.wallet(&a).await.contains(r#""totalDebited":42.0000"#));
}

#[tokio::test]
async fn overdue_transactions_expire_by_job_and_on_accept() {
    let p = spawn_with(|s| {
        s.transactions.expiry_seconds = 60;
        s.transactions.expiry_job_seconds = 1;
    })
    .await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("expa", &[&alice]).await;
    let b = p.app("expb", &[&bob]).await;
    let body =
        json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 5});
    let (_, v, _) = p.initiate(&a, body.clone(), None).await;
    let by_job = v["data"]["reference"].as_str().unwrap().to_owned();
    let (_, t) = p.get(&b, &format!("/v1/transactions/{by_job}")).await;
    assert_eq!(
        t["data"]["status"], "AWAITING_ACCEPTANCE",
        "not before its time: {t}"
    );
    // Its deadline passes on the service's clock; the job (every second) expires it.
    p.clock.advance(chrono::Duration::seconds(61));
    let mut t = serde_json::Value::Null;
    for _ in 0..50 {
        t = p.get(&b, &format!("/v1/transactions/{by_job}")).await.1;
        if t["data"]["status"] == "EXPIRED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(t["data"]["status"], "EXPIRED", "{t}");
    assert!(t["data"]["expiredAt"].is_string());
    let (s, e, _) = p.act(&b, &by_job, "accept", None, None).await;
    assert_eq!(
        (s, e["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-STATE-5007"))
    );
    assert!(
        p.wallet(&b).await.contains("IDAAS-RES-3011"),
        "no money moved"
    );
}

#[tokio::test]
async fn accept_past_the_deadline_is_422_even_before_the_job_runs() {
    let p = spawn_with(|s| {
        s.transactions.expiry_seconds = 60;
        s.transactions.expiry_job_seconds = 3600;
    })
    .await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("lata", &[&alice]).await;
    let b = p.app("latb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 5}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    p.clock.advance(chrono::Duration::seconds(61));
    let (s, e, _) = p.act(&b, &reference, "accept", None, None).await;
    assert_eq!(
        (s, e["errorCode"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("IDAAS-STATE-5008")),
        "{e}"
    );
    let (_, t) = p.get(&a, &format!("/v1/transactions/{reference}")).await;
    assert_eq!(t["data"]["status"], "EXPIRED");
}

#[tokio::test]
async fn a_half_done_accept_is_completed_after_restart_with_one_posting() {
    // First instance: its ledger is unreachable, as if the ledger died mid-accept.
    let p = spawn_with(|s| {
        if let Some(l) = s.services.get_mut("ledger") {
            l.url = "http://127.0.0.1:9".into();
        }
        s.transactions.recovery_seconds = 3600;
    })
    .await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("reca", &[&alice]).await;
    let b = p.app("recb", &[&bob]).await;
    let (_, v, _) = p.initiate(&a, json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 99.5}), None).await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    let (s, e, _) = p.act(&b, &reference, "accept", None, Some("acc")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{e}");
    let (_, t) = p.get(&b, &format!("/v1/transactions/{reference}")).await;
    assert_eq!(t["data"]["status"], "ACCEPTING");
    let (s, e, _) = p.act(&b, &reference, "accept", None, Some("acc")).await;
    assert_eq!(
        (s, e["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-CONF-4008")),
        "still in progress"
    );

    // Worst case: the posting reached the ledger but COMPLETED was never written.
    let posted = p
        .post_to_ledger(&json!({"reference": reference, "amount": "99.5", "currency": "NGN",
            "sender": {"applicationId": a.id, "applicationName": format!("App {}", a.handle), "tag": format!("{alice}@{}", a.handle)},
            "receiver": {"applicationId": b.id, "applicationName": format!("App {}", b.handle), "tag": format!("{bob}@{}", b.handle)}}))
        .await;
    assert_eq!(posted.status(), StatusCode::CREATED);

    // A restarted instance with a working ledger finishes it.
    recover_on_a_new_instance(&p, &b, &reference, "COMPLETED").await;
    let w = p.wallet(&b).await;
    assert!(
        w.contains(r#""balance":99.5000"#),
        "exactly one posting: {w}"
    );
    // The waiting key now replays the outcome.
    let (s, v, r) = p.act(&b, &reference, "accept", None, Some("acc")).await;
    assert_eq!((s, r), (StatusCode::OK, true), "{v}");
    assert_eq!(v["data"]["status"], "COMPLETED");
}

#[tokio::test]
async fn concurrent_accepts_never_starve_a_small_pool() {
    // Each accept once held a connection while waiting for a second: with more accepts than
    // connections, all of them waited forever.
    let p = spawn_with(|s| s.database.pool_size = 2).await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("pola", &[&alice]).await;
    let b = p.app("polb", &[&bob]).await;
    let mut references = Vec::new();
    for _ in 0..12 {
        let (s, v, _) = p.initiate(&a, json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 1}), None).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        references.push(v["data"]["reference"].as_str().unwrap().to_owned());
    }
    let accepts = join_all(
        references
            .iter()
            .map(|r| p.act(&b, r, "accept", None, None)),
    );
    let results = tokio::time::timeout(Duration::from_secs(60), accepts)
        .await
        .expect("no accept may hang");
    for (s, v, _) in &results {
        assert_eq!(*s, StatusCode::OK, "{v}");
    }
    assert!(p.wallet(&b).await.contains(r#""balance":12.0000"#));
}

/// Starts a transaction instance whose recovery worker runs every second, and waits until it
/// has driven `reference` to `want`.
async fn recover_on_a_new_instance(
    p: &crate::common::Platform,
    b: &crate::common::App,
    reference: &str,
    want: &str,
) {
    // Past the moment it was accepted on the services' clock, so it counts as stale.
    p.clock.advance(chrono::Duration::seconds(1));
    p.start_transaction(&|s| {
        s.transactions.recovery_seconds = 1;
        s.transactions.recovery_after_seconds = 0;
    })
    .await;
    let mut status = String::new();
    for _ in 0..50 {
        let (_, t) = p.get(b, &format!("/v1/transactions/{reference}")).await;
        status = t["data"]["status"].as_str().unwrap_or_default().to_owned();
        if status == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, want);
}

/// The ledger already holds this reference with another amount, so it refuses our posting
/// (a mismatched replay): the payment must end FAILED, not stay ACCEPTING.
async fn occupy_reference(
    p: &crate::common::Platform,
    a: &crate::common::App,
    b: &crate::common::App,
    reference: &str,
) {
    let r = p
        .post_to_ledger(
            &json!({"reference": reference, "amount": "1", "currency": "NGN",
            "sender": {"applicationId": a.id, "applicationName": "x", "tag": "x@x"},
            "receiver": {"applicationId": b.id, "applicationName": "y", "tag": "y@y"}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_refused_posting_fails_the_payment_and_completes_its_key() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("fla", &[&alice]).await;
    let b = p.app("flb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 40}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    occupy_reference(&p, &a, &b, &reference).await;

    let (s, e, _) = p.act(&b, &reference, "accept", None, Some("k-fail")).await;
    assert_eq!(
        (s, e["errorCode"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("IDAAS-STATE-5010")),
        "{e}"
    );
    assert_eq!(e["data"]["status"], "FAILED", "{e}");
    assert!(
        e["data"]["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("IDAAS-CONF-4008")),
        "the reason names the ledger's refusal: {e}"
    );
    // The key is complete: a retry replays the same answer instead of 409 forever.
    let (s2, e2, replayed) = p.act(&b, &reference, "accept", None, Some("k-fail")).await;
    assert_eq!(
        (s2, replayed),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{e2}"
    );
    assert_eq!(e2["errorCode"], "IDAAS-STATE-5010");
    // Both parties see it FAILED; no money moved for it (the occupying posting moved 1).
    let (_, t) = p.get(&a, &format!("/v1/transactions/{reference}")).await;
    assert_eq!(t["data"]["status"], "FAILED");
    assert!(p.wallet(&b).await.contains(r#""balance":1.0000"#));
    // A new decision is refused: FAILED is terminal.
    let (s, e, _) = p.act(&b, &reference, "accept", None, None).await;
    assert_eq!(
        (s, e["errorCode"].as_str()),
        (StatusCode::CONFLICT, Some("IDAAS-STATE-5007"))
    );
}

#[tokio::test]
async fn the_recovery_worker_fails_a_refused_posting_instead_of_looping() {
    // The accept's own ledger call cannot get through; the worker finds the row later.
    let p = spawn_with(|s| {
        if let Some(l) = s.services.get_mut("ledger") {
            l.url = "http://127.0.0.1:9".into();
        }
        s.transactions.recovery_seconds = 3600;
    })
    .await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("fwa", &[&alice]).await;
    let b = p.app("fwb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 12}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    let (s, _, _) = p.act(&b, &reference, "accept", None, Some("k-rec")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    occupy_reference(&p, &a, &b, &reference).await;

    recover_on_a_new_instance(&p, &b, &reference, "FAILED").await;
    let (s, e, replayed) = p.act(&b, &reference, "accept", None, Some("k-rec")).await;
    assert_eq!(
        (s, replayed),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{e}"
    );
}
