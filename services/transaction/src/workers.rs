//! Background work, safe with several replicas: rows are claimed with `SKIP LOCKED`, and every
//! step is idempotent, so two replicas never expire or complete the same payment twice.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_service::{Infra, ServiceError, ServiceResult};

use crate::{clients::PostError, decision, store::transactions, TxState};

const BATCH: i64 = 100;

/// AWAITING_ACCEPTANCE past `expiresAt` → EXPIRED, with the sender told. Returns how many.
pub async fn expire_overdue(infra: &Infra) -> ServiceResult<usize> {
    let mut total = 0;
    loop {
        let mut conn = infra.pool.get().await?;
        let topics = infra.topics.clone();
        let n = conn
            .transaction::<_, ServiceError, _>(|c| {
                async move {
                    let mut rows = transactions::claim_overdue(c, Utc::now(), BATCH).await?;
                    for t in &mut rows {
                        decision::expire(c, &topics, t).await?;
                    }
                    Ok(rows.len())
                }
                .scope_boxed()
            })
            .await?;
        total += n;
        if n > 0 {
            infra.relay.wake();
        }
        if n < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Finishes accepts left in ACCEPTING by a crash or a ledger outage: COMPLETED once the ledger
/// has the posting, FAILED if the ledger refuses it. Returns how many were finished.
pub async fn recover_accepting(infra: &Infra, state: &TxState) -> ServiceResult<usize> {
    let before = Utc::now() - chrono::Duration::seconds(state.settings.recovery_after_seconds);
    let references = {
        let mut conn = infra.pool.get().await?;
        transactions::stale_accepting(&mut conn, before, BATCH).await?
    };
    let mut done = 0;
    for reference in references {
        // Released before the ledger call and step (3), which takes its own connection.
        let found = {
            let mut conn = infra.pool.get().await?;
            transactions::find(&mut conn, &reference).await?
        };
        let Some(t) = found else {
            continue;
        };
        match state.clients.post(&t).await {
            Ok(()) => {
                decision::complete(infra, &reference).await?;
                done += 1;
            }
            Err(PostError::Transient(e)) => {
                tracing::warn!(%reference, error = %e, "ledger unavailable; will retry")
            }
            Err(PostError::Refused(reason)) => {
                decision::fail(infra, &reference, &reason).await?;
                done += 1;
            }
        }
    }
    Ok(done)
}

pub async fn run(infra: Infra, state: Arc<TxState>) {
    let expiry_every = Duration::from_secs(state.settings.expiry_job_seconds.max(1));
    let recovery_every = Duration::from_secs(state.settings.recovery_seconds.max(1));
    let mut expiry = tokio::time::interval(expiry_every);
    let mut recovery = tokio::time::interval(recovery_every);
    loop {
        tokio::select! {
            _ = expiry.tick() => match expire_overdue(&infra).await {
                Ok(n) if n > 0 => tracing::info!(expired = n, "expired overdue transactions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiry pass failed"),
            },
            _ = recovery.tick() => match recover_accepting(&infra, &state).await {
                Ok(n) if n > 0 => tracing::info!(completed = n, "recovered half-done accepts"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "recovery pass failed"),
            },
        }
    }
}
