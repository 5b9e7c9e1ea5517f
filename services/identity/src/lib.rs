//! Identity service: applications and their credentials, platform tokens and keys, subjects
//! and tags. It signs every application token and publishes the JWKS others verify against.

mod app;
mod domain;
mod routes;
mod store;
mod workers;

pub use app::{build, IdentityState, SERVICE};

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
