//! Ledger service: one wallet per application per currency and an immutable double-entry
//! ledger. A posting writes exactly one DEBIT and one CREDIT with exact running balances,
//! once per transaction reference, and announces itself on the ledger topic.

mod app;
mod clients;
mod domain;
mod routes;
mod store;

pub use app::{build, build_with_clock, SERVICE};

/// The public endpoints of this service, described from its types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <routes::ApiDoc as utoipa::OpenApi>::openapi()
}
