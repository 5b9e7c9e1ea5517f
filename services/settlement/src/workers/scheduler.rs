//! The daily job. Every replica looks, every `settlement.poll_seconds`, for closed days of the
//! last `lookback_days` that are not settled yet (none yet, or FAILED and due again) and runs
//! them; the batch claim lets only one replica run a batch at a time, so "at 23:59" happens
//! once however many replicas look.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDate;
use idaas_service::{CancellationToken, Heartbeats};

use crate::{
    domain::{run::Settler, BatchStatus},
    store::{batches, posted},
};

pub async fn run(settler: Arc<Settler>, heartbeats: Heartbeats, stop: CancellationToken) {
    let every = Duration::from_secs(settler.settings.poll_seconds);
    let beat = heartbeats.register("settlement-scheduler", every * 4 + Duration::from_secs(60));
    loop {
        beat.beat();
        if let Err(e) = pass(&settler).await {
            tracing::warn!(error = %idaas_service::chain(&e), "settlement pass failed; trying again next time");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Runs each closed day that needs it, oldest first.
pub async fn pass(settler: &Settler) -> Result<(), crate::domain::run::RunError> {
    for date in due_dates(settler).await? {
        let batches = settler.settle(date, false).await?;
        for b in batches
            .iter()
            .filter(|b| b.status != BatchStatus::Completed)
        {
            tracing::warn!(date = %date, currency = %b.currency, status = %b.status.as_str(), "settlement day not completed yet");
        }
    }
    Ok(())
}

async fn due_dates(settler: &Settler) -> Result<Vec<NaiveDate>, idaas_service::ServiceError> {
    let now = settler.clock.now();
    let cutoff = settler.cutoff();
    let latest = cutoff.latest_closed(now, settler.grace());
    let mut conn = settler.pool.get().await?;
    // Nothing before the first posting this settlement ever saw needs a batch, except the
    // latest closed day, which always gets one.
    let first = posted::first_posting_at(&mut conn)
        .await?
        .map(|t| cutoff.day_of(t));
    let mut due = Vec::new();
    for back in (0..settler.settings.lookback_days).rev() {
        let Some(date) = latest.checked_sub_days(chrono::Days::new(back.unsigned_abs())) else {
            continue;
        };
        if date != latest && first.is_none_or(|f| date < f) {
            continue;
        }
        let existing = batches::of_date(&mut conn, date).await?;
        let settled = !existing.is_empty()
            && existing.iter().all(|b| match b.status {
                BatchStatus::Completed => true,
                BatchStatus::Failed => b.retry_at.is_some_and(|r| r > now),
                BatchStatus::Pending => b.claimed_until.is_some_and(|c| c > now),
            });
        if !settled {
            due.push(date);
        }
    }
    Ok(due)
}
