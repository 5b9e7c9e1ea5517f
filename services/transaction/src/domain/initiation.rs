//! `POST /v1/transactions`: validate both tags, then in one database transaction write the
//! payment, its RECEIVER webhook and its domain event (and the idempotency record).

use chrono::Duration;
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_auth::AuthenticatedApp;
use idaas_contracts::tags::TagStatus;
use idaas_domain::{TagAddress, UrlPolicy, WebhookUrl};
use idaas_kafka::insert_outbox_all;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{
    answer::Answer,
    idempotency::{self, Guard, Prior},
    initiation_request, notifications, reference, TransactionStatus,
};
use crate::{
    app::TxState,
    clients::ResolvedTag,
    store::transactions::{self, TransactionRow},
};

const INITIATED: &str = "Transaction initiated – awaiting acceptance by receiving application";

fn usable(tag: &ResolvedTag, field: &str) -> Result<(), ApiError> {
    if tag.status != TagStatus::Active {
        return Err(
            ApiError::new(ErrorCode::TagDisabled).with_errors(vec![format!(
                "{field} {} is disabled",
                tag.qualified_address
            )]),
        );
    }
    if !tag.application_active {
        return Err(
            ApiError::new(ErrorCode::TagDisabled).with_errors(vec![format!(
                "{field} {} belongs to a deactivated application",
                tag.qualified_address
            )]),
        );
    }
    Ok(())
}

/// A payment's `callbackUrl` must be on the origin of the sender's registered webhook URL, or
/// on one the sender listed in `callbackOrigins`, so a stolen token cannot point the
/// platform's signed callbacks at a host of the thief's.
fn allowed_callback(callback: Option<&WebhookUrl>, sender: &ResolvedTag) -> Result<(), ApiError> {
    let Some(callback) = callback else {
        return Ok(());
    };
    let registered = sender
        .transaction_webhook_url
        .as_deref()
        .and_then(|r| WebhookUrl::parse(r, UrlPolicy::AllowHttp).ok());
    let on_registered = registered.is_some_and(|r| r.same_origin(callback));
    if on_registered || sender.callback_origins.contains(&callback.origin()) {
        return Ok(());
    }
    Err(ApiError::validation(vec![
        "callbackUrl must be on the origin (scheme, host, port) of the application's \
         transactionWebhookUrl or of one of its callbackOrigins"
            .into(),
    ]))
}

fn not_yours() -> ApiError {
    ApiError::new(ErrorCode::AccessDenied)
        .with_message("senderTag must belong to the calling application")
}

pub enum Outcome {
    Created(Answer),
    Replayed(Answer),
}

#[tracing::instrument(name = "transaction.initiate", skip_all, fields(app_id = %caller.app_id))]
pub async fn initiate(
    infra: &Infra,
    state: &TxState,
    caller: &AuthenticatedApp,
    guard: Option<Guard>,
    body: &[u8],
) -> ServiceResult<Outcome> {
    let req = initiation_request::parse(body, UrlPolicy::for_profile(&infra.settings.profile))?;
    if let Some(g) = &guard {
        let mut conn = infra.pool.get().await?;
        if let Prior::Replay(a) = idempotency::peek(&mut conn, g, state.clock.now()).await? {
            return Ok(Outcome::Replayed(a));
        }
    }
    // A sender is always one of the caller's own tags: a bare name means the caller's.
    let sender_address = match &req.sender {
        TagAddress::Bare(t) => format!("{t}@{}", caller.handle),
        TagAddress::Qualified(q) if q.app.as_str() == caller.handle => q.to_string(),
        TagAddress::Qualified(_) => return Err(not_yours().into()),
    };
    let receiver_address = req.receiver.to_string();
    let mut resolved = state
        .clients
        .resolve_all(&[&sender_address, &receiver_address])
        .await?
        .into_iter();
    let (Some(sender), Some(receiver)) = (resolved.next(), resolved.next()) else {
        return Err(ApiError::unavailable("identity: fewer resolutions than asked").into());
    };
    // The same order of checks as one call per tag: everything about the sender first.
    let sender = sender?;
    if sender.application_id != caller.app_id {
        return Err(not_yours().into());
    }
    usable(&sender, "senderTag")?;
    allowed_callback(req.callback_url.as_ref(), &sender)?;
    let receiver = receiver?;
    usable(&receiver, "receiverTag")?;

    let now = state.clock.now();
    let row = TransactionRow {
        id: Uuid::now_v7(),
        reference: reference::generate(now.timestamp()),
        sender_app_id: sender.application_id,
        sender_app_name: sender.application_name,
        sender_tag: sender.qualified_address,
        receiver_app_id: receiver.application_id,
        receiver_app_name: receiver.application_name,
        receiver_tag: receiver.qualified_address,
        amount: req.amount.amount(),
        currency: req.currency.to_string(),
        narration: req.narration,
        callback_url: req.callback_url.map(|u| u.to_string()),
        sender_notify_url: sender.transaction_webhook_url,
        receiver_notify_url: receiver.transaction_webhook_url,
        status: TransactionStatus::AwaitingAcceptance,
        rejection_reason: None,
        expires_at: now + Duration::seconds(state.settings.expiry_seconds),
        accepted_at: None,
        completed_at: None,
        rejected_at: None,
        expired_at: None,
        created_at: now,
        updated_at: now,
        failure_reason: None,
        failed_at: None,
    };
    let topics = infra.topics.clone();
    // Taken only now: no connection sits idle through the identity call above.
    let mut conn = infra.pool.get().await?;
    let outcome = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                if let Some(g) = &guard {
                    if let Prior::Replay(a) = idempotency::claim(c, g, now).await? {
                        return Ok(Outcome::Replayed(a));
                    }
                }
                transactions::insert(c, &row).await?;
                let told = [
                    notifications::to_receiver(&topics, &row)?,
                    notifications::state_changed(&topics, &row),
                ];
                insert_outbox_all(c, &told).await?;
                let answer = Answer::new(201, INITIATED, &row)?;
                if let Some(g) = &guard {
                    idempotency::record(c, g, &row.reference, Some(&answer), now).await?;
                }
                Ok(Outcome::Created(answer))
            }
            .scope_boxed()
        })
        .await?;
    if matches!(outcome, Outcome::Created(_)) {
        infra.relay.wake();
    }
    Ok(outcome)
}
