//! Messaging plumbing. Services never publish directly after a database write: they insert an
//! [`OutboxMessage`] in the same transaction and the [`OutboxRelay`] publishes it.

mod admin;
mod batch;
mod client;
mod error;
pub mod headers;
mod outbox;
mod relay;
mod topics;

pub use admin::{ensure_topics, missing_topics, probe};
pub use batch::{drain_ready, last_per_partition};
pub use client::{
    build_consumer, build_measured_consumer, build_producer, client_config, LagReporter,
    MeasuredConsumer,
};
pub use error::KafkaError;
pub use outbox::{
    backlog, insert_outbox, insert_outbox_all, oldest_unpublished_age, unpublished_count, Backlog,
    OutboxMessage, OUTBOX_MIGRATIONS,
};
pub use relay::{OutboxRelay, RelayHandle};
pub use topics::Topics;

pub use rdkafka;
