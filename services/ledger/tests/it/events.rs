//! Every posting is announced on the ledger topic (for settlement) through the outbox.

use std::time::Duration;

use crate::common::spawn;
use idaas_proto::{ledger::v1::LedgerPosted, Message};
use rdkafka::{
    consumer::{Consumer, StreamConsumer},
    Message as _,
};
use serde_json::json;
use uuid::Uuid;

async fn tracing_free_pause(e: &rdkafka::error::KafkaError) {
    eprintln!("consumer not ready yet: {e}");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_posting_publishes_one_ledger_event_with_both_entries() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    l.post("TXN-EVENT-1", a, b, json!(12.5), "NGN").await;
    l.post("TXN-EVENT-1", a, b, json!(12.5), "NGN").await; // a replay publishes nothing new

    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
        "local",
        "ledger",
    )
    .unwrap()
    .kafka;
    kafka.brokers = idaas_testkit::kafka_brokers();
    let topics = idaas_kafka::Topics::new(l.topic_prefix.clone());
    idaas_kafka::ensure_topics(&kafka, &topics.all())
        .await
        .unwrap();
    let consumer: StreamConsumer =
        idaas_kafka::build_consumer(&kafka, &format!("test-{}", Uuid::new_v4())).unwrap();
    consumer
        .subscribe(&[&format!("{}ledger", l.topic_prefix)])
        .unwrap();

    // The service creates its topics in the background: until it has, the broker may answer
    // "unknown topic" to this consumer, which is not yet an answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let msg = loop {
        match tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            Ok(Ok(m)) => break m,
            Ok(Err(e)) => tracing_free_pause(&e).await,
            Err(_) => {}
        }
        assert!(std::time::Instant::now() < deadline, "an event within 30 s");
    };
    let event = LedgerPosted::decode(msg.payload().unwrap()).unwrap();
    assert_eq!(event.transaction_reference, "TXN-EVENT-1");
    assert_eq!(event.amount, "12.5000");
    assert_eq!(event.entries.len(), 2);
    let debit = event
        .entries
        .iter()
        .find(|e| e.entry_type == "DEBIT")
        .unwrap();
    assert_eq!(debit.application_id, a.to_string());
    assert_eq!(debit.closing_balance, "-12.5000");
    assert_eq!(msg.key(), Some("TXN-EVENT-1".as_bytes()));
    // No second event for the replay.
    let next = tokio::time::timeout(Duration::from_secs(2), consumer.recv()).await;
    assert!(next.is_err(), "a replay must not publish again");
}
