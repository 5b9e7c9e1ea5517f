//! Reads `idaas.ledger` in settlement's consumer group and records every entry of every
//! LedgerPosted event. The offset is committed only after the entries exist, so a crash re-reads
//! and never drops one; a re-read adds nothing (entries are keyed by the ledger's entry id).
//! Events that have already arrived are recorded in one commit.

use std::time::Duration;

use chrono::{DateTime, Utc};
use idaas_kafka::{
    build_consumer, drain_ready, last_per_partition,
    rdkafka::{
        consumer::{CommitMode, Consumer},
        message::BorrowedMessage,
        Message,
    },
};
use idaas_proto::{ledger::v1::LedgerPosted, Message as _};
use idaas_service::{CancellationToken, Clock, Infra};
use rust_decimal::Decimal;
use std::sync::Arc;
use uuid::Uuid;

use crate::store::posted::{self, PostedEntry};

const BEAT_EVERY: Duration = Duration::from_secs(5);
const MAX_BATCH: usize = 500;

/// The entries of one event, or why no settlement could ever read it.
pub fn entries(e: &LedgerPosted, received_at: DateTime<Utc>) -> Result<Vec<PostedEntry>, String> {
    let uuid = |what: &str, s: &str| Uuid::parse_str(s).map_err(|_| format!("{what} {s:?}"));
    let money = |what: &str, s: &str| s.parse::<Decimal>().map_err(|_| format!("{what} {s:?}"));
    let posting_id = uuid("posting id", &e.posting_id)?;
    let occurred_at = DateTime::parse_from_rfc3339(&e.occurred_at)
        .map_err(|_| format!("occurred_at {:?}", e.occurred_at))?
        .with_timezone(&Utc);
    if e.currency.len() != 3 {
        return Err(format!("currency {:?}", e.currency));
    }
    e.entries
        .iter()
        .map(|x| {
            if x.entry_type != "DEBIT" && x.entry_type != "CREDIT" {
                return Err(format!("entry type {:?}", x.entry_type));
            }
            Ok(PostedEntry {
                entry_id: uuid("entry id", &x.entry_id)?,
                posting_id,
                transaction_reference: e.transaction_reference.clone(),
                wallet_id: uuid("wallet id", &x.wallet_id)?,
                application_id: uuid("application id", &x.application_id)?,
                application_name: x.application_name.clone(),
                currency: e.currency.clone(),
                entry_type: x.entry_type.clone(),
                amount: money("amount", &x.amount)?,
                opening_balance: money("opening balance", &x.opening_balance)?,
                closing_balance: money("closing balance", &x.closing_balance)?,
                sequence: x.sequence,
                occurred_at,
                received_at,
            })
        })
        .collect()
}

pub async fn run(infra: Infra, clock: Arc<dyn Clock>, stop: CancellationToken) {
    let group = format!("{}settlement", infra.settings.kafka.topic_prefix);
    let consumer = match build_consumer(&infra.settings.kafka, &group) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "ledger consumer could not be built");
            return;
        }
    };
    let topic = infra.topics.ledger();
    if let Err(e) = consumer.subscribe(&[topic.as_str()]) {
        tracing::error!(error = %e, %topic, "ledger consumer could not subscribe");
        return;
    }
    let beat = infra
        .heartbeats
        .register("ledger-consumer", BEAT_EVERY * 12);
    let mut tick = tokio::time::interval(BEAT_EVERY);
    loop {
        let message = tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => { beat.beat(); continue; }
            m = consumer.recv() => m,
        };
        beat.beat();
        let first = match message {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "ledger consumer: receive failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut batch = vec![first];
        drain_ready(&consumer, &mut batch, MAX_BATCH);
        let received_at = clock.now();
        let rows: Vec<PostedEntry> = batch
            .iter()
            .filter_map(|m| decode(m, received_at))
            .flatten()
            .collect();
        // Never commit past an entry that is not recorded: retry until it is, or stop.
        while !rows.is_empty() {
            match store(&infra, &rows).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %idaas_service::chain(&e), entries = rows.len(), "recording ledger entries failed; retrying");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
        for message in last_per_partition(&batch) {
            if let Err(e) = consumer.commit_message(message, CommitMode::Async) {
                tracing::warn!(error = %e, "ledger consumer: commit failed; the event may be re-read");
            }
        }
    }
}

/// `None` for a message no settlement can ever read: it would block its partition forever, so
/// it is logged with its coordinates (the ledger's outbox still holds it) and passed. Such a
/// posting is then missing here, and its day's proof against the ledger fails until an
/// operator repairs it: never a silently wrong batch.
fn decode(message: &BorrowedMessage<'_>, received_at: DateTime<Utc>) -> Option<Vec<PostedEntry>> {
    let decoded = LedgerPosted::decode(message.payload().unwrap_or_default())
        .map_err(|e| e.to_string())
        .and_then(|e| entries(&e, received_at));
    match decoded {
        Ok(rows) => Some(rows),
        Err(why) => {
            tracing::error!(
                topic = message.topic(), partition = message.partition(), offset = message.offset(),
                %why, "unreadable ledger event skipped"
            );
            None
        }
    }
}

async fn store(infra: &Infra, rows: &[PostedEntry]) -> Result<(), idaas_service::ServiceError> {
    let mut conn = infra.pool.get().await?;
    posted::insert_new(&mut conn, rows).await?;
    Ok(())
}
