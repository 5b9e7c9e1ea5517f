//! identity's integration tests: one binary, on real PostgreSQL, Redis and the broker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod claims;
mod common;
mod delivery_profile;
mod events_and_storage;
mod federation;
mod idempotency;
mod internal_resolution;
mod onboarding;
mod tenancy;
mod transfer;
