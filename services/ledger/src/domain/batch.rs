//! Group commit: many postings in one database transaction. Their wallets are locked once, in
//! id order (the global order every posting uses, so batches never deadlock); the postings are
//! booked in arrival order on those locked rows, so running balances and sequences are exactly
//! what one-at-a-time would have produced; everything is written in a handful of statements
//! and committed once. A reference already posted answers as a replay (same fields) or a
//! conflict (others) without writing, so it never fails its batch.

use std::collections::HashSet;

use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_kafka::insert_outbox_all;
use idaas_service::{Clock, Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{
    posting::{book_entries, event, reference_conflict, same_posting, Applied},
    posting_request::PostingRequest,
};
use crate::store::{
    entries,
    postings::{self, PostingRow},
    wallets,
};

/// One posting of a batch, with its wallets already resolved and the span of the request that
/// asked for it (its event carries that request's trace).
pub struct Item<'a> {
    pub req: &'a PostingRequest,
    pub sender_wallet: Uuid,
    pub receiver_wallet: Uuid,
    pub span: &'a tracing::Span,
    pub request_id: Option<&'a str>,
}

/// Applies `items` (distinct references) in one transaction and answers each in order. An
/// `Err` is the batch's: nothing committed, and the caller retries each posting on its own.
pub async fn apply_batch(
    infra: &Infra,
    clock: &dyn Clock,
    items: &[Item<'_>],
) -> Result<Vec<ServiceResult<Applied>>, ServiceError> {
    let mut conn = infra.pool.get().await?;
    let mut ids: Vec<Uuid> = items
        .iter()
        .flat_map(|i| [i.sender_wallet, i.receiver_wallet])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let topic = infra.topics.ledger();
    let answers = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let mut locked = wallets::lock_sorted(c, &ids).await?;
                // Stamped after the locks, as a single posting is (settlement relies on it).
                let now = clock.now();
                let rows: Vec<PostingRow> = items
                    .iter()
                    .map(|i| PostingRow {
                        id: Uuid::now_v7(),
                        transaction_reference: i.req.reference.clone(),
                        sender_wallet_id: i.sender_wallet,
                        receiver_wallet_id: i.receiver_wallet,
                        amount: i.req.amount.amount(),
                        currency: i.req.currency.as_str().to_owned(),
                        created_at: now,
                    })
                    .collect();
                // Inserted in reference order: two batches sharing references then wait on each
                // other's index entries in one order, never in a cycle.
                let mut in_order: Vec<&PostingRow> = rows.iter().collect();
                in_order.sort_by(|a, b| a.transaction_reference.cmp(&b.transaction_reference));
                let inserted: HashSet<String> = postings::insert_new_many(c, &in_order)
                    .await?
                    .into_iter()
                    .collect();

                let mut answers = Vec::with_capacity(items.len());
                let mut all_entries = Vec::with_capacity(items.len() * 2);
                let mut events = Vec::with_capacity(items.len());
                let mut touched = HashSet::new();
                for (item, posting) in items.iter().zip(rows) {
                    if !inserted.contains(&posting.transaction_reference) {
                        answers.push(replay(c, posting).await?);
                        continue;
                    }
                    let booked = book_entries(&mut locked, item.req, &posting)?;
                    for e in &booked {
                        touched.insert(e.wallet_id);
                    }
                    // In the request's span and id, so the event carries both as headers.
                    events.push(idaas_telemetry::in_request(
                        item.request_id.map(str::to_owned),
                        || {
                            item.span
                                .in_scope(|| event(topic.clone(), item.req, &posting, &booked))
                        },
                    ));
                    all_entries.extend(booked.iter().cloned());
                    answers.push(Ok(Applied {
                        posting,
                        entries: booked,
                        replayed: false,
                    }));
                }
                let moved: Vec<_> = locked.iter().filter(|w| touched.contains(&w.id)).collect();
                wallets::save_balances_all(c, &moved).await?;
                entries::insert_all(c, &all_entries).await?;
                insert_outbox_all(c, &events).await?;
                Ok(answers)
            }
            .scope_boxed()
        })
        .await?;
    if answers.iter().any(|a| matches!(a, Ok(a) if !a.replayed)) {
        infra.relay.wake();
    }
    Ok(answers)
}

/// The answer for a reference posted before: its first posting if the fields match, a
/// conflict if not. Reads only; the batch goes on either way.
async fn replay(
    c: &mut diesel_async::AsyncPgConnection,
    attempted: PostingRow,
) -> Result<ServiceResult<Applied>, ServiceError> {
    let existing = postings::find_by_reference(c, &attempted.transaction_reference)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    if !same_posting(&existing, &attempted) {
        return Ok(Err(reference_conflict()));
    }
    let entries = entries::for_posting(c, existing.id).await?;
    Ok(Ok(Applied {
        posting: existing,
        entries,
        replayed: true,
    }))
}
