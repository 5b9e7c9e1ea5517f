//! The posting queue in front of the group commit. A request enqueues its posting and waits for
//! its own answer; a few workers each take whatever has queued up (at most `batch_max`, never
//! waiting for more: an idle ledger answers at once, a busy one in larger batches) and apply it
//! as one batch. When a batch fails as a whole: a transient failure (pool, timeout, lost
//! connection, deadlock) is retried once as a whole and then answered 503 for every posting
//! (nothing committed; the caller retries with the same reference); any other failure splits
//! the batch in halves until the posting that causes it fails alone. A full queue, or a posting
//! that waited longer than its caller does, is answered 503 without being applied.

use std::{
    collections::{HashMap, HashSet},
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use futures::{future::BoxFuture, FutureExt};

use idaas_api::ApiError;
use idaas_service::{CancellationToken, Clock, Infra, ServiceError, ServiceResult};
use idaas_telemetry::metrics::{counter, histogram};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;
use uuid::Uuid;

use super::{
    batch::{apply_batch, Item},
    posting::Applied,
    posting_request::PostingRequest,
};
use crate::store::wallets;

struct Job {
    req: PostingRequest,
    span: tracing::Span,
    /// The request's id, for the event the posting causes (the batch runs on another task).
    request_id: Option<String>,
    queued: Instant,
    reply: oneshot::Sender<ServiceResult<Applied>>,
}

/// Postings per batch at most: an entry has 12 columns and PostgreSQL takes 65,535 bind
/// parameters per statement, so a batch's entries must stay well under 2,700 postings.
const BATCH_CEILING: usize = 1_000;

/// The handle requests post through.
#[derive(Clone)]
pub struct PostingQueue {
    jobs: mpsc::Sender<Job>,
}

/// What a worker needs, shared by all of them.
struct Shared {
    infra: Infra,
    clock: Arc<dyn Clock>,
    jobs: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    batch_max: usize,
    /// A posting that has waited this long is no longer awaited by its caller: answered 503,
    /// never applied.
    stale_after: Duration,
    /// (application, currency) → wallet id. Wallets are never deleted, so an id once found
    /// stays right; it saves a read per party per posting.
    wallet_ids: Mutex<HashMap<(Uuid, String), Uuid>>,
}

impl PostingQueue {
    /// Starts `workers` batch workers under the service's supervisor.
    pub fn start(infra: &Infra, clock: Arc<dyn Clock>, workers: usize, batch_max: usize) -> Self {
        let batch_max = batch_max.clamp(1, BATCH_CEILING);
        let (tx, rx) = mpsc::channel(batch_max * workers.max(1) * 4);
        let shared = Arc::new(Shared {
            infra: infra.clone(),
            clock,
            jobs: tokio::sync::Mutex::new(rx),
            batch_max,
            stale_after: Duration::from_millis(infra.settings.http.internal_timeout_ms),
            wallet_ids: Mutex::new(HashMap::new()),
        });
        for n in 0..workers.max(1) {
            let shared = shared.clone();
            infra
                .supervisor
                .spawn(&format!("posting-batch-{n}"), move |stop| run(shared, stop));
        }
        Self { jobs: tx }
    }

    /// Applies one posting through the next batch and answers it.
    pub async fn post(&self, req: PostingRequest) -> ServiceResult<Applied> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            req,
            span: tracing::Span::current(),
            request_id: idaas_telemetry::current_request_id(),
            queued: Instant::now(),
            reply,
        };
        // A full queue sheds load at once rather than queueing callers that will time out.
        if self.jobs.try_send(job).is_err() {
            counted("unavailable");
            return Err(stopped());
        }
        // No answer at all: the worker stopped or its batch panicked before answering.
        answer.await.unwrap_or_else(|_| {
            counted("unavailable");
            Err(stopped())
        })
    }
}

/// Answers one caller, counting the outcome (`idaas_ledger_postings_total`).
fn answer(job: Job, result: ServiceResult<Applied>) {
    let outcome = match &result {
        Ok(a) if a.replayed => "replayed",
        Ok(_) => "applied",
        Err(ServiceError::Api(e)) if e.code.status().is_client_error() => "refused",
        Err(_) => "unavailable",
    };
    counted(outcome);
    let _ = job.reply.send(result);
}

/// `idaas_ledger_postings_total{outcome}`: every posting answered, whoever answers it.
fn counted(outcome: &'static str) {
    counter!("idaas_ledger_postings_total", "outcome" => outcome).increment(1);
}

fn stopped() -> ServiceError {
    ServiceError::Api(ApiError::new(idaas_api::ErrorCode::ServiceUnavailable))
}

