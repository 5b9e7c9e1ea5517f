//! What settlement asks other services.

pub mod ledger;
