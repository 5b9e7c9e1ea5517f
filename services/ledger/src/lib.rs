//! Ledger service: one wallet per application per currency and an immutable double-entry
//! ledger. A posting writes exactly one DEBIT and one CREDIT with exact running balances,
//! once per transaction reference, and announces itself on the ledger topic.

mod app_directory;
mod domain;
pub mod posting;
mod posting_request;
mod routes;
mod store;

use actix_web::web;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Running, StartupError};

pub const SERVICE: &str = "ledger";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/ledger");

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    let identity_url = settings
        .service("identity")
        .map(|s| s.url.clone())
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| StartupError::Other("services.identity.url is not set".into()))?;
    let directory = web::Data::new(
        app_directory::AppDirectory::new(&identity_url)
            .map_err(|e| StartupError::Other(e.to_string()))?,
    );
    idaas_service::start(SERVICE, settings, Some(MIGRATIONS), move |cfg| {
        cfg.app_data(directory.clone());
        routes::configure(cfg);
    })
    .await
}
