//! Gauges read when Prometheus scrapes rather than kept up to date on every change: the
//! connection pool's use, the outbox backlog and the age of its oldest unpublished event, and
//! any count a service registers (payments in ACCEPTING). They run on the probe pool, so a
//! saturated request pool can still be seen.

use std::time::Duration;

use diesel::{sql_types::BigInt, QueryableByName};
use diesel_async::RunQueryDsl;
use idaas_db::PgPool;
use idaas_telemetry::metrics::gauge;

const SCRAPE_TIMEOUT: Duration = Duration::from_secs(2);

/// A gauge whose value is one `SELECT count(*) AS n …` on the service's own database.
#[derive(Debug, Clone, Copy)]
pub struct CountGauge {
    pub name: &'static str,
    /// Must return one row with one `BIGINT` column named `n`.
    pub sql: &'static str,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn pool_gauges(pool: &PgPool) {
    let status = pool.status();
    let in_use = status.size.saturating_sub(status.available);
    gauge!("idaas_db_pool_connections", "state" => "in_use").set(in_use as f64);
    gauge!("idaas_db_pool_connections", "state" => "idle").set(status.available as f64);
    gauge!("idaas_db_pool_max_connections").set(status.max_size as f64);
    gauge!("idaas_db_pool_waiting").set(status.waiting as f64);
}

async fn read(probe: &PgPool, counts: &[CountGauge]) -> Result<(), String> {
    let mut conn = probe.get().await.map_err(|e| e.to_string())?;
    // The age first: one index lookup, so it is fresh even when counting a large backlog
    // runs out of time.
    let age = idaas_kafka::oldest_unpublished_age(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    gauge!("idaas_outbox_oldest_unpublished_age_seconds").set(age);
    let waiting = idaas_kafka::unpublished_count(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    gauge!("idaas_outbox_backlog").set(waiting as f64);
    for c in counts {
        let count: Count = diesel::sql_query(c.sql)
            .get_result(&mut conn)
            .await
            .map_err(|e| format!("{}: {e}", c.name))?;
        gauge!(c.name).set(count.n as f64);
    }
    Ok(())
}

/// Refreshes every gauge; a database that does not answer in time leaves the last values
/// (their staleness shows in `idaas_scrape_errors_total`), never fails the scrape.
pub async fn refresh(pool: &PgPool, probe: &PgPool, counts: &[CountGauge]) {
    pool_gauges(pool);
    let outcome = tokio::time::timeout(SCRAPE_TIMEOUT, read(probe, counts))
        .await
        .unwrap_or_else(|_| Err("timed out".into()));
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "scrape-time gauges not read");
        idaas_telemetry::metrics::counter!("idaas_scrape_errors_total").increment(1);
    }
}
