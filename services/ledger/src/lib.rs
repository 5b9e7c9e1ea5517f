//! Ledger service: per-application wallets and the immutable double-entry ledger.
//!
//! Its domain arrives with a later issue; today it runs on the shared chassis: it migrates its
//! own database (the outbox), creates the platform topics, relays its outbox and answers health.

use idaas_service::{Running, StartupError};

pub const SERVICE: &str = "ledger";

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    // No tables of its own yet: the chassis applies the shared outbox schema.
    idaas_service::start(SERVICE, settings, None, |_routes| {}).await
}
