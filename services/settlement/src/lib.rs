//! Settlement service: end-of-day net positions per application and currency (section 13),
//! built from the ledger's events, proved against the ledger before they complete, published
//! once to the settlements topic.

mod app;
mod clients;
mod domain;
pub mod ops;
mod routes;
mod store;
mod workers;

pub use app::{build, build_with_clock, SERVICE};
pub use domain::window::Cutoff;

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
