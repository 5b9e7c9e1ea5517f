//! Webhook dispatcher: consumes the webhooks topic and delivers each event to the application
//! it concerns: signed (section 15), JWE-encrypted when the application asks, retried on the
//! guide's schedule, dead-lettered when the attempts run out, and recorded throughout.

mod app;
mod clients;
mod domain;
pub mod ops;
mod routes;
mod store;
mod workers;

pub use app::{build, SERVICE};

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
