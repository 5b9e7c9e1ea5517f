//! Consuming in batches: whatever has already arrived is handled together, then committed.

use std::collections::HashMap;

use futures::FutureExt;
use rdkafka::{
    consumer::{ConsumerContext, StreamConsumer},
    message::{BorrowedMessage, Message},
};

/// Adds to `batch` the messages that are already waiting, up to `max` in all, without waiting.
pub fn drain_ready<'c, C: ConsumerContext + 'static>(
    consumer: &'c StreamConsumer<C>,
    batch: &mut Vec<BorrowedMessage<'c>>,
    max: usize,
) {
    while batch.len() < max {
        match consumer.recv().now_or_never() {
            Some(Ok(m)) => batch.push(m),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "consumer: receive failed");
                break;
            }
            None => break,
        }
    }
}

/// The last message of each partition in `batch`: committing it commits the partition's
/// messages before it.
pub fn last_per_partition<'a, 'c>(
    batch: &'a [BorrowedMessage<'c>],
) -> Vec<&'a BorrowedMessage<'c>> {
    let mut last: HashMap<(&str, i32), &BorrowedMessage<'c>> = HashMap::new();
    for m in batch {
        last.insert((m.topic(), m.partition()), m);
    }
    last.into_values().collect()
}
