//! Running a settlement day: once, across replicas, and only after its window has closed. Each
//! currency's batch is claimed by one run at a time, proved against the ledger, and either
//! completed with its event in the outbox (one commit) or failed with the reason and a time to
//! try again. Running a settled day again changes nothing and answers the batches it has.

use std::{collections::BTreeSet, sync::Arc};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_config::SettlementSettings;
use idaas_contracts::ledger_window::WindowTotals;
use idaas_db::PgPool;
use idaas_kafka::{insert_outbox, OutboxMessage, RelayHandle};
use idaas_proto::{
    settlement::v1::{SettlementCompleted, SettlementEntry},
    Message,
};
use idaas_service::{Clock, ServiceError};
use uuid::Uuid;

use super::{
    proof::{self, Disagreement, Settled},
    window::{Cutoff, Window},
    BatchStatus,
};
use crate::{
    clients::ledger::{Ledger, LedgerError},
    store::{
        batches::{self, BatchEntryRow, BatchRow},
        posted,
    },
};

/// A run holds a batch at most this long; a run that died is taken over after it.
const CLAIM: Duration = Duration::minutes(5);
/// How long a caller waits for another run of the same batch to finish before it is answered
/// the batch as it stands (PENDING).
const OTHER_RUN_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the settlement day {date} is still open: it can be settled from {}", closes_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))]
    NotClosed {
        date: NaiveDate,
        closes_at: DateTime<Utc>,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

pub struct Settler {
    pub pool: PgPool,
    pub ledger: Ledger,
    pub settings: SettlementSettings,
    pub topic: String,
    pub clock: Arc<dyn Clock>,
    /// Woken after a commit that queued an event; `None` where no relay runs (the ops command:
    /// the service's relay publishes what it queued).
    pub relay: Option<RelayHandle>,
}

impl Settler {
    pub fn cutoff(&self) -> Cutoff {
        let (h, m) = self.settings.cutoff_hm().unwrap_or((23, 59));
        Cutoff::new(h, m)
    }

    pub fn grace(&self) -> Duration {
        Duration::seconds(self.settings.grace_seconds)
    }

    /// When `date` may be settled: its window's end plus the grace.
    pub fn closes_at(&self, date: NaiveDate) -> DateTime<Utc> {
        self.cutoff().window(date).end + self.grace()
    }

    /// Settles `date` in every currency it has postings in, and the default currency. `force`
    /// (operators) retries a FAILED batch before its retry time.
    pub async fn settle(&self, date: NaiveDate, force: bool) -> Result<Vec<BatchRow>, RunError> {
        let closes_at = self.closes_at(date);
        if self.clock.now() < closes_at {
            return Err(RunError::NotClosed { date, closes_at });
        }
        let window = self.cutoff().window(date);
        // A settled day is answered as it is: its batches were proved when they completed.
        let existing = {
            let mut conn = self.pool.get().await.map_err(ServiceError::from)?;
            batches::of_date(&mut conn, date)
                .await
                .map_err(ServiceError::from)?
        };
        let settled = existing
            .iter()
            .any(|b| b.currency == self.settings.default_currency)
            && existing.iter().all(|b| b.status == BatchStatus::Completed);
        if settled {
            return Ok(existing);
        }
        let ledger = self.ledger.window(&window).await;
        let mut currencies: BTreeSet<String> = {
            let mut conn = self.pool.get().await.map_err(ServiceError::from)?;
            posted::currencies(&mut conn, window.start, window.end)
                .await
                .map_err(ServiceError::from)?
                .into_iter()
                .collect()
        };
        currencies.insert(self.settings.default_currency.clone());
        if let Ok(t) = &ledger {
            currencies.extend(t.postings.iter().map(|p| p.currency.clone()));
        }
        let mut batches = Vec::with_capacity(currencies.len());
        for currency in &currencies {
            batches.push(
                self.settle_currency(&window, currency, ledger.as_ref(), force)
                    .await?,
            );
        }
        Ok(batches)
    }

    #[tracing::instrument(name = "settlement.batch", skip_all, fields(date = %window.date, %currency))]
    async fn settle_currency(
        &self,
        window: &Window,
        currency: &str,
        ledger: Result<&WindowTotals, &LedgerError>,
        force: bool,
    ) -> Result<BatchRow, ServiceError> {
        let now = self.clock.now();
        let mut conn = self.pool.get().await?;
        let batch = batches::ensure(&mut conn, window, currency, now).await?;
        let Some(batch) = batches::claim(&mut conn, batch.id, now, now + CLAIM, force).await?
        else {
            // COMPLETED, or FAILED and not due: as it stands. Held by another run (a replica's
            // job, another caller): its outcome, which takes seconds, not the PENDING between.
            drop(conn);
            return self.outcome_of_other_run(batch).await;
        };
        let mut retry_after = self.settings.retry_seconds;
        let proved = match ledger {
            Err(e) => {
                tracing::warn!(error = %idaas_service::chain(e), "the ledger could not be asked");
                retry_after = self.settings.unavailable_retry_seconds;
                Err(Disagreement(
                    "the ledger could not be asked for its totals".to_owned(),
                ))
            }
            Ok(totals) => {
                let own =
                    posted::wallet_days(&mut conn, currency, window.start, window.end).await?;
                let postings =
                    posted::posting_count(&mut conn, currency, window.start, window.end).await?;
                proof::prove(currency, &own, postings, totals)
            }
        };
        match proved {
            Ok(settled) => {
                // `complete` takes its own connection for its transaction.
                drop(conn);
                self.complete(batch, &settled).await
            }
            Err(Disagreement(reason)) => {
                let retry_at = now + Duration::seconds(retry_after);
                tracing::warn!(%reason, %retry_at, "settlement batch failed; it is tried again later");
                match batches::fail(
                    &mut conn,
                    batch.id,
                    batch.claimed_until,
                    &reason,
                    now,
                    retry_at,
                )
                .await?
                {
                    Some(failed) => Ok(failed),
                    None => self.taken_over(&mut conn, batch.id).await,
                }
            }
        }
    }

    async fn outcome_of_other_run(&self, mut batch: BatchRow) -> Result<BatchRow, ServiceError> {
        let deadline = tokio::time::Instant::now() + OTHER_RUN_WAIT;
        while batch.status == BatchStatus::Pending && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let mut conn = self.pool.get().await?;
            match batches::find_by_id(&mut conn, batch.id).await? {
                Some(b) => batch = b,
                None => break,
            }
        }
        Ok(batch)
    }

    /// Another run took the batch over (this one outlived its claim): the batch as it is now.
    async fn taken_over(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: Uuid,
    ) -> Result<BatchRow, ServiceError> {
        tracing::warn!(batch = %id, "settlement run outlived its claim; another run has the batch");
        batches::find_by_id(conn, id)
            .await?
            .ok_or_else(|| ServiceError::Db(diesel::result::Error::NotFound))
    }

    async fn complete(&self, mut batch: BatchRow, s: &Settled) -> Result<BatchRow, ServiceError> {
        let now = self.clock.now();
        let id = batch.id;
        batch.total_credited = s.total_credited;
        batch.total_debited = s.total_debited;
        batch.transaction_count = s.transaction_count;
        batch.application_count = i32::try_from(s.positions.len()).unwrap_or(i32::MAX);
        let entries: Vec<BatchEntryRow> = s
            .positions
            .iter()
            .map(|p| BatchEntryRow::of(batch.id, p))
            .collect();
        let message = self.event(&batch, &entries, now);
        let mut conn = self.pool.get().await?;
        let done = conn
            .transaction::<_, ServiceError, _>(|c| {
                async move {
                    // Only the run that still holds the batch completes it and queues its event.
                    let Some(done) = batches::complete(c, &batch, &entries, now).await? else {
                        return Ok(None);
                    };
                    insert_outbox(c, &message).await?;
                    Ok(Some(done))
                }
                .scope_boxed()
            })
            .await?;
        let Some(done) = done else {
            return self.taken_over(&mut conn, id).await;
        };
        if let Some(relay) = &self.relay {
            relay.wake();
        }
        tracing::info!(
            transactions = done.transaction_count,
            applications = done.application_count,
            "settlement batch completed"
        );
        Ok(done)
    }

    fn event(&self, b: &BatchRow, entries: &[BatchEntryRow], now: DateTime<Utc>) -> OutboxMessage {
        let id = Uuid::now_v7();
        let money = |d: rust_decimal::Decimal| format!("{d:.4}");
        let msg = SettlementCompleted {
            event_id: id.to_string(),
            batch_id: b.id.to_string(),
            settlement_date: b.settlement_date.to_string(),
            currency: b.currency.clone(),
            window_start: b.window_start.to_rfc3339(),
            window_end: b.window_end.to_rfc3339(),
            total_credited: money(b.total_credited),
            total_debited: money(b.total_debited),
            transaction_count: b.transaction_count,
            application_count: b.application_count,
            entries: entries
                .iter()
                .map(|e| SettlementEntry {
                    application_id: e.application_id.to_string(),
                    application_name: e.application_name.clone(),
                    total_credited: money(e.total_credited),
                    total_debited: money(e.total_debited),
                    net_amount: money(e.net_amount),
                    opening_balance: money(e.opening_balance),
                    closing_balance: money(e.closing_balance),
                    transaction_count: e.transaction_count,
                })
                .collect(),
            completed_at: now.to_rfc3339(),
        };
        OutboxMessage::new(
            id,
            self.topic.clone(),
            format!("{}:{}", b.settlement_date, b.currency),
            "SettlementCompleted",
            msg.encode_to_vec(),
        )
    }
}
