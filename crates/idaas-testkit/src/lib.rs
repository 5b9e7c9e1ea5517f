//! Tests run against the real PostgreSQL, Redis and broker, isolated by name: every test gets
//! its own database, topic prefix and platform keys, so tests run in parallel.
#![allow(clippy::expect_used, clippy::panic)]

mod clock;
mod env;
mod harness;
mod ledger_invariants;
mod receiver;
mod settings;
mod smtp_sink;
mod test_db;

pub use clock::ManualClock;
pub use env::{kafka_brokers, postgres_server_url, redis_url};
pub use harness::{
    clear_revocations, init_telemetry, jwks, post_to_ledger, serve, stand_in, Served,
};
pub use ledger_invariants::LEDGER_INVARIANTS;
pub use receiver::{receiver, Received, Receiver, HANG};
pub use settings::{test_settings, TestKeys, SERVICE_KEY_NAMES};
pub use smtp_sink::{SentMail, SmtpSink};
pub use test_db::TestDb;
