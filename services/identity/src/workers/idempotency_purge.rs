//! Deletes expired idempotency keys, and with them the sealed answers they kept (some hold
//! secrets shown only once), so none outlives its 24 hours by more than this period.

use std::time::Duration;

use idaas_service::{CancellationToken, Infra};

const PERIOD: Duration = Duration::from_secs(300);

pub async fn run(infra: Infra, stop: CancellationToken) {
    loop {
        match crate::domain::idempotency::purge(&infra).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "expired idempotency keys purged"),
            Err(e) => {
                tracing::warn!(error = %idaas_service::chain(&e), "purging idempotency keys failed; retrying")
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(PERIOD) => {}
        }
    }
}
