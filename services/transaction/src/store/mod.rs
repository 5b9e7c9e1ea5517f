//! Diesel queries over the transaction service's own tables.

pub mod idempotency;
pub mod schema;
pub mod transactions;
