use std::time::Duration;

use idaas_auth::Revocations;
use idaas_db::PgPool;
use idaas_service::CancellationToken;

use crate::store::applications;

const PERIOD: Duration = Duration::from_secs(15);

/// Re-publishes every deactivated application to Redis. Redis keeps nothing on disk, so after
/// a restart the list is empty and marked unsynced (callers fail closed) until this runs.
pub async fn run(pool: PgPool, revocations: Revocations, stop: CancellationToken) {
    loop {
        if let Err(e) = sync_once(&pool, &revocations).await {
            tracing::warn!(error = %e, "revocation sync failed; retrying");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(PERIOD) => {}
        }
    }
}

async fn sync_once(pool: &PgPool, revocations: &Revocations) -> Result<(), String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let ids = applications::inactive_ids(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    revocations.sync(&ids).await.map_err(|e| e.to_string())?;
    // A timestamp, not an age: `time() - idaas_revocation_last_sync_timestamp_seconds` is the
    // age, and it keeps growing when this loop has stopped.
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    idaas_telemetry::metrics::gauge!("idaas_revocation_last_sync_timestamp_seconds").set(now);
    Ok(())
}
