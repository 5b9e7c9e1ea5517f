//! Settlement's background work: building its view from the ledger's events, and running each
//! closed day.

pub mod consumer;
pub mod scheduler;
