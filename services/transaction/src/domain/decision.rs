//! Accept and reject, by the receiving application only.
//!
//! Accept is a saga across two databases: (1) mark ACCEPTING, (2) post to the ledger under the
//! transaction reference (idempotent there), (3) mark COMPLETED with the SENDER callback. A crash
//! after (1) leaves ACCEPTING, which the recovery worker drives to COMPLETED; a repeated (2)
//! is answered by the ledger without moving money again. So a posting applies at most once and
//! an accepted payment always completes.

use chrono::{DateTime, Utc};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection, AsyncPgConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_auth::AuthenticatedApp;
use idaas_db::PgConn;
use idaas_kafka::{insert_outbox, insert_outbox_all, Topics};
use idaas_service::{Infra, ServiceError, ServiceResult};

use super::{
    answer::Answer,
    idempotency::{self, Guard, Prior},
    notifications, reference, InvalidTransition, TransactionStatus, Transition,
};
use crate::{
    app::TxState,
    clients::PostError,
    store::{
        idempotency as keys,
        transactions::{self, TransactionRow},
    },
};

const ACCEPTED: &str = "Transaction accepted";
const REJECTED: &str = "Transaction rejected";

pub enum Outcome {
    Done(Answer),
    Replayed(Answer),
}

enum Locked {
    Ready(Box<TransactionRow>),
    Replayed(Answer),
    Expired,
}

/// Loads and locks the transaction for a decision by `caller`, enforcing who and when.
async fn lock_for_decision(
    c: &mut AsyncPgConnection,
    topics: &Topics,
    caller: &AuthenticatedApp,
    reference: &str,
    guard: Option<&Guard>,
    now: DateTime<Utc>,
) -> ServiceResult<Locked> {
    if let Some(g) = guard {
        if let Prior::Replay(a) = idempotency::claim(c, g, now).await? {
            return Ok(Locked::Replayed(a));
        }
    }
    let mut t = transactions::lock(c, reference)
        .await?
        .filter(|t| t.sender_app_id == caller.app_id || t.receiver_app_id == caller.app_id)
        .ok_or(ErrorCode::TransactionNotFound)?;
    if t.receiver_app_id != caller.app_id {
        return Err(ErrorCode::NotTransactionReceiver.into());
    }
    if t.status != TransactionStatus::AwaitingAcceptance {
        return Err(ServiceError::Api(
            ApiError::new(ErrorCode::TransactionNotAwaiting)
                .with_errors(vec![format!("status is {}", t.status)]),
        ));
    }
    if now >= t.expires_at {
        // Past its deadline: it expires now, whether or not the job has run yet.
        expire(c, topics, &mut t, now).await?;
        return Ok(Locked::Expired);
    }
    Ok(Locked::Ready(Box::new(t)))
}

/// Marks a locked, overdue transaction EXPIRED and tells the sender.
pub async fn expire(
    c: &mut AsyncPgConnection,
    topics: &Topics,
    t: &mut TransactionRow,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    t.apply(Transition::Expired, now)?;
    transactions::save(c, t).await?;
    insert_outbox_all(
        c,
        &notifications::sender_outcome(topics, t, notifications::EXPIRED)?,
    )
    .await?;
    Ok(())
}

/// A transition refused by the rules after the checks that should have prevented it: a bug,
/// answered 500 with the cause logged.
impl From<InvalidTransition> for ServiceError {
    fn from(e: InvalidTransition) -> Self {
        ServiceError::internal(e)
    }
}

/// What accept and reject do first: a malformed reference is not found, and a finished request
/// with the same key is replayed before any lock is taken. Otherwise, a connection to work on.
async fn open(
    infra: &Infra,
    reference: &str,
    guard: Option<&Guard>,
    now: DateTime<Utc>,
) -> ServiceResult<Result<PgConn, Outcome>> {
    if !reference::is_valid(reference) {
        return Err(ErrorCode::TransactionNotFound.into());
    }
    let mut conn = infra.pool.get().await?;
    if let Some(g) = guard {
        if let Prior::Replay(a) = idempotency::peek(&mut conn, g, now).await? {
            return Ok(Err(Outcome::Replayed(a)));
        }
    }
    Ok(Ok(conn))
}

fn expired_error() -> ServiceError {
    ErrorCode::TransactionExpired.into()
}

