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
    let consumer: StreamConsumer =
        idaas_kafka::build_consumer(&kafka, &format!("test-{}", Uuid::new_v4())).unwrap();
    consumer
        .subscribe(&[&format!("{}ledger", l.topic_prefix)])
        .unwrap();

    let msg = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
        .await
        .expect("an event within 30 s")
        .unwrap();
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
