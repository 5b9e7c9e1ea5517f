//! Diesel queries over identity's own tables; nothing here knows about HTTP.

pub mod applications;
pub mod claims;
pub mod idempotency;
pub mod links;
pub mod schema;
pub mod subjects;
pub mod tag_cache;
pub mod tags;
