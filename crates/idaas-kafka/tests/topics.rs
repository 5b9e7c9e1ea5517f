//! Against the local broker: what ensure_topics creates, missing_topics no longer names; a
//! topic nobody created, it does (what a service outside the local profile logs at start-up).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[tokio::test]
async fn missing_topics_names_exactly_the_ones_not_on_the_brokers() {
    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
        "local",
        "ledger",
    )
    .unwrap()
    .kafka;
    if let Ok(brokers) = std::env::var("IDAAS_TEST_KAFKA_BROKERS") {
        kafka.brokers = brokers;
    }
    let prefix = format!("m{}.", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let made = vec![format!("{prefix}ledger"), format!("{prefix}webhooks")];
    let never = format!("{prefix}never-created");
    let mut asked = made.clone();
    asked.push(never.clone());

    let before = idaas_kafka::missing_topics(&kafka, &asked).await.unwrap();
    assert_eq!(before.len(), 3, "{before:?}");
    idaas_kafka::ensure_topics(&kafka, &made).await.unwrap();
    // Metadata may lag a creation by a moment.
    let mut after = Vec::new();
    for _ in 0..50 {
        after = idaas_kafka::missing_topics(&kafka, &asked).await.unwrap();
        if after.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(after, vec![never]);
}
