//! Typed clients of the services the ledger asks for an answer now.

pub mod identity;
