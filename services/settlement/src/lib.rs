//! Settlement service: end-of-day net positions per application, published to the settlements topic.
//!
//! Its domain arrives with a later issue; today it runs on the shared chassis: it migrates its
//! own database (the outbox), creates the platform topics, relays its outbox and answers health.

mod app;

pub use app::{build, SERVICE};
