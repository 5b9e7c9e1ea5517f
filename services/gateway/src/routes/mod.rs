//! The gateway's HTTP surface: the JWKS at its well-known path, the API's description, and
//! the proxy for every `/api/v1/...` path (the default service: matched last).

mod docs;
mod proxy;

use actix_web::web;

use crate::domain::api_document::JWKS_PATH;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(JWKS_PATH, web::get().to(proxy::jwks))
        .configure(docs::configure)
        .default_service(web::to(proxy::proxy));
}
