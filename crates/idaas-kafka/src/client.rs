use idaas_config::KafkaSettings;
use rdkafka::{consumer::StreamConsumer, producer::FutureProducer, ClientConfig};

use crate::KafkaError;

/// An idempotent producer: retries never duplicate or reorder within a partition.
pub fn build_producer(settings: &KafkaSettings) -> Result<FutureProducer, KafkaError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", settings.linger_ms.to_string())
        .set("message.timeout.ms", "30000")
        // Small, latency-bound requests: never held back waiting for more to send.
        .set("socket.nagle.disable", "true")
        .create()?)
}

/// A consumer that commits only what the caller marks processed.
pub fn build_consumer(
    settings: &KafkaSettings,
    group_id: &str,
) -> Result<StreamConsumer, KafkaError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        .set("group.id", group_id)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "10000")
        // A topic created after the consumer subscribed (services create theirs in the
        // background) is seen within seconds, not librdkafka's default five minutes.
        .set("topic.metadata.refresh.interval.ms", "5000")
        // Kafka answers a fetch as soon as there is data; a broker that holds it for the whole
        // wait (tansu does) makes this the latency floor: the local profile sets it low.
        .set("fetch.wait.max.ms", settings.fetch_wait_max_ms.to_string())
        // Small, latency-bound requests: never held back waiting for more to send.
        .set("socket.nagle.disable", "true")
        .create()?)
}
