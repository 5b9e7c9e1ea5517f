//! Identity service: applications and their credentials, platform tokens and keys, subjects
//! and tags, claims and consent, federation and transfer. It signs every application token and publishes the JWKS others verify against.

mod app;
mod domain;
mod notify;
mod routes;
mod store;
mod workers;

pub use app::{build, build_with_clock, IdentityState, SERVICE};

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
