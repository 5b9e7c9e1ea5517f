//! The dispatcher's two loops: the consumer records every webhook event once; the deliverer
//! attempts due deliveries, many at a time, each on its own.

pub mod consumer;
pub mod deliverer;
