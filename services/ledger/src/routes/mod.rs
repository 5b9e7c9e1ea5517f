//! HTTP surface of the ledger.

mod postings;
mod views;
pub(crate) mod wallet;
mod window;

use actix_web::web;
use idaas_web::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/wallet")
            .route(web::post().to(wallet::provision))
            .route(web::get().to(wallet::get)),
    )
    .service(resource("/v1/wallet/statement").route(web::get().to(wallet::statement)))
    // Service-to-service only: the gateway routes nothing under /internal, and the handler
    // takes a `ServiceCall`, so every request needs a service credential.
    .service(resource(idaas_contracts::postings::PATH).route(web::post().to(postings::post)))
    .service(resource(idaas_contracts::ledger_window::PATH).route(web::get().to(window::totals)));
}

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(wallet::provision, wallet::get, wallet::statement))]
pub struct ApiDoc;
