//! The posting queue in front of the group commit. A request enqueues its posting and waits for
//! its own answer; a few workers each take whatever has queued up (at most `batch_max`, never
//! waiting for more: an idle ledger answers at once, a busy one in larger batches) and apply it
//! as one batch. A batch that fails as a whole is retried posting by posting, so one bad
//! posting fails alone and never takes its neighbours with it.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use idaas_api::ApiError;
use idaas_service::{CancellationToken, Clock, Infra, ServiceError, ServiceResult};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;
use uuid::Uuid;

use super::{
    batch::{apply_batch, Item},
    posting::{self, Applied},
    posting_request::PostingRequest,
};
use crate::store::wallets;

struct Job {
    req: PostingRequest,
    span: tracing::Span,
    reply: oneshot::Sender<ServiceResult<Applied>>,
}

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
    /// (application, currency) → wallet id. Wallets are never deleted, so an id once found
    /// stays right; it saves a read per party per posting.
    wallet_ids: Mutex<HashMap<(Uuid, String), Uuid>>,
}

impl PostingQueue {
    /// Starts `workers` batch workers under the service's supervisor.
    pub fn start(infra: &Infra, clock: Arc<dyn Clock>, workers: usize, batch_max: usize) -> Self {
        let batch_max = batch_max.max(1);
        let (tx, rx) = mpsc::channel(batch_max * workers.max(1) * 4);
        let shared = Arc::new(Shared {
            infra: infra.clone(),
            clock,
            jobs: tokio::sync::Mutex::new(rx),
            batch_max,
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
            reply,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
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
        let span = tracing::info_span!("ledger.batch", size = batch.len());
        process(&shared, batch).instrument(span).await;
    }
}

async fn process(shared: &Shared, batch: Vec<Job>) {
    // A reference twice in one batch: the first goes in the batch, the others after it, on
    // their own (they then find it posted: a replay or a conflict).
    let mut seen = HashSet::new();
    let (first, repeats): (Vec<Job>, Vec<Job>) = batch
        .into_iter()
        .partition(|j| seen.insert(j.req.reference.clone()));

    match resolve_wallets(shared, &first).await {
        Ok(resolved) => {
            let items: Vec<Item<'_>> = first
                .iter()
                .zip(&resolved)
                .map(|(j, (s, r))| Item {
                    req: &j.req,
                    sender_wallet: *s,
                    receiver_wallet: *r,
                    span: &j.span,
                })
                .collect();
            match apply_batch(&shared.infra, shared.clock.as_ref(), &items).await {
                Ok(answers) => {
                    drop(items);
                    for (job, answer) in first.into_iter().zip(answers) {
                        let _ = job.reply.send(answer);
                    }
                }
                Err(e) => {
                    drop(items);
                    tracing::warn!(error = %idaas_service::chain(&e), size = first.len(),
                        "posting batch failed as a whole; applying its postings one by one");
                    one_by_one(shared, first).await;
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %idaas_service::chain(&e), "resolving wallets failed; applying one by one");
            one_by_one(shared, first).await;
        }
    }
    one_by_one(shared, repeats).await;
}

async fn one_by_one(shared: &Shared, jobs: Vec<Job>) {
    for job in jobs {
        let answer = posting::apply(&shared.infra, shared.clock.as_ref(), &job.req)
            .instrument(job.span.clone())
            .await;
        let _ = job.reply.send(answer);
    }
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
