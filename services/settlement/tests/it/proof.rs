//! A batch completes only when it reconciles with the ledger: an event that has not arrived, or
//! a ledger that cannot be asked, is a FAILED batch with the reason, completed once resolved.

use std::time::Duration;

use idaas_kafka::rdkafka::{
    consumer::Consumer,
    producer::{FutureProducer, FutureRecord},
    Message,
};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::{at, serve_settlement, spawn, Platform};

/// The date's NGN batch as `settlement show` prints it for operators.
async fn operator_view(p: &Platform, date: &str) -> serde_json::Value {
    let show =
        settlement::ops::Command::parse(&["show".into(), "--date".into(), date.into()]).unwrap();
    let all = settlement::ops::run_with(&p.settlement_settings, &show)
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "NGN")
        .cloned()
        .unwrap()
}

/// The LedgerPosted event of `reference`, as the ledger published it.
async fn ledger_event(p: &Platform, reference: &str) -> Vec<u8> {
    let group = format!("test-{}", Uuid::new_v4());
    let consumer = idaas_kafka::build_consumer(&p.settlement_settings.kafka, &group).unwrap();
    consumer.subscribe(&[p.topics.ledger().as_str()]).unwrap();
    loop {
        let m = tokio::time::timeout(Duration::from_secs(15), consumer.recv())
            .await
            .expect("the ledger's event")
            .unwrap();
        if m.key() == Some(reference.as_bytes()) {
            return m.payload().unwrap().to_vec();
        }
    }
}

#[tokio::test]
async fn a_late_event_fails_the_day_until_it_arrives_then_it_completes() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T08:00:00Z", a, b, "40", "NGN").await;
    let late = p.pay("2024-05-10T09:00:00Z", a, b, "2", "NGN").await;
    p.recorded(4).await;
    let event = ledger_event(&p, &late).await;
    // As if that event had not arrived yet.
    let mut c = p.db().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "DELETE FROM posted_entries WHERE transaction_reference = '{late}'"
        )),
        &mut c,
    )
    .await
    .unwrap();

    p.clock.set(at("2024-05-11T01:00:00Z"));
    let (s, v) = p.run("2024-05-10", a).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["data"]["status"], "FAILED",
        "never COMPLETED with wrong numbers: {v}"
    );
    // The tenant learns the kind of failure, not other applications' wallets...
    let told = v["data"]["errorMessage"].as_str().unwrap_or_default();
    assert!(told.contains("does not reconcile"), "{told}");
    assert!(
        !told.contains("wallet") && !told.contains(&b.to_string()),
        "{told}"
    );
    // ...the operator the differences.
    let shown = operator_view(&p, "2024-05-10").await;
    let reason = shown["errorMessage"].as_str().unwrap_or_default();
    assert!(
        reason.contains("1 postings here, 2 in the ledger"),
        "{reason}"
    );
    assert_eq!(
        p.count("SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'SettlementCompleted' AND message_key = '2024-05-10:NGN'").await,
        0
    );

    // The event arrives.
    let producer: FutureProducer =
        idaas_kafka::build_producer(&p.settlement_settings.kafka).unwrap();
    producer
        .send(
            FutureRecord::to(&p.topics.ledger())
                .key(&late)
                .payload(&event),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    p.recorded(4).await;

    // A tenant's run before the retry time answers the FAILED batch as it stands.
    let (_, v) = p.run("2024-05-10", a).await;
    assert_eq!(v["data"]["status"], "FAILED");
    // The job's retry after `retry_seconds` completes it...
    p.clock.set(at("2024-05-11T01:06:00Z"));
    let (_, v) = p.run("2024-05-10", a).await;
    assert_eq!(v["data"]["status"], "COMPLETED", "{v}");
    assert_eq!(v["data"]["transactionCount"], 2);
    assert!(v["data"].get("errorMessage").is_none(), "{v}");
    assert_eq!(
        p.count("SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'SettlementCompleted' AND message_key = '2024-05-10:NGN'").await,
        1
    );
}

/// Runs 2024-05-10 as `a` on a replica whose ledger does not answer: the batch is FAILED.
async fn run_without_the_ledger(p: &Platform, a: Uuid) {
    let mut cut_off = p.settlement_settings.clone();
    if let Some(l) = cut_off.services.get_mut("ledger") {
        l.url = "http://127.0.0.1:9".into();
    }
    let stranded = serve_settlement(&cut_off, p.clock.clone()).await;
    let (s, v) = p.run_on(&stranded, "date=2024-05-10", a).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["status"], "FAILED", "{v}");
}

#[tokio::test]
async fn an_unreachable_ledger_fails_the_batch_and_an_operator_reruns_it() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T08:00:00Z", a, b, "7", "NGN").await;
    p.recorded(2).await;
    p.clock.set(at("2024-05-11T01:00:00Z"));
    run_without_the_ledger(&p, a).await;
    let reason = operator_view(&p, "2024-05-10").await["errorMessage"].clone();
    assert!(
        reason
            .as_str()
            .unwrap_or_default()
            .contains("the ledger could not be asked"),
        "{reason}"
    );

    // The operator re-runs it (the retry time has not come): with the ledger there, it completes.
    let rerun = settlement::ops::Command::parse(&[
        "rerun".into(),
        "--date".into(),
        "2024-05-10".into(),
        "--by".into(),
        "ops-on-call".into(),
    ])
    .unwrap();
    let shown = settlement::ops::run_with(&p.settlement_settings, &rerun)
        .await
        .unwrap();
    let ngn = shown
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "NGN")
        .unwrap();
    assert_eq!(ngn["status"], "COMPLETED", "{shown}");
    assert_eq!(ngn["entries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_batch_failed_for_an_unreachable_ledger_is_tried_again_within_seconds() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T08:00:00Z", a, b, "7", "NGN").await;
    p.recorded(2).await;
    p.clock.set(at("2024-05-11T01:00:00Z"));
    // A replica that ran while the ledger was down (a restart).
    run_without_the_ledger(&p, a).await;

    // Before unavailable_retry_seconds (15 s) a tenant's run answers it as it stands...
    p.clock.set(at("2024-05-11T01:00:10Z"));
    let (_, v) = p.run("2024-05-10", a).await;
    assert_eq!(v["data"]["status"], "FAILED", "{v}");
    // ...after it, not retry_seconds (5 minutes) later, the run asks the ledger again.
    p.clock.set(at("2024-05-11T01:00:16Z"));
    let (_, v) = p.run("2024-05-10", a).await;
    assert_eq!(v["data"]["status"], "COMPLETED", "{v}");
    assert_eq!(v["data"]["transactionCount"], 1, "{v}");
}
