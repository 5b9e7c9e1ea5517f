//! Each service's outbox backlog: events committed in its database and not yet on the broker.

use idaas_kafka::Backlog;
use serde_json::{json, Value};

use crate::CtlError;

/// The services that own a database, and so an outbox.
pub const SERVICES: &[&str] = &[
    "identity",
    "transaction",
    "ledger",
    "webhook-dispatcher",
    "settlement",
];

/// One service's backlog, read with its own settings (database URL and name).
pub async fn backlog_of(service: &str) -> Result<Backlog, CtlError> {
    let settings = idaas_service::load_settings(service)?;
    let url = idaas_service::database_url(&settings, service)?;
    let pool = idaas_db::connect(url.expose(), 1, idaas_service::session_limits(&settings))?;
    let mut conn = pool.get().await?;
    Ok(idaas_kafka::backlog(&mut conn).await?)
}

/// Every service's backlog as JSON lines; a service that cannot be read says why and the
/// others are still reported.
pub async fn report(services: &[String]) -> Vec<Value> {
    let mut lines = Vec::new();
    for service in services {
        let line = match backlog_of(service).await {
            Ok(b) => json!({
                "service": service,
                "unpublished": b.events,
                "oldestAgeSeconds": b.oldest_age_seconds,
            }),
            Err(e) => json!({ "service": service, "error": idaas_service::chain(&e) }),
        };
        lines.push(line);
    }
    lines
}
