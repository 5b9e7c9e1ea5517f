//! ledger's integration tests: one binary, on real PostgreSQL, Redis and the broker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod concurrency;
mod events;
mod wallets_and_postings;