async fn run(shared: Arc<Shared>, stop: CancellationToken) {
    loop {
        let batch = {
            let mut jobs = tokio::select! {
                _ = stop.cancelled() => return,
                jobs = shared.jobs.lock() => jobs,
            };
            let first = tokio::select! {
                _ = stop.cancelled() => return,
                job = jobs.recv() => match job {
                    Some(job) => job,
                    None => return stop.cancelled().await,
                },
            };
            let mut batch = vec![first];
            while batch.len() < shared.batch_max {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        histogram!("idaas_ledger_batch_size").record(batch.len() as f64);
        let span = tracing::info_span!("ledger.batch", size = batch.len());
        for job in &batch {
            span.follows_from(&job.span);
        }
        // A panic loses this batch's answers (its callers get 503; nothing committed that they
        // are not told of on retry, as a replay) but never the worker.
        let done = AssertUnwindSafe(process(&shared, batch).instrument(span))
            .catch_unwind()
            .await;
        if done.is_err() {
            tracing::error!("a posting batch panicked; its callers were answered 503");
        }
    }
}

async fn process(shared: &Shared, batch: Vec<Job>) {
    let (fresh, stale): (Vec<Job>, Vec<Job>) = batch
        .into_iter()
        .partition(|j| j.queued.elapsed() < shared.stale_after);
    for job in stale {
        answer(job, Err(stopped()));
    }
    // A reference twice in one batch: the first goes in the batch, the others after it, on
    // their own (they then find it posted: a replay or a conflict).
    let mut seen = HashSet::new();
    let (first, repeats): (Vec<Job>, Vec<Job>) = fresh
        .into_iter()
        .partition(|j| seen.insert(j.req.reference.clone()));
    apply_split(shared, first, false).await;
    for job in repeats {
        apply_split(shared, vec![job], false).await;
    }
}

/// A failure that says nothing about the postings themselves: the same batch may well pass.
fn is_transient(e: &ServiceError) -> bool {
    match e {
        ServiceError::Pool(_) | ServiceError::Unavailable(_) => true,
        ServiceError::Db(DieselError::DatabaseError(kind, info)) => {
            matches!(
                kind,
                DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::SerializationFailure
            ) || ["timeout", "deadlock detected"]
                .iter()
                .any(|m| info.message().contains(m))
        }
        _ => false,
    }
}

/// Applies `jobs` as one batch and answers each; see the module's note for failures.
fn apply_split(shared: &Shared, jobs: Vec<Job>, retried: bool) -> BoxFuture<'_, ()> {
    Box::pin(async move {
        if jobs.is_empty() {
            return;
        }
        let outcome = match resolve_wallets(shared, &jobs).await {
            Ok(resolved) => {
                let items: Vec<Item<'_>> = jobs
                    .iter()
                    .zip(&resolved)
                    .map(|(j, (s, r))| Item {
                        req: &j.req,
                        sender_wallet: *s,
                        receiver_wallet: *r,
                        span: &j.span,
                        request_id: j.request_id.as_deref(),
                    })
                    .collect();
                apply_batch(&shared.infra, shared.clock.as_ref(), &items).await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(answers) => {
                for (job, result) in jobs.into_iter().zip(answers) {
                    answer(job, result);
                }
            }
            Err(e) if is_transient(&e) && !retried => {
                tracing::warn!(error = %idaas_service::chain(&e), size = jobs.len(), "posting batch failed transiently; retrying it once");
                apply_split(shared, jobs, true).await;
            }
            Err(e) if is_transient(&e) => {
                tracing::warn!(error = %idaas_service::chain(&e), size = jobs.len(), "posting batch failed again; answering 503");
                for job in jobs {
                    answer(job, Err(stopped()));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    answer(job, Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %idaas_service::chain(&e), size = jobs.len(), "posting batch failed; splitting it to isolate the cause");
                let mut left = jobs;
                let right = left.split_off(left.len() / 2);
                apply_split(shared, left, retried).await;
                apply_split(shared, right, retried).await;
            }
        }
    })
}

/// Each job's (sender, receiver) wallet ids, creating wallets on first use (each creation
/// commits on its own, outside any batch, so a batch never holds one while creating another).
async fn resolve_wallets(shared: &Shared, jobs: &[Job]) -> ServiceResult<Vec<(Uuid, Uuid)>> {
    let mut out = Vec::with_capacity(jobs.len());
    let mut conn = None;
    for job in jobs {
        let mut ids = [Uuid::nil(); 2];
        for (slot, party) in ids.iter_mut().zip([&job.req.sender, &job.req.receiver]) {
            let key = (party.application_id, job.req.currency.as_str().to_owned());
            let cached = shared
                .wallet_ids
                .lock()
                .ok()
                .and_then(|m| m.get(&key).copied());
            *slot = match cached {
                Some(id) => id,
                None => {
                    if conn.is_none() {
                        conn = Some(shared.infra.pool.get().await?);
                    }
                    let c = conn
                        .as_mut()
                        .ok_or_else(|| ServiceError::internal("no connection"))?;
                    let w =
                        wallets::ensure(c, party.application_id, &party.application_name, &key.1)
                            .await?;
                    if let Ok(mut m) = shared.wallet_ids.lock() {
                        m.insert(key, w.id);
                    }
                    w.id
                }
            };
        }
        out.push((ids[0], ids[1]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(kind: DatabaseErrorKind, message: &str) -> ServiceError {
        ServiceError::Db(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
    }

    #[test]
    fn only_failures_that_say_nothing_about_the_postings_are_retried_whole() {
        for transient in [
            db(
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            db(
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "canceling statement due to lock timeout",
            ),
            db(DatabaseErrorKind::Unknown, "deadlock detected"),
        ] {
            assert!(is_transient(&transient), "{transient:?}");
        }
        for data in [
            db(
                DatabaseErrorKind::CheckViolation,
                "violates check constraint",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "invalid byte sequence for encoding \"UTF8\": 0x00",
            ),
            ServiceError::Db(DieselError::NotFound),
            stopped(),
        ] {
            assert!(!is_transient(&data), "{data:?}");
        }
    }
}
