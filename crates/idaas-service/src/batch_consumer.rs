//! A consumer-group member that records what it reads in batches: whatever has already arrived
//! is decoded and recorded in one call, and each partition's offset is committed only after
//! its records exist, so a crash re-reads and never drops an event. Recording is retried until
//! it succeeds or the service stops; a message no member can ever read is the decoder's to log
//! and pass (it would block its partition forever).

use std::time::Duration;

use futures::future::BoxFuture;
use idaas_kafka::{
    build_measured_consumer, drain_ready, last_per_partition,
    rdkafka::{
        consumer::{CommitMode, Consumer},
        message::BorrowedMessage,
    },
};
use tokio_util::sync::CancellationToken;

use crate::{chain, message_context::within_message, Infra, ServiceError};

/// A consumer with no message for this long still beats; silence beyond twelve of these means
/// stuck.
const BEAT_EVERY: Duration = Duration::from_secs(5);
/// Events already received are recorded together, one call for up to this many.
const MAX_BATCH: usize = 500;

/// What to read and how the worker is known (heartbeat and logs).
pub struct Subscription {
    pub name: &'static str,
    /// The consumer group, without the topic prefix.
    pub group: &'static str,
    pub topic: String,
}

/// Reads `subscription` until `stop`: `decode` turns each message into the records it asks
/// for (`None`: unreadable, skipped), `record` writes a batch's records.
pub async fn consume_in_batches<T, D, R>(
    infra: &Infra,
    subscription: Subscription,
    stop: CancellationToken,
    decode: D,
    mut record: R,
) where
    D: Fn(&BorrowedMessage<'_>) -> Option<Vec<T>>,
    R: for<'r> FnMut(&'r [T]) -> BoxFuture<'r, Result<(), ServiceError>>,
{
    let Subscription { name, group, topic } = subscription;
    let group = format!("{}{group}", infra.settings.kafka.topic_prefix);
    let consumer = match build_measured_consumer(&infra.settings.kafka, &group) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, consumer = name, "consumer could not be built");
            return;
        }
    };
    if let Err(e) = consumer.subscribe(&[topic.as_str()]) {
        tracing::error!(error = %e, consumer = name, %topic, "consumer could not subscribe");
        return;
    }
    let beat = infra.heartbeats.register(name, BEAT_EVERY * 12);
    let mut tick = tokio::time::interval(BEAT_EVERY);
    loop {
        let message = tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => { beat.beat(); continue; }
            m = consumer.recv() => m,
        };
        beat.beat();
        let first = match message {
            Ok(m) => m,
            Err(e) => {
                // The broker is away; rdkafka reconnects by itself.
                tracing::warn!(error = %e, consumer = name, "receive failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut batch = vec![first];
        drain_ready(&consumer, &mut batch, MAX_BATCH);
        let records: Vec<T> = batch
            .iter()
            .filter_map(|m| within_message(name, m, || decode(m)))
            .flatten()
            .collect();
        // Never commit past a record that is not written: retry until it is, or stop.
        while !records.is_empty() {
            match record(&records).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %chain(&e), consumer = name, records = records.len(), "recording failed; retrying");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
        for message in last_per_partition(&batch) {
            if let Err(e) = consumer.commit_message(message, CommitMode::Async) {
                tracing::warn!(error = %e, consumer = name, "commit failed; the events may be re-read");
            }
        }
    }
}
