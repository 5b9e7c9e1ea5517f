//! The transaction service's rules, free of SQL and HTTP.

mod status;

pub use status::{InvalidTransition, TransactionStatus, Transition};
