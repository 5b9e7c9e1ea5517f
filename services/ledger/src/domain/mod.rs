//! The ledger's rules: entry types and the one flow that moves money (calling `store` for its
//! SQL, inside one database transaction).

pub mod batch;
mod entry_type;
pub mod posting;
pub mod posting_queue;
pub mod posting_request;
pub mod wallets;

pub use entry_type::EntryType;
