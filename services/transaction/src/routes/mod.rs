//! HTTP surface of the transaction service: extract, call a flow in `domain`, render.

mod transactions;

pub use transactions::configure;

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    transactions::initiate,
    transactions::sent,
    transactions::received,
    transactions::pending,
    transactions::get,
    transactions::accept,
    transactions::reject,
))]
pub struct ApiDoc;
