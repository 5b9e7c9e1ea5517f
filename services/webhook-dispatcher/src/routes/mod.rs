//! HTTP surface of the dispatcher: delivery records, for the applications they concern.

mod deliveries;
mod internal;
mod views;

use actix_web::web;
use idaas_web::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    deliveries::configure(cfg);
    // Service-to-service only: the gateway routes nothing under /internal.
    cfg.service(
        resource(idaas_contracts::deliveries::SUMMARY_PATH).route(web::get().to(internal::summary)),
    );
}

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    deliveries::of_transaction,
    deliveries::receiver,
    deliveries::sender,
    deliveries::failed,
    deliveries::one,
    deliveries::retry,
))]
pub struct ApiDoc;
