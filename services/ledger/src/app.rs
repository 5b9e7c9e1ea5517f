//! Builds the ledger: the shared infrastructure, the identity client and the server.

use std::{sync::Arc, time::Duration};

use actix_web::web;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{
    jwks_verifier, service_url, Application, Clock, Infra, StartupError, SystemClock,
};

use crate::{clients::identity::AppDirectory, domain::posting_queue::PostingQueue, routes};

pub const SERVICE: &str = "ledger";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/ledger");

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    build_with_clock(settings, Arc::new(SystemClock)).await
}

/// As `build`, on the given clock (the time every posting is stamped with): tests post on
/// either side of a settlement cut-off without waiting for it.
pub async fn build_with_clock(
    settings: idaas_config::Settings,
    clock: Arc<dyn Clock>,
) -> Result<Application, StartupError> {
    let timeout = Duration::from_millis(settings.http.internal_timeout_ms);
    let directory = web::Data::new(
        AppDirectory::new(&service_url(&settings, "identity")?, timeout)
            .map_err(|e| StartupError::build("the identity client", e))?,
    );
    let verifier = jwks_verifier(&settings)?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), verifier).await?;
    let queue = web::Data::new(PostingQueue::start(
        &infra,
        clock.clone(),
        infra.settings.ledger.batch_workers,
        infra.settings.ledger.batch_max,
    ));
    let clock: web::Data<dyn Clock> = web::Data::from(clock);
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, move |cfg| {
        cfg.app_data(directory.clone())
            .app_data(clock.clone())
            .app_data(queue.clone());
        routes::configure(cfg);
    })
}
