//! Builds settlement: its database (its view of the ledger, batches, the outbox), the ledger
//! client, the consumer of the ledger's events, the daily job and the probes.

use std::sync::Arc;

use actix_web::web;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{
    jwks_verifier, service_url, Application, Clock, Infra, InternalClient, StartupError,
    SystemClock,
};

use crate::{clients::ledger::Ledger, domain::run::Settler, routes, workers};

pub const SERVICE: &str = "settlement";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/settlement");

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    build_with_clock(settings, Arc::new(SystemClock)).await
}

/// As `build`, on the given clock: tests close a day without waiting for its cut-off.
pub async fn build_with_clock(
    settings: idaas_config::Settings,
    clock: Arc<dyn Clock>,
) -> Result<Application, StartupError> {
    let internal = InternalClient::new(SERVICE, &settings)?;
    let ledger = Ledger::new(internal, &service_url(&settings, "ledger")?);
    let verifier = jwks_verifier(&settings)?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), verifier).await?;
    let settler = web::Data::new(Settler {
        pool: infra.pool.clone(),
        ledger,
        settings: infra.settings.settlement.clone(),
        topic: infra.topics.settlements(),
        clock: clock.clone(),
        relay: Some(infra.relay.clone()),
    });
    let (consumer_infra, consumer_clock) = (infra.clone(), clock);
    infra.supervisor.spawn("ledger-consumer", move |stop| {
        workers::consumer::run(consumer_infra, consumer_clock, stop)
    });
    let (job, heartbeats) = (settler.clone().into_inner(), infra.heartbeats.clone());
    infra.supervisor.spawn("settlement-scheduler", move |stop| {
        workers::scheduler::run(job, heartbeats, stop)
    });
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, move |cfg| {
        cfg.app_data(settler.clone());
        routes::configure(cfg);
    })
}
