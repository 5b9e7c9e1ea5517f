//! Identity service: applications and their credentials, platform tokens and keys, subjects
//! and tags. It signs every application token and publishes the JWKS others verify against.

mod cache;
mod domain;
mod events;
mod routes;
mod state;
mod store;
mod workers;

use std::sync::Arc;

use actix_web::web;
use idaas_auth::TokenVerifier;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Infra, Running, StartupError};

pub use state::IdentityState;

pub const SERVICE: &str = "identity";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/identity");

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    let state = IdentityState::from_settings(&settings).await?;
    // Identity holds the signing keys, so it verifies against them directly, not over HTTP.
    let verifier = TokenVerifier::with_keys(&settings.auth.issuer, &state.signing_public_keys())
        .map_err(|e| StartupError::Keys(e.to_string()))?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), Arc::new(verifier)).await?;
    let (pool, revocations) = (
        infra.pool.clone(),
        infra.authenticator.revocations().clone(),
    );
    infra.supervisor.spawn("revocation-sync", move |stop| {
        workers::revocation_sync::run(pool, revocations, stop)
    });
    let listener = idaas_service::bind(&infra.settings, SERVICE)?;
    let state = web::Data::new(state);
    idaas_service::serve(infra, listener, move |cfg| {
        cfg.app_data(state.clone());
        routes::configure(cfg);
    })
}
