//! Settlement against the real ledger, PostgreSQL and broker, each on a clock the test moves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod days;
mod proof;
