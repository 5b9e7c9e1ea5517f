//! webhook-dispatcher's integration tests: one binary, on real PostgreSQL, Redis and the
//! broker, with the real identity service and a real HTTP receiver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod delivery;
mod records;
