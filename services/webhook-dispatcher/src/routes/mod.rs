//! HTTP surface of the dispatcher: delivery records, for the applications they concern.

mod deliveries;
mod views;

pub use deliveries::configure;

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    deliveries::of_transaction,
    deliveries::receiver,
    deliveries::sender,
    deliveries::failed,
    deliveries::one,
))]
pub struct ApiDoc;
