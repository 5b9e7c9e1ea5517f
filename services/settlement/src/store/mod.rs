//! Diesel queries over settlement's own tables.

pub mod batches;
pub mod posted;
pub mod schema;
