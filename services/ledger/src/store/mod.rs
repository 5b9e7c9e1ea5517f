//! Diesel queries over the ledger's own tables.

pub mod entries;
pub mod postings;
pub mod schema;
pub mod wallets;
pub mod window;
