//! The dispatcher's own tables: one delivery record per webhook event.

pub mod deliveries;
pub mod schema;
