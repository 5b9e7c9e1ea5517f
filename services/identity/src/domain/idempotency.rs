//! `Idempotency-Key` on identity's mutating POSTs, with the semantics payments have: scoped to
//! (caller, operation), kept 24 h; the same key and body replays the first answer (with
//! `Idempotency-Replayed: true`); another body, or a twin while the first still runs, is
//! `409 IDAAS-CONF-4008`; failures are never kept, so a failed request can be retried with its
//! key. Registration and rotations answer secrets shown only once, so every stored answer is
//! sealed under the at-rest key, bound to its scope, operation and key; only the key's SHA-256
//! is stored, and expired rows are purged.
//!
//! The key is recorded after the change commits, not in its transaction: if the process dies
//! between the two, the key is free again after `STALE` and a retry runs the request again,
//! which then meets the change's own uniqueness (an appHandle, an externalId, a tag name
//! answers 409), so nothing is created twice.

use chrono::{Duration, Utc};
use idaas_api::{ApiError, ErrorCode};
use idaas_crypto::at_rest::AtRestCipher;
use idaas_service::{Infra, ServiceError, ServiceResult};
use idaas_web::idempotency_key::IdempotencyKey;
use sha2::{Digest, Sha256};

use crate::store::idempotency::{self, KeyRow, COMPLETED, IN_PROGRESS};

const TTL: Duration = Duration::hours(24);
/// A request that held its key this long without an answer is presumed dead.
const STALE: Duration = Duration::seconds(60);
/// Registration has no caller yet: its keys share one scope.
pub const REGISTRATION: &str = "registration";

/// An answer as sent: status and JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

pub enum Begun {
    /// Run the request, then `finish` (or `abandon` on failure).
    Run(KeyRow),
    Replay(Answer),
}

fn aad(row: &KeyRow) -> Vec<u8> {
    format!(
        "idempotency:{}:{}:{}",
        row.scope, row.operation, row.key_hash
    )
    .into_bytes()
}

fn in_progress() -> ApiError {
    ApiError::new(ErrorCode::IdempotencyConflict)
        .with_message("A request with this Idempotency-Key is still in progress; retry shortly")
        .with_retry_after(1)
}

pub async fn begin(
    infra: &Infra,
    cipher: &AtRestCipher,
    scope: &str,
    operation: &str,
    key: IdempotencyKey,
) -> ServiceResult<Begun> {
    let now = Utc::now();
    let row = KeyRow {
        scope: scope.to_owned(),
        operation: operation.to_owned(),
        key_hash: hex::encode(Sha256::digest(key.key.as_bytes())),
        request_hash: key.request_hash,
        status: IN_PROGRESS.to_owned(),
        response_status: None,
        response_sealed: None,
        created_at: now,
        expires_at: now + TTL,
        claim_token: Some(uuid::Uuid::new_v4()),
    };
    let mut conn = infra.pool.get().await?;
    if idempotency::claim(&mut conn, &row, STALE).await? {
        return Ok(Begun::Run(row));
    }
    let stored = idempotency::find(&mut conn, scope, operation, &row.key_hash)
        .await?
        .ok_or_else(in_progress)?;
    if stored.request_hash != row.request_hash {
        return Err(ApiError::new(ErrorCode::IdempotencyConflict)
            .with_message("This Idempotency-Key was used with a different request")
            .into());
    }
    match (
        stored.status.as_str(),
        stored.response_status,
        &stored.response_sealed,
    ) {
        (COMPLETED, Some(status), Some(sealed)) => {
            let body = cipher
                .decrypt(sealed, &aad(&stored))
                .map_err(|e| ServiceError::Internal(Box::new(e)))?;
            Ok(Begun::Replay(Answer {
                status: u16::try_from(status).unwrap_or(500),
                body: body.expose().clone(),
            }))
        }
        _ => Err(in_progress().into()),
    }
}

/// Keeps the answer for replays.
pub async fn finish(
    infra: &Infra,
    cipher: &AtRestCipher,
    row: &KeyRow,
    answer: &Answer,
) -> ServiceResult<()> {
    let sealed = cipher
        .encrypt(&answer.body, &aad(row))
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    let mut conn = infra.pool.get().await?;
    idempotency::complete(&mut conn, row, i32::from(answer.status), &sealed).await?;
    Ok(())
}

/// The request failed: its key is free again.
pub async fn abandon(infra: &Infra, row: &KeyRow) -> ServiceResult<()> {
    let mut conn = infra.pool.get().await?;
    idempotency::release(&mut conn, row).await?;
    Ok(())
}

/// Deletes expired keys and their sealed answers.
pub async fn purge(infra: &Infra) -> ServiceResult<usize> {
    let mut conn = infra.pool.get().await?;
    Ok(idempotency::purge(&mut conn, Utc::now()).await?)
}
