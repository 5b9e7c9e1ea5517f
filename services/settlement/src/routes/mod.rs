//! HTTP surface of settlement: batches, for every application (its own entry only).

mod batches;
pub mod views;

pub use batches::configure;

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(batches::list, batches::one, batches::by_date, batches::run))]
pub struct ApiDoc;
