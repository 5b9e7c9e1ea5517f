//! Transaction service: cross-application payments. The sender initiates, the receiver accepts
//! (a saga that posts to the ledger exactly once) or rejects; overdue payments expire. Every
//! state change writes its webhook request and domain event to the outbox in the same commit.

mod answer;
pub mod clients;
pub mod decision;
pub mod domain;
mod idempotency;
mod initiation;
mod initiation_request;
mod notifications;
mod reference;
mod routes;
mod store;
mod view;
pub mod workers;

use std::sync::Arc;

use actix_web::web;
use idaas_auth::TokenVerifier;
use idaas_config::TransactionSettings;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Infra, Running, StartupError};

pub const SERVICE: &str = "transaction";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/transaction");

/// What the flows need beyond the shared infrastructure.
pub struct TxState {
    pub clients: clients::Clients,
    pub settings: TransactionSettings,
}

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    let url = |name: &str| {
        settings
            .service(name)
            .map(|s| s.url.clone())
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| StartupError::Other(format!("services.{name}.url is not set")))
    };
    let internal = idaas_service::InternalClient::new(SERVICE, &settings)?;
    let clients = clients::Clients::new(internal, &url("identity")?, &url("ledger")?);
    let state = Arc::new(TxState {
        clients,
        settings: settings.transactions.clone(),
    });
    let verifier = Arc::new(
        TokenVerifier::from_jwks_url(&settings.auth.issuer, &settings.auth.jwks_url)
            .map_err(|e| StartupError::Other(e.to_string()))?,
    );
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), verifier).await?;
    let (worker_infra, worker_state) = (infra.clone(), state.clone());
    infra.supervisor.spawn("transaction-workers", move |stop| {
        workers::run(worker_infra, worker_state, stop)
    });
    let listener = idaas_service::bind(&infra.settings, SERVICE)?;
    let data = web::Data::from(state);
    idaas_service::serve(infra, listener, move |cfg| {
        cfg.app_data(data.clone());
        routes::configure(cfg);
    })
}