#[tracing::instrument(name = "transaction.accept", skip_all, fields(reference = %reference))]
pub async fn accept(
    infra: &Infra,
    state: &TxState,
    caller: &AuthenticatedApp,
    reference: &str,
    guard: Option<Guard>,
) -> ServiceResult<Outcome> {
    let now = state.clock.now();
    let mut conn = match open(infra, reference, guard.as_ref(), now).await? {
        Ok(conn) => conn,
        Err(replayed) => return Ok(replayed),
    };
    let topics = infra.topics.clone();
    let step = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let mut t =
                    match lock_for_decision(c, &topics, caller, reference, guard.as_ref(), now)
                        .await?
                    {
                        Locked::Ready(t) => t,
                        other => return Ok(other),
                    };
                t.apply(Transition::Accepting, now)?;
                transactions::save(c, &t).await?;
                insert_outbox(c, &notifications::state_changed(&topics, &t)).await?;
                if let Some(g) = &guard {
                    idempotency::record(c, g, reference, None, now).await?;
                }
                Ok(Locked::Ready(t))
            }
            .scope_boxed()
        })
        .await?;
    // Never hold a connection across the ledger call and step (3), which takes its own: under
    // load every accept would hold one and wait for a second, starving the pool.
    drop(conn);
    let t = match step {
        Locked::Ready(t) => t,
        Locked::Replayed(a) => return Ok(Outcome::Replayed(a)),
        Locked::Expired => {
            infra.relay.wake();
            return Err(expired_error());
        }
    };
    infra.relay.wake();
    match state.clients.post(&t).await {
        Ok(()) => Ok(Outcome::Done(
            complete(infra, reference, state.clock.now()).await?,
        )),
        Err(PostError::Transient(e)) => Err(ServiceError::Api(ApiError::unavailable(format!("ledger: {e}")).with_message(
            "Acceptance recorded; the ledger posting will be completed automatically. Retry with the same Idempotency-Key for the outcome.",
        ))),
        Err(PostError::Refused(reason)) => Ok(Outcome::Done(
            fail(infra, reference, &reason, state.clock.now()).await?,
        )),
    }
}

/// How an ACCEPTING payment ends once the ledger has answered.
enum Settled<'a> {
    /// The posting is applied (now or by an earlier try).
    Completed,
    /// The ledger refused it: nothing moved, and retrying cannot change that.
    Failed(&'a str),
}

/// Step (3), shared by the request and the recovery worker: ACCEPTING → COMPLETED with the
/// SENDER callback, and the answer stored for any key waiting on it. Idempotent.
pub async fn complete(infra: &Infra, reference: &str, now: DateTime<Utc>) -> ServiceResult<Answer> {
    settle(infra, reference, Settled::Completed, now).await
}

/// The ledger refused the posting: ACCEPTING → FAILED with the reason, the sender told, and
/// the answer stored for any key waiting on it, so neither the payment nor its
/// Idempotency-Key is stranded. Idempotent.
pub async fn fail(
    infra: &Infra,
    reference: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Answer> {
    settle(infra, reference, Settled::Failed(reason), now).await
}

async fn settle(
    infra: &Infra,
    reference: &str,
    how: Settled<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<Answer> {
    let mut conn = infra.pool.get().await?;
    let topics = infra.topics.clone();
    let answer = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let mut t = transactions::lock(c, reference)
                    .await?
                    .ok_or(ErrorCode::TransactionNotFound)?;
                if t.status == TransactionStatus::Accepting {
                    let (transition, event) = match how {
                        Settled::Completed => (Transition::Completed, notifications::COMPLETED),
                        Settled::Failed(reason) => (
                            Transition::Failed {
                                reason: reason.to_owned(),
                            },
                            notifications::FAILED,
                        ),
                    };
                    t.apply(transition, now)?;
                    transactions::save(c, &t).await?;
                    insert_outbox_all(c, &notifications::sender_outcome(&topics, &t, event)?)
                        .await?;
                }
                // The row's own end decides the answer, whoever got there first.
                let answer = if t.status == TransactionStatus::Failed {
                    Answer::failed(&t)?
                } else {
                    Answer::new(200, ACCEPTED, &t)?
                };
                keys::complete_for_reference(c, reference, i32::from(answer.status), &answer.body)
                    .await?;
                Ok(answer)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    Ok(answer)
}

#[tracing::instrument(name = "transaction.reject", skip_all, fields(reference = %reference))]
pub async fn reject(
    infra: &Infra,
    caller: &AuthenticatedApp,
    reference: &str,
    reason: Option<String>,
    guard: Option<Guard>,
    now: DateTime<Utc>,
) -> ServiceResult<Outcome> {
    let mut conn = match open(infra, reference, guard.as_ref(), now).await? {
        Ok(conn) => conn,
        Err(replayed) => return Ok(replayed),
    };
    let topics = infra.topics.clone();
    let outcome = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let mut t =
                    match lock_for_decision(c, &topics, caller, reference, guard.as_ref(), now)
                        .await?
                    {
                        Locked::Ready(t) => t,
                        Locked::Replayed(a) => return Ok(Err(Outcome::Replayed(a))),
                        Locked::Expired => return Ok(Ok(None)),
                    };
                t.apply(Transition::Rejected { reason }, now)?;
                transactions::save(c, &t).await?;
                insert_outbox_all(
                    c,
                    &notifications::sender_outcome(&topics, &t, notifications::REJECTED)?,
                )
                .await?;
                let answer = Answer::new(200, REJECTED, &t)?;
                if let Some(g) = &guard {
                    idempotency::record(c, g, reference, Some(&answer), now).await?;
                }
                Ok(Ok(Some(answer)))
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    match outcome {
        Ok(Some(answer)) => Ok(Outcome::Done(answer)),
        Ok(None) => Err(expired_error()),
        Err(replayed) => Ok(replayed),
    }
}
