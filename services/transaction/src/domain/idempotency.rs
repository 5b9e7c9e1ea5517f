//! `Idempotency-Key` on every mutating POST: scoped to (application, operation), kept 24 h,
//! written in the same database transaction as the change it guards. Same key and body
//! replays the stored answer; a different body, or a duplicate while the first still runs,
//! is `409 IDAAS-CONF-4008`. Failures are never stored.

use chrono::{DateTime, Duration, Utc};
use diesel::{sql_types::Bool, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use idaas_api::{ApiError, ErrorCode};
use idaas_service::ServiceError;
use uuid::Uuid;

use super::{answer::Answer, KeyStatus};
use crate::store::idempotency::{self, KeyRow};

pub use idaas_web::idempotency_key::{HEADER, REPLAYED_HEADER};
const TTL_HOURS: i64 = 24;

/// The key, scope and request fingerprint of one request.
#[derive(Debug, Clone)]
pub struct Guard {
    pub app: Uuid,
    pub operation: String,
    pub key: String,
    pub request_hash: String,
}

/// The `Idempotency-Key` header as sent (`None` when absent), scoped to the caller and the
/// operation; a malformed key is `400` naming the header.
pub fn guard(
    header: Option<&[u8]>,
    app: Uuid,
    operation: &str,
    body: &[u8],
) -> Result<Option<Guard>, ApiError> {
    Ok(
        idaas_web::idempotency_key::parse(header, operation, body)?.map(|k| Guard {
            app,
            operation: operation.to_owned(),
            key: k.key,
            request_hash: k.request_hash,
        }),
    )
}

pub enum Prior {
    None,
    /// The stored answer to replay.
    Replay(Answer),
}

fn in_progress() -> ApiError {
    ApiError::new(ErrorCode::IdempotencyConflict)
        .with_message("A request with this Idempotency-Key is still in progress; retry shortly")
        .with_retry_after(1)
}

fn judge(row: Option<KeyRow>, g: &Guard) -> Result<Prior, ApiError> {
    match row {
        None => Ok(Prior::None),
        Some(r) if r.request_hash != g.request_hash => {
            Err(ApiError::new(ErrorCode::IdempotencyConflict)
                .with_message("This Idempotency-Key was used with a different request"))
        }
        Some(r) if r.status == KeyStatus::Completed => match (
            r.response_status.and_then(|s| u16::try_from(s).ok()),
            r.response_body,
        ) {
            (Some(status), Some(body)) => Ok(Prior::Replay(Answer { status, body })),
            // A completed key always stores its answer (a CHECK-free invariant of `record`);
            // if one ever lacks it, refusing the key beats replaying an invented answer.
            _ => Err(ApiError::internal(format!(
                "idempotency key {} of {} is COMPLETED without its answer",
                g.key, g.app
            ))),
        },
        Some(_) => Err(in_progress()),
    }
}

/// A cheap look before any work (outside a transaction): a finished request replays at once.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    g: &Guard,
    now: DateTime<Utc>,
) -> Result<Prior, ServiceError> {
    let row = idempotency::find_live(conn, g.app, &g.operation, &g.key, now).await?;
    Ok(judge(row, g)?)
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Inside the change's transaction: holds the key for its duration (a concurrent twin gets
/// 409 instead of waiting), then judges what is stored.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    g: &Guard,
    now: DateTime<Utc>,
) -> Result<Prior, ServiceError> {
    let lock: Locked = diesel::sql_query(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2 || ':' || $3, 0)) AS locked",
    )
    .bind::<diesel::sql_types::Text, _>(g.app.to_string())
    .bind::<diesel::sql_types::Text, _>(&g.operation)
    .bind::<diesel::sql_types::Text, _>(&g.key)
    .get_result(conn)
    .await?;
    if !lock.locked {
        return Err(ServiceError::Api(in_progress()));
    }
    peek(conn, g, now).await
}

/// Stores the answer (`Some`) or marks the key as waiting on `reference`'s outcome (`None`).
pub async fn record(
    conn: &mut AsyncPgConnection,
    g: &Guard,
    reference: &str,
    answer: Option<&Answer>,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    idempotency::upsert(
        conn,
        &KeyRow {
            application_id: g.app,
            operation: g.operation.clone(),
            idempotency_key: g.key.clone(),
            request_hash: g.request_hash.clone(),
            reference: Some(reference.to_owned()),
            status: if answer.is_some() {
                KeyStatus::Completed
            } else {
                KeyStatus::InProgress
            },
            response_status: answer.map(|a| i32::from(a.status)),
            response_body: answer.map(|a| a.body.clone()),
            created_at: now,
            expires_at: now + Duration::hours(TTL_HOURS),
        },
    )
    .await
}
