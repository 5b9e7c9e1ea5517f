//! Attempts due deliveries. Each is leased (no other replica or pass takes it meanwhile) and
//! attempted in its own task, up to `webhooks.concurrency` at once and at most
//! `webhooks.per_application_concurrency` for one application, so a slow or hanging receiver
//! holds a few slots for at most its timeout and never delays other applications.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_kafka::{insert_outbox, OutboxMessage};
use idaas_proto::Message;
use idaas_service::{CancellationToken, Infra, ServiceError};
use idaas_telemetry::metrics::{counter, histogram};
use tokio::{
    sync::{Notify, Semaphore},
    task::JoinSet,
};
use tracing::Instrument;

use crate::{
    app::DispatchState,
    clients::identity::ProfileError,
    domain::{
        app_slots::AppSlots,
        outcome::{self, Attempted, DeadLetter},
        request, target,
    },
    store::deliveries::{self, DeliveryRow},
};

const POLL: Duration = Duration::from_millis(250);
/// A pass with free slots runs at least this often; silence beyond a minute means stuck.
const MAX_SILENCE: Duration = Duration::from_secs(60);
/// Identity could not say which secret to sign with: try again after this, no attempt spent.
const PROFILE_RETRY: chrono::Duration = chrono::Duration::seconds(5);

pub async fn run(
    infra: Infra,
    state: Arc<DispatchState>,
    wake: Arc<Notify>,
    stop: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(state.settings.concurrency));
    let app_slots = AppSlots::new(state.settings.per_application_concurrency);
    let beat = infra.heartbeats.register("webhook-deliverer", MAX_SILENCE);
    // Longer than one attempt can take, so a lease never ends while its attempt still runs.
    let lease = chrono::Duration::milliseconds(
        i64::try_from(state.settings.attempt_timeout_ms).unwrap_or(i64::MAX / 2) + 20_000,
    );
    // Inside the lease with room to spare: the HTTP send has its own timeout; the identity
    // call, the resolution and the record are bounded here.
    let budget = Duration::from_millis(state.settings.attempt_timeout_ms) + Duration::from_secs(15);
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        beat.beat();
        while tasks.try_join_next().is_some() {}
        let free = slots.available_permits();
        if free == 0 {
            continue;
        }
        let now = Utc::now();
        let due = match lease_due(&infra, now, now + lease, free, &app_slots).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %idaas_service::chain(&e), "leasing due deliveries failed");
                continue;
            }
        };
        let mut deferred = Vec::new();
        for row in due {
            // A pass may lease a few more for one application than it has slots left.
            let Some(app_slot) = app_slots.take(row.application_id) else {
                deferred.push(row.id);
                continue;
            };
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            let (infra, state, wake, budget) = (infra.clone(), state.clone(), wake.clone(), budget);
            let span = attempt_span(&row);
            tasks.spawn(
                async move {
                    // The whole attempt (profile, resolution, send, record) ends before its
                    // lease does, so no other pass can start it again while it still runs.
                    match tokio::time::timeout(budget, attempt(&infra, &state, row)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::warn!(error = %idaas_service::chain(&e), "delivery attempt not recorded; it runs again when its lease ends"),
                        Err(_) => tracing::warn!("delivery attempt outran its budget; it runs again when its lease ends"),
                    }
                    drop((permit, app_slot));
                    // A freed slot may be waited for: the next pass need not wait for the poll.
                    wake.notify_one();
                }
                .instrument(span),
            );
        }
        if !deferred.is_empty() {
            if let Err(e) = release(&infra, &deferred).await {
                tracing::warn!(error = %idaas_service::chain(&e), "releasing deferred deliveries failed; they run when their lease ends");
            }
        }
    }
    // Attempts in flight get a moment to record their outcome; the rest run again after their
    // lease, and the receiver dedupes on the delivery id.
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.shutdown().await;
}

async fn lease_due(
    infra: &Infra,
    now: chrono::DateTime<Utc>,
    until: chrono::DateTime<Utc>,
    free: usize,
    app_slots: &AppSlots,
) -> Result<Vec<DeliveryRow>, ServiceError> {
    let mut conn = infra.pool.get().await?;
    let limit = i64::try_from(free).unwrap_or(i64::MAX);
    let per_application = i64::try_from(app_slots.cap()).unwrap_or(i64::MAX);
    Ok(deliveries::lease_due(
        &mut conn,
        now,
        until,
        limit,
        per_application,
        &app_slots.full(),
    )
    .await?)
}

async fn release(infra: &Infra, ids: &[uuid::Uuid]) -> Result<(), ServiceError> {
    let mut conn = infra.pool.get().await?;
    deliveries::release(&mut conn, ids, Utc::now()).await?;
    Ok(())
}

/// The attempt's span continues the trace of the request that caused the event.
fn attempt_span(row: &DeliveryRow) -> tracing::Span {
    let span = tracing::info_span!(
        "webhook.attempt",
        delivery = %row.id,
        reference = %row.transaction_reference,
        direction = %row.direction,
        attempt = row.attempts + 1,
    );
    if let Some(tp) = &row.traceparent {
        let headers = [("traceparent".to_owned(), tp.clone())]
            .into_iter()
            .collect();
        idaas_telemetry::extract_into_span(&span, &headers);
    }
    span
}

/// A delivery that cannot be attempted at all: dead-lettered at once.
async fn undeliverable(
    infra: &Infra,
    row: &DeliveryRow,
    letter: DeadLetter,
) -> Result<(), ServiceError> {
    save(infra, row, Some(letter), Some("undeliverable")).await
}

