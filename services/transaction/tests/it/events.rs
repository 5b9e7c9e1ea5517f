//! Every state change reaches Kafka through the outbox: webhook requests and domain events.

use std::time::Duration;

use crate::common::{spawn, unique};
use idaas_proto::{
    transaction::v1::{TransactionEvent, WebhookDispatch},
    Message,
};
use rdkafka::{
    consumer::{Consumer, StreamConsumer},
    Message as _,
};
use serde_json::{json, Value};

async fn drain(consumer: &StreamConsumer, want: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while out.len() < want && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            let key = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
            out.push((key, m.payload().unwrap_or_default().to_vec()));
        }
    }
    out
}

fn consumer(topic: &str) -> StreamConsumer {
    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
        "local",
        "transaction",
    )
    .unwrap()
    .kafka;
    kafka.brokers = idaas_testkit::kafka_brokers();
    let c: StreamConsumer =
        idaas_kafka::build_consumer(&kafka, &format!("test-{}", uuid::Uuid::new_v4())).unwrap();
    c.subscribe(&[topic]).unwrap();
    c
}

#[tokio::test]
async fn webhooks_and_domain_events_follow_each_state_change() {
    let p = spawn().await;
    let (alice, bob) = (unique("al"), unique("bo"));
    let a = p.app("evta", &[&alice]).await;
    let b = p.app("evtb", &[&bob]).await;
    let (_, v, _) = p
        .initiate(
            &a,
            json!({"senderTag": alice, "receiverTag": format!("{bob}@{}", b.handle), "amount": 3,
                             "callbackUrl": "https://example.com/cb"}),
            None,
        )
        .await;
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();
    p.act(&b, &reference, "accept", None, None).await;

    let hooks = drain(&consumer(&format!("{}webhooks", p.prefix)), 2).await;
    assert_eq!(hooks.len(), 2, "RECEIVER then SENDER");
    let decoded: Vec<WebhookDispatch> = hooks
        .iter()
        .map(|(_, p)| WebhookDispatch::decode(p.as_slice()).unwrap())
        .collect();
    assert!(
        hooks.iter().all(|(k, _)| *k == reference),
        "keyed by reference"
    );
    assert_eq!(
        (
            decoded[0].direction.as_str(),
            decoded[0].event_type.as_str()
        ),
        ("RECEIVER", "TRANSACTION_INITIATED")
    );
    assert_eq!(decoded[0].target_application_id, b.id);
    assert_eq!(decoded[0].target_url, "https://example.com/hook");
    assert_eq!(
        (
            decoded[1].direction.as_str(),
            decoded[1].event_type.as_str()
        ),
        ("SENDER", "TRANSACTION_COMPLETED")
    );
    assert_eq!(
        decoded[1].target_url, "https://example.com/cb",
        "callbackUrl wins over the registered URL"
    );
    let body: Value = serde_json::from_str(&decoded[1].payload_json).unwrap();
    assert_eq!(body["event"], "TRANSACTION_COMPLETED");
    assert_eq!(body["transaction"]["reference"], reference.as_str());
    assert!(decoded[1].payload_json.contains(r#""amount":3.0000"#));

    let states = drain(&consumer(&format!("{}transactions", p.prefix)), 3).await;
    let statuses: Vec<String> = states
        .iter()
        .map(|(_, p)| TransactionEvent::decode(p.as_slice()).unwrap().status)
        .collect();
    assert_eq!(statuses, ["AWAITING_ACCEPTANCE", "ACCEPTING", "COMPLETED"]);
}
