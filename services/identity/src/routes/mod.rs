//! HTTP surface of identity: parse → domain → store → envelope.

mod applications;
mod auth;
mod claims;
mod consent;
mod federation;
mod idempotent;
mod internal;
mod keys;
mod subjects;
mod tags;
mod transfer;
mod views;

use actix_web::web;
use idaas_web::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/.well-known/jwks.json").route(web::get().to(keys::jwks)))
        .service(
            resource("/v1/applications")
                .route(web::post().to(applications::register))
                .route(web::get().to(applications::list)),
        )
        .service(
            resource("/v1/applications/keys/rotate")
                .route(web::post().to(applications::rotate_keys)),
        )
        .service(
            resource("/v1/applications/webhook-secret/rotate")
                .route(web::post().to(applications::rotate_webhook_secret)),
        )
        .service(resource("/v1/applications/{id}").route(web::get().to(applications::get)))
        .service(
            resource("/v1/applications/{id}/deactivate")
                .route(web::patch().to(applications::deactivate)),
        )
        .service(resource("/v1/auth/token").route(web::post().to(auth::token)))
        .service(resource("/v1/keys/idaas").route(web::get().to(keys::idaas)))
        .service(
            resource("/v1/subjects")
                .route(web::post().to(subjects::create))
                .route(web::get().to(subjects::list)),
        )
        .service(resource("/v1/subjects/{id}").route(web::get().to(subjects::get)))
        .service(resource("/v1/subjects/{id}/tags").route(web::get().to(subjects::tags)))
        .service(
            resource("/v1/tags")
                .route(web::post().to(tags::create))
                .route(web::get().to(tags::list)),
        )
        .service(resource("/v1/tags/{tag}").route(web::get().to(tags::resolve)))
        .service(resource("/v1/tags/{tag}/disable").route(web::patch().to(tags::disable)))
        .service(resource("/v1/tags/{tag}/enable").route(web::patch().to(tags::enable)))
        .service(resource("/v1/tags/{tag}/transfer").route(web::post().to(transfer::transfer)))
        .service(
            resource("/v1/tags/{tag}/claims")
                .route(web::post().to(claims::request))
                .route(web::get().to(claims::list)),
        )
        .service(resource("/v1/claims/{id}").route(web::get().to(claims::get)))
        .service(resource("/v1/claims/{id}/revoke").route(web::post().to(claims::revoke)))
        .service(resource("/v1/consent/{token}").route(web::get().to(consent::view)))
        .service(resource("/v1/consent/{token}/approve").route(web::post().to(consent::approve)))
        .service(resource("/v1/consent/{token}/deny").route(web::post().to(consent::deny)))
        .service(
            resource("/v1/tags/{tag}/federation")
                .route(web::post().to(federation::initiate))
                .route(web::get().to(federation::get)),
        )
        .service(
            resource("/v1/tags/{tag}/federation/{id}").route(web::delete().to(federation::remove)),
        )
        .service(
            resource("/v1/federation/verify/{challenge}").route(web::post().to(federation::verify)),
        )
        // Service-to-service only: the gateway routes nothing under /internal.
        .service(
            resource(idaas_contracts::tags::RESOLUTIONS_PATH)
                .route(web::get().to(internal::resolve_tags)),
        )
        .service(
            resource(idaas_contracts::tags::RESOLVE_PATH)
                .route(web::get().to(internal::resolve_tag)),
        )
        .service(
            resource(idaas_contracts::applications::DELIVERY_PROFILE_PATH)
                .route(web::get().to(internal::delivery_profile)),
        );
}

/// This service's public endpoints, as the gateway publishes them (under `/api`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    applications::register,
    applications::list,
    applications::get,
    applications::deactivate,
    applications::rotate_keys,
    applications::rotate_webhook_secret,
    auth::token,
    keys::idaas,
    subjects::create,
    subjects::list,
    subjects::get,
    subjects::tags,
    tags::create,
    tags::list,
    tags::resolve,
    tags::disable,
    tags::enable,
    transfer::transfer,
    claims::request,
    claims::list,
    claims::get,
    claims::revoke,
    consent::view,
    consent::approve,
    consent::deny,
    federation::initiate,
    federation::get,
    federation::remove,
    federation::verify,
))]
pub struct ApiDoc;

/// Path ids are UUIDs; anything else is a 400 naming the parameter, not a 500 or a 404.
fn parse_id(raw: &str, field: &str) -> Result<uuid::Uuid, idaas_api::ApiError> {
    uuid::Uuid::parse_str(raw)
        .map_err(|_| idaas_api::ApiError::validation(vec![format!("{field} must be a UUID")]))
}
