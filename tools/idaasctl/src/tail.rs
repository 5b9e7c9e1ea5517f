//! Reading a topic from a position — its start, its end, or the first event at or after a
//! time — without joining any consumer group's offsets: a tail never moves what the services
//! have committed.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use idaas_config::KafkaSettings;
use idaas_kafka::{
    headers,
    rdkafka::{
        consumer::{Consumer, StreamConsumer},
        error::KafkaError,
        message::{BorrowedMessage, Message},
        ClientConfig, Offset, TopicPartitionList,
    },
};
use serde_json::{json, Value};

use crate::{
    contracts::{Contracts, Topic},
    CtlError,
};

const BROKER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where reading starts on every partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Beginning,
    End,
    Since(DateTime<Utc>),
}

/// What to read and when to stop.
#[derive(Debug, Clone, Copy)]
pub struct Tail {
    pub start: Start,
    /// Keep waiting for new events instead of stopping at the end of every partition.
    pub follow: bool,
    /// Stop after this many events.
    pub limit: Option<usize>,
}

fn consumer(kafka: &KafkaSettings) -> Result<StreamConsumer, CtlError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        // Required by librdkafka, never used: partitions are assigned, offsets never committed.
        .set("group.id", format!("idaasctl-{}", uuid::Uuid::new_v4()))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "true")
        .set("fetch.wait.max.ms", kafka.fetch_wait_max_ms.to_string())
        .create()?)
}

/// Each partition of `topic` with the offset to start at.
fn assignment(
    c: &StreamConsumer,
    topic: &str,
    start: Start,
) -> Result<TopicPartitionList, CtlError> {
    let metadata = c.fetch_metadata(Some(topic), BROKER_TIMEOUT)?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        return Err(CtlError::Usage(format!(
            "topic {topic} does not exist on the brokers"
        )));
    }
    let mut list = TopicPartitionList::new();
    for p in &partitions {
        let offset = match start {
            Start::Beginning => Offset::Beginning,
            Start::End => Offset::End,
            Start::Since(t) => Offset::Offset(t.timestamp_millis()),
        };
        list.add_partition_offset(topic, *p, offset)?;
    }
    if let Start::Since(_) = start {
        // Each partition's first offset whose timestamp is at or after the time; a partition
        // with none starts at its end (only what arrives later).
        let found = c.offsets_for_times(list, BROKER_TIMEOUT)?;
        list = TopicPartitionList::new();
        for e in found.elements() {
            let offset = match e.offset() {
                Offset::Offset(n) => Offset::Offset(n),
                _ => Offset::End,
            };
            list.add_partition_offset(topic, e.partition(), offset)?;
        }
    }
    Ok(list)
}

/// One event as a JSON line: where it is, its key and headers, and the event itself decoded
/// (or, if it does not decode as the topic's contract, its bytes in base64).
fn record(
    contracts: &Contracts,
    topic: &Topic,
    m: &BorrowedMessage<'_>,
) -> Result<Value, CtlError> {
    let payload = m.payload().unwrap_or_default();
    let timestamp = m
        .timestamp()
        .to_millis()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .map(|t| t.to_rfc3339());
    let hdrs = m.headers();
    let header = |name: &str| hdrs.and_then(|h| headers::get(h, name));
    let mut line = json!({
        "topic": m.topic(),
        "partition": m.partition(),
        "offset": m.offset(),
        "timestamp": timestamp,
        "key": m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
        "eventId": header(headers::EVENT_ID),
        "eventType": header(headers::EVENT_TYPE),
    });
    match contracts.decode(topic, payload)? {
        Some(event) => line["event"] = event,
        None => {
            line["undecodable"] =
                Value::String(base64::engine::general_purpose::STANDARD.encode(payload))
        }
    }
    Ok(line)
}

/// An event older than `--since`: skipped. The seek already starts each partition at its first
/// event at or after the time on Apache Kafka; a broker that answers that lookup loosely (tansu
/// starts at the beginning) must not widen the window.
fn before(start: &Start, m: &BorrowedMessage<'_>) -> bool {
    match (start, m.timestamp().to_millis()) {
        (Start::Since(t), Some(ms)) => ms < t.timestamp_millis(),
        _ => false,
    }
}

/// Reads `topic` as `how` says, handing each event to `emit` (which returns false to stop).
/// Returns how many were handed over.
pub async fn run(
    kafka: &KafkaSettings,
    contracts: &Contracts,
    topic: &Topic,
    how: Tail,
    mut emit: impl FnMut(Value) -> Result<bool, CtlError>,
) -> Result<usize, CtlError> {
    let c = consumer(kafka)?;
    let list = assignment(&c, &topic.full, how.start)?;
    let partitions = list.count();
    c.assign(&list)?;
    let mut at_end = std::collections::HashSet::new();
    let mut seen = 0usize;
    loop {
        if how.limit.is_some_and(|l| seen >= l) {
            return Ok(seen);
        }
        if !how.follow && at_end.len() >= partitions {
            return Ok(seen);
        }
        match c.recv().await {
            Ok(m) => {
                at_end.remove(&m.partition());
                if before(&how.start, &m) {
                    continue;
                }
                seen += 1;
                if !emit(record(contracts, topic, &m)?)? {
                    return Ok(seen);
                }
            }
            Err(KafkaError::PartitionEOF(p)) => {
                at_end.insert(p);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
