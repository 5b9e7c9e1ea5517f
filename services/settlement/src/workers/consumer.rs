//! Reads `idaas.ledger` in settlement's consumer group and records every entry of every
//! LedgerPosted event. The offset is committed only after the entries exist, so a crash re-reads
//! and never drops one; a re-read adds nothing (entries are keyed by the ledger's entry id).
//! Events that have already arrived are recorded in one commit (`consume_in_batches`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use idaas_kafka::rdkafka::{message::BorrowedMessage, Message};
use idaas_proto::{ledger::v1::LedgerPosted, Message as _};
use idaas_service::{consume_in_batches, CancellationToken, Clock, Infra, Subscription};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::store::posted::{self, PostedEntry};

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
    let subscription = Subscription {
        name: "ledger-consumer",
        group: "settlement",
        topic: infra.topics.ledger(),
    };
    let store_infra = infra.clone();
    consume_in_batches(
        &infra,
        subscription,
        stop,
        |m| decode(m, clock.now()),
        move |rows| {
            let infra = store_infra.clone();
            Box::pin(async move { store(&infra, rows).await })
        },
    )
    .await;
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
