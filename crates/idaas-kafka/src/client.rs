use idaas_config::KafkaSettings;
use idaas_telemetry::metrics::gauge;
use rdkafka::{
    consumer::{ConsumerContext, StreamConsumer},
    producer::FutureProducer,
    ClientConfig, ClientContext, Statistics,
};

use crate::KafkaError;

/// Every client's starting point: the brokers and how to reach them securely (TLS, SASL), as
/// `kafka.*` says. Producers, consumers, the admin client and the probe all start here, so a
/// managed Kafka needs its settings in one place only.
pub fn client_config(settings: &KafkaSettings) -> ClientConfig {
    let protocol = settings.security_protocol.to_ascii_lowercase();
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.brokers)
        .set("security.protocol", &protocol);
    if protocol.starts_with("sasl_") {
        config
            .set("sasl.mechanism", &settings.sasl_mechanism)
            .set("sasl.username", &settings.sasl_username)
            .set("sasl.password", settings.sasl_password.expose());
    }
    if !settings.ssl_ca_location.is_empty() {
        config.set("ssl.ca.location", &settings.ssl_ca_location);
    }
    config
}

/// An idempotent producer: retries never duplicate or reorder within a partition.
pub fn build_producer(settings: &KafkaSettings) -> Result<FutureProducer, KafkaError> {
    Ok(client_config(settings)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", settings.linger_ms.to_string())
        .set("message.timeout.ms", "30000")
        // Small, latency-bound requests: never held back waiting for more to send.
        .set("socket.nagle.disable", "true")
        .create()?)
}

fn consumer_config(settings: &KafkaSettings, group_id: &str) -> ClientConfig {
    let mut config = client_config(settings);
    config
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

#[cfg(test)]
mod tests {
    use rdkafka::consumer::BaseConsumer;

    use super::*;

    fn local() -> KafkaSettings {
        idaas_config::load_from(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
            "local",
            "ledger",
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .kafka
    }

    #[test]
    fn plaintext_by_default_and_sasl_only_when_asked() {
        let plain = client_config(&local());
        assert_eq!(plain.get("security.protocol"), Some("plaintext"));
        assert_eq!(plain.get("sasl.username"), None);
        assert_eq!(plain.get("ssl.ca.location"), None);

        let mut managed = local();
        managed.security_protocol = "SASL_SSL".into();
        managed.sasl_mechanism = "SCRAM-SHA-512".into();
        managed.sasl_username = "idaas-ledger".into();
        managed.sasl_password = "s3cret".to_owned().into();
        managed.ssl_ca_location = "/etc/idaas/kafka-ca.pem".into();
        let c = client_config(&managed);
        assert_eq!(c.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(c.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
        assert_eq!(c.get("sasl.username"), Some("idaas-ledger"));
        assert_eq!(c.get("sasl.password"), Some("s3cret"));
        assert_eq!(c.get("ssl.ca.location"), Some("/etc/idaas/kafka-ca.pem"));
        // And the secret stays out of the settings' Debug output.
        assert!(!format!("{managed:?}").contains("s3cret"));
    }

    #[test]
    fn librdkafka_is_built_with_tls_and_scram() {
        // Without OpenSSL at build time librdkafka refuses these at configuration time.
        let mut managed = local();
        managed.security_protocol = "sasl_ssl".into();
        managed.sasl_mechanism = "SCRAM-SHA-256".into();
        managed.sasl_username = "u".into();
        managed.sasl_password = "p".to_owned().into();
        let made: Result<BaseConsumer, _> = client_config(&managed).create();
        assert!(made.is_ok(), "{:?}", made.err());
    }
}
