//! Transaction service: cross-application payments. The sender initiates, the receiver accepts
//! (a saga that posts to the ledger exactly once) or rejects; overdue payments expire. Every
//! state change writes its webhook request and domain event to the outbox in the same commit.

mod app;
mod clients;
mod domain;
mod routes;
mod store;
mod workers;

pub use app::{build, build_with_clock, SERVICE};

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
