//! Builds identity: its keys and cache, the shared infrastructure, the revocation sync and
//! idempotency purge workers, and the server.

mod state;

use std::sync::Arc;

use actix_web::web;
use idaas_auth::TokenVerifier;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Application, Clock, Infra, StartupError, SystemClock};

pub use state::IdentityState;

use crate::{notify, routes, workers};

pub const SERVICE: &str = "identity";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/identity");

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    build_with_clock(settings, Arc::new(SystemClock)).await
}

/// As `build`, on the given clock (what claims and consent tokens expire by): tests move past
/// a 48-hour expiry without waiting for it.
pub async fn build_with_clock(
    settings: idaas_config::Settings,
    clock: Arc<dyn Clock>,
) -> Result<Application, StartupError> {
    let state = web::Data::new(IdentityState::from_settings(&settings, clock).await?);
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
    if state.mail_enabled() {
        let (mail_infra, mail_state) = (infra.clone(), state.clone());
        infra.supervisor.spawn("consent-mail", move |stop| {
            notify::consent_mail::run(mail_infra, mail_state, stop)
        });
    }
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, move |cfg| {
        cfg.app_data(state.clone());
        routes::configure(cfg);
    })
}
