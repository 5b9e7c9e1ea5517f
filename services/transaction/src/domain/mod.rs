//! The transaction service's rules and flows: states and transitions, initiation, the accept
//! saga, idempotency and the answers stored for replays. Flows call `store` for their SQL and
//! `clients` for the other services; nothing here knows about HTTP.

pub mod answer;
pub mod decision;
pub mod idempotency;
pub mod initiation;
pub mod initiation_request;
pub mod lookup;
pub mod notifications;
pub mod reference;
mod status;
pub mod view;

pub use status::{InvalidTransition, KeyStatus, TransactionStatus, Transition};
