//! Reading a topic from a position — its start, its end, or the first event at or after a
//! time — without joining any consumer group's offsets: a tail never moves what the services
//! have committed.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use idaas_config::KafkaSettings;
use idaas_kafka::{
    headers,
    rdkafka::{
        consumer::{Consumer, StreamConsumer},
        error::KafkaError,
        message::{BorrowedMessage, Message},
        Offset, TopicPartitionList,
    },
};
use serde_json::{json, Value};

use crate::{
    contracts::{Contracts, Topic},
    CtlError,
};

const BROKER_TIMEOUT: Duration = Duration::from_secs(10);
/// Without `--follow`, the longest wait for the next event or end-of-partition.
const IDLE: Duration = Duration::from_secs(30);

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
    Ok(idaas_kafka::client_config(kafka)
        // Required by librdkafka, never used: partitions are assigned, offsets never committed.
        .set("group.id", format!("idaasctl-{}", uuid::Uuid::new_v4()))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "true")
        .set("fetch.wait.max.ms", kafka.fetch_wait_max_ms.to_string())
        .create()?)
}

/// What to read: each partition with the offset to start at, and where each partition ended
/// when the tail began (its high watermark), which is where a tail without `--follow` stops.
struct Plan {
    list: TopicPartitionList,
    ends: HashMap<i32, i64>,
    /// Partitions with nothing to read before their end: empty, or starting at it.
    done: HashSet<i32>,
}

fn plan(c: &StreamConsumer, topic: &str, start: Start) -> Result<Plan, CtlError> {
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
    let mut bounds = HashMap::new();
    for p in &partitions {
        bounds.insert(*p, c.fetch_watermarks(topic, *p, BROKER_TIMEOUT)?);
    }
    let mut starts: HashMap<i32, Offset> = partitions
        .iter()
        .map(|p| {
            let offset = match start {
                Start::Beginning => Offset::Beginning,
                Start::End => Offset::End,
                Start::Since(t) => Offset::Offset(t.timestamp_millis()),
            };
            (*p, offset)
        })
        .collect();
    if let Start::Since(_) = start {
        // Each partition's first offset whose timestamp is at or after the time; a partition
        // with none starts at its end (only what arrives later).
        let mut ask = TopicPartitionList::new();
        for (p, offset) in &starts {
            ask.add_partition_offset(topic, *p, *offset)?;
        }
        for e in c.offsets_for_times(ask, BROKER_TIMEOUT)?.elements() {
            let offset = match e.offset() {
                Offset::Offset(n) => Offset::Offset(n),
                _ => Offset::End,
            };
            starts.insert(e.partition(), offset);
        }
    }
    let mut list = TopicPartitionList::new();
    let mut done = HashSet::new();
    for (p, offset) in &starts {
        list.add_partition_offset(topic, *p, *offset)?;
        let (low, high) = bounds.get(p).copied().unwrap_or((0, 0));
        let first = match offset {
            Offset::Beginning => low,
            Offset::Offset(n) => *n,
            _ => high,
        };
        if first >= high {
            done.insert(*p);
        }
    }
    let ends = bounds.into_iter().map(|(p, (_, high))| (p, high)).collect();
    Ok(Plan { list, ends, done })
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
    let Plan {
        list,
        ends,
        mut done,
    } = plan(&c, &topic.full, how.start)?;
    let partitions = list.count();
    c.assign(&list)?;
    let mut seen = 0usize;
    loop {
        if how.limit.is_some_and(|l| seen >= l) {
            return Ok(seen);
        }
        if !how.follow && done.len() >= partitions {
            return Ok(seen);
        }
        let next = if how.follow {
            c.recv().await
        } else {
            // Without --follow every partition has an end to reach: a broker that stops
            // answering is an error, not a wait without end.
            tokio::time::timeout(IDLE, c.recv()).await.map_err(|_| {
                CtlError::Usage(format!("no progress reading {} for {IDLE:?}", topic.full))
            })?
        };
        match next {
            Ok(m) => {
                let p = m.partition();
                let end = ends.get(&p).copied().unwrap_or(i64::MAX);
                if !how.follow && (done.contains(&p) || m.offset() >= end) {
                    // Arrived after the tail began: past the end it was asked to read to.
                    done.insert(p);
                    continue;
                }
                if !how.follow && m.offset() + 1 >= end {
                    done.insert(p);
                }
                if before(&how.start, &m) {
                    continue;
                }
                seen += 1;
                if !emit(record(contracts, topic, &m)?)? {
                    return Ok(seen);
                }
            }
            Err(KafkaError::PartitionEOF(p)) => {
                done.insert(p);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