async fn attempt(
    infra: &Infra,
    state: &DispatchState,
    row: DeliveryRow,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let Some(url) = row.target_url.clone() else {
        let (row, letter) = outcome::undeliverable(
            row,
            "the application has no transactionWebhookUrl (and the payment no callbackUrl)",
            now,
        );
        return undeliverable(infra, &row, letter).await;
    };
    let profile = match state.identity.profile(row.application_id).await {
        Ok(p) if p.active => p,
        Ok(_) => {
            let (row, letter) = outcome::undeliverable(row, "the application is deactivated", now);
            return undeliverable(infra, &row, letter).await;
        }
        Err(ProfileError::Unknown(_)) => {
            let (row, letter) =
                outcome::undeliverable(row, "identity knows no such application", now);
            return undeliverable(infra, &row, letter).await;
        }
        Err(e) => {
            // Not the receiver's fault: no attempt is spent, it goes again shortly.
            tracing::warn!(error = %idaas_service::chain(&e), "no delivery profile; retrying shortly");
            let mut row = row;
            row.next_attempt_at = Some(now + PROFILE_RETRY);
            return save(infra, &row, None, None).await;
        }
    };
    let started = std::time::Instant::now();
    let result = send(state, &row, &url, &profile, now.timestamp()).await;
    histogram!("idaas_webhook_attempt_duration_seconds").record(started.elapsed().as_secs_f64());
    let (row, letter) = outcome::apply(
        row,
        result,
        Utc::now(),
        &state.settings,
        &mut rand::thread_rng(),
    );
    let outcome = match (&letter, row.status) {
        (Some(l), _) => {
            tracing::warn!(reason = %l.message.reason, attempts = row.attempts, "delivery failed; dead-lettered");
            "dead_lettered"
        }
        (None, crate::domain::DeliveryStatus::Delivered) => {
            tracing::info!(attempts = row.attempts, "delivered");
            "delivered"
        }
        (None, _) => {
            tracing::info!(attempts = row.attempts, error = ?row.last_error, "attempt failed; retrying on schedule");
            "retrying"
        }
    };
    save(infra, &row, letter, Some(outcome)).await
}

async fn send(
    state: &DispatchState,
    row: &DeliveryRow,
    url: &str,
    profile: &idaas_contracts::applications::DeliveryProfile,
    timestamp: i64,
) -> Attempted {
    let refused = |error: String| Attempted::Failed {
        status: None,
        error,
        retry_after: None,
    };
    let target = match target::check(url, state.local).await {
        Ok(t) => t,
        Err(e) => return refused(format!("target refused: {e}")),
    };
    let signed = match request::build(row.id, &row.payload, profile, timestamp) {
        Ok(s) => s,
        Err(e) => return refused(format!("request not built: {}", idaas_service::chain(&e))),
    };
    let client = match &target.pinned {
        None => state.http.clone(),
        Some((host, addr)) => match state.pinned_client(host, *addr) {
            Ok(c) => c,
            Err(e) => return refused(format!("HTTP client: {e}")),
        },
    };
    let mut req = client.post(target.url).body(signed.body);
    for (name, value) in signed.headers {
        req = req.header(name, value);
    }
    if let Some(tp) = &row.traceparent {
        req = req.header("traceparent", tp);
    }
    match req.send().await {
        Ok(resp) if resp.status().is_success() => Attempted::Delivered {
            status: resp.status().as_u16(),
        },
        Ok(resp) => {
            let status = resp.status();
            let retry_after = matches!(status.as_u16(), 429 | 503)
                .then(|| resp.headers().get(reqwest::header::RETRY_AFTER))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Attempted::Failed {
                status: Some(status.as_u16()),
                error: format!("HTTP {status}"),
                retry_after,
            }
        }
        Err(e) if e.is_timeout() => refused("no answer within the attempt timeout".into()),
        Err(e) => refused(format!("request failed: {}", idaas_service::chain(&e))),
    }
}

/// The outcome and, when the delivery has failed, its dead letter: one commit. `outcome` is
/// counted only once that commit has recorded it (a lost lease records nothing, and the attempt
/// that runs again counts itself).
async fn save(
    infra: &Infra,
    row: &DeliveryRow,
    letter: Option<DeadLetter>,
    outcome: Option<&'static str>,
) -> Result<(), ServiceError> {
    let message = letter.map(|l| {
        OutboxMessage::new(
            l.id,
            infra.topics.webhooks_dlt(),
            l.message.transaction_reference.clone(),
            "WebhookDeadLetter",
            l.message.encode_to_vec(),
        )
    });
    let mut conn = infra.pool.get().await?;
    let saved_row = row.clone();
    let published = message.is_some();
    let recorded = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let recorded = deliveries::save_outcome(c, &saved_row).await?;
                if recorded {
                    if let Some(m) = &message {
                        insert_outbox(c, m).await?;
                    }
                }
                Ok(recorded)
            }
            .scope_boxed()
        })
        .await?;
    if let (true, Some(outcome)) = (recorded, outcome) {
        counter!("idaas_webhook_attempts_total", "outcome" => outcome).increment(1);
        if outcome == "delivered" {
            // From the event's arrival here to the receiver's 2xx, retries included.
            let waited = (Utc::now() - row.created_at).num_milliseconds().max(0) as f64 / 1000.0;
            histogram!("idaas_webhook_delivery_latency_seconds").record(waited);
        }
    }
    if published {
        infra.relay.wake();
    }
    Ok(())
}
