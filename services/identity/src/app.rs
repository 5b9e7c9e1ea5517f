//! Builds identity: its keys and cache, the shared infrastructure, the revocation sync and
//! idempotency purge workers, and the server.

mod state;

use std::sync::Arc;

use actix_web::web;
use idaas_auth::TokenVerifier;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Application, Infra, StartupError};

pub use state::IdentityState;

use crate::{routes, workers};

pub const SERVICE: &str = "identity";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/identity");

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    let state = IdentityState::from_settings(&settings).await?;
    // Identity holds the signing keys, so it verifies against them directly, not over HTTP.
    let verifier = TokenVerifier::with_keys(&settings.auth.issuer, &state.signing_public_keys())
        .map_err(|e| StartupError::key("keys.token_signing_key", e))?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), Arc::new(verifier)).await?;
    let (pool, revocations) = (
        infra.pool.clone(),
        infra.authenticator.revocations().clone(),
    );
    infra.supervisor.spawn("revocation-sync", move |stop| {
        workers::revocation_sync::run(pool, revocations, stop)
    });
    let purge_infra = infra.clone();
    infra.supervisor.spawn("idempotency-purge", move |stop| {
        workers::idempotency_purge::run(purge_infra, stop)
    });
    let state = web::Data::new(state);
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, move |cfg| {
        cfg.app_data(state.clone());
        routes::configure(cfg);
    })
}
