//! Background work, safe with several replicas: rows are claimed with `SKIP LOCKED`, and every
//! step is idempotent, so two replicas never expire or complete the same payment twice.

use std::{sync::Arc, time::Duration};

use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_service::{CancellationToken, Infra, ServiceError, ServiceResult};

use crate::{app::TxState, clients::PostError, domain::decision, store::transactions};

const BATCH: i64 = 100;
/// The longest a half-done accept waits between two recovery attempts.
const RECOVERY_BACKOFF_CAP_SECS: f64 = 900.0;
/// From this many failed attempts on, each further failure is logged as an error.
const OPERATOR_AFTER_ATTEMPTS: i32 = 8;

/// AWAITING_ACCEPTANCE past `expiresAt` → EXPIRED, with the sender told. Returns how many.
pub async fn expire_overdue(infra: &Infra, state: &TxState) -> ServiceResult<usize> {
    let mut total = 0;
    loop {
        let mut conn = infra.pool.get().await?;
        let topics = infra.topics.clone();
        let now = state.clock.now();
        let n = conn
            .transaction::<_, ServiceError, _>(|c| {
                async move {
                    let mut rows = transactions::claim_overdue(c, now, BATCH).await?;
                    for t in &mut rows {
                        decision::expire(c, &topics, t, now).await?;
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
    let now = state.clock.now();
    let before = now - chrono::Duration::seconds(state.settings.recovery_after_seconds);
    let leases = {
        let mut conn = infra.pool.get().await?;
        let base = state.settings.recovery_seconds.max(1) as f64;
        transactions::lease_stale_accepting(
            &mut conn,
            now,
            before,
            BATCH,
            base,
            RECOVERY_BACKOFF_CAP_SECS,
        )
        .await?
    };
    let mut done = 0;
    for lease in leases {
        let reference = lease.reference;
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
                decision::complete(infra, &reference, state.clock.now()).await?;
                done += 1;
            }
            // The outcome is unknown (the ledger may have applied it), so it is never given
            // up on; past a few attempts it is an operator's matter and says so.
            Err(PostError::Transient(e)) if lease.recovery_attempts >= OPERATOR_AFTER_ATTEMPTS => {
                tracing::error!(%reference, attempts = lease.recovery_attempts, error = %e,
                    "accept still not posted; needs an operator (retrying with back-off)")
            }
            Err(PostError::Transient(e)) => {
                tracing::warn!(%reference, attempts = lease.recovery_attempts, error = %e,
                    "ledger unavailable; will retry with back-off")
            }
            Err(PostError::Refused(reason)) => {
                decision::fail(infra, &reference, &reason, state.clock.now()).await?;
                done += 1;
            }
        }
    }
    Ok(done)
}

/// The expiry job and the recovery worker, each on its own clock: a slow recovery pass (a
/// ledger timing out) never delays expiries, and the reverse.
pub async fn run(infra: Infra, state: Arc<TxState>, stop: CancellationToken) {
    let expiry_every = Duration::from_secs(state.settings.expiry_job_seconds.max(1));
    let recovery_every = Duration::from_secs(state.settings.recovery_seconds.max(1));
    // A pass may legitimately take long: a recovery pass makes up to BATCH ledger calls.
    let internal = Duration::from_millis(infra.settings.http.internal_timeout_ms);
    let expiry_beat = infra
        .heartbeats
        .register("expiry-job", expiry_every * 3 + Duration::from_secs(300));
    let recovery_beat = infra.heartbeats.register(
        "recovery-worker",
        recovery_every * 3 + internal * BATCH as u32 + Duration::from_secs(120),
    );
    let expiry = async {
        let mut tick = tokio::time::interval(expiry_every);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            expiry_beat.beat();
            match expire_overdue(&infra, &state).await {
                Ok(n) if n > 0 => tracing::info!(expired = n, "expired overdue transactions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiry pass failed"),
            }
        }
    };
    let recovery = async {
        let mut tick = tokio::time::interval(recovery_every);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            recovery_beat.beat();
            match recover_accepting(&infra, &state).await {
                Ok(n) if n > 0 => tracing::info!(finished = n, "recovered half-done accepts"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "recovery pass failed"),
            }
        }
    };
    tokio::join!(expiry, recovery);
}
