use idaas_config::KafkaSettings;
use idaas_telemetry::metrics::gauge;
use rdkafka::{
    consumer::{ConsumerContext, StreamConsumer},
    producer::FutureProducer,
    ClientConfig, ClientContext, Statistics,
};

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

fn consumer_config(settings: &KafkaSettings, group_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
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
        .set("socket.nagle.disable", "true");
    config
}

/// A consumer that commits only what the caller marks processed.
pub fn build_consumer(
    settings: &KafkaSettings,
    group_id: &str,
) -> Result<StreamConsumer, KafkaError> {
    Ok(consumer_config(settings, group_id).create()?)
}

/// How often librdkafka reports its statistics, and so how fresh the lag gauge is.
const STATS_INTERVAL_MS: &str = "15000";

/// Publishes each assigned partition's consumer lag (messages behind the partition's end) from
/// librdkafka's statistics as `idaas_consumer_lag{group, topic, partition}`.
pub struct LagReporter {
    group: String,
}

impl ClientContext for LagReporter {
    fn stats(&self, statistics: Statistics) {
        for (topic, t) in statistics.topics {
            // Partition -1 is librdkafka's internal "unassigned" queue. A lag of -1 is unknown:
            // a partition not (or no longer) assigned here, whose last figure must not stay
            // behind as if it were still this consumer's, so it reads 0.
            for p in t.partitions.values() {
                if p.partition < 0 {
                    continue;
                }
                gauge!(
                    "idaas_consumer_lag",
                    "group" => self.group.clone(),
                    "topic" => topic.clone(),
                    "partition" => p.partition.to_string()
                )
                .set(p.consumer_lag.max(0) as f64);
            }
        }
    }
}

impl ConsumerContext for LagReporter {}

/// A service's own consumer: as [`build_consumer`], reporting its lag.
pub type MeasuredConsumer = StreamConsumer<LagReporter>;

pub fn build_measured_consumer(
    settings: &KafkaSettings,
    group_id: &str,
) -> Result<MeasuredConsumer, KafkaError> {
    Ok(consumer_config(settings, group_id)
        .set("statistics.interval.ms", STATS_INTERVAL_MS)
        .create_with_context(LagReporter {
            group: group_id.to_owned(),
        })?)
}
