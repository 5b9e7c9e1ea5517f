//! Identity's rules on input: parse requests into values that are valid by construction.

pub mod applications;
pub mod checks;
pub mod claims;
pub mod consent;
pub mod delivery;
pub mod events;
pub mod federation;
pub mod idempotency;
pub mod registration;
pub mod resolution;
pub mod subject;
pub mod subjects;
pub mod tag;
pub mod tags;
pub mod tokens;
pub mod transfer;
