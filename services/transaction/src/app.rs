//! Builds the transaction service: its peers' clients, the shared infrastructure, the expiry
//! and recovery workers and the server.

use std::sync::Arc;

use actix_web::web;
use idaas_config::TransactionSettings;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{
    jwks_verifier, service_url, Application, Clock, CountGauge, Infra, InternalClient,
    StartupError, SystemClock,
};

use crate::{clients::Clients, routes, workers};

pub const SERVICE: &str = "transaction";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/transaction");

/// What the flows need beyond the shared infrastructure.
pub struct TxState {
    pub clients: Clients,
    pub settings: TransactionSettings,
    /// Deadlines and timestamps come from here, never from the wall clock directly.
    pub clock: Arc<dyn Clock>,
}

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    build_with_clock(settings, Arc::new(SystemClock)).await
}

/// As `build`, on the given clock: tests move time forward instead of sleeping.
pub async fn build_with_clock(
    settings: idaas_config::Settings,
    clock: Arc<dyn Clock>,
) -> Result<Application, StartupError> {
    let internal = InternalClient::new(SERVICE, &settings)?;
    let clients = Clients::new(
        internal,
        &service_url(&settings, "identity")?,
        &service_url(&settings, "ledger")?,
        &service_url(&settings, "webhook-dispatcher")?,
    );
    let state = Arc::new(TxState {
        clients,
        settings: settings.transactions.clone(),
        clock,
    });
    let verifier = jwks_verifier(&settings)?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), verifier)
        .await?
        .with_count_gauge(CountGauge {
            name: "idaas_payments_accepting_stale",
            // Accepted over a minute ago and still not posted: every accept is ACCEPTING for the
            // length of its ledger call, so only the old ones say the ledger is down.
            sql: "SELECT count(*) AS n FROM transactions \
                  WHERE status = 'ACCEPTING' AND accepted_at < now() - interval '1 minute'",
        });
    let (worker_infra, worker_state) = (infra.clone(), state.clone());
    infra.supervisor.spawn("transaction-workers", move |stop| {
        workers::run(worker_infra, worker_state, stop)
    });
    let data = web::Data::from(state);
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, move |cfg| {
        cfg.app_data(data.clone());
        routes::configure(cfg);
    })
}
