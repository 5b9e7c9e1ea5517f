//! `Idempotency-Key` on every mutating POST: scoped to (application, operation), kept 24 h,
//! written in the same database transaction as the change it guards. Same key and body
//! replays the stored answer; a different body, or a duplicate while the first still runs,
//! is `409 IDAAS-CONF-4008`. Failures are never stored.

use actix_web::{http::StatusCode, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use diesel::{sql_types::Bool, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use idaas_api::{ApiError, ErrorCode};
use idaas_service::ServiceError;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::store::idempotency::{self, KeyRow};

pub const HEADER: &str = "idempotency-key";
const TTL_HOURS: i64 = 24;

/// The key, scope and request fingerprint of one request.
#[derive(Debug, Clone)]
pub struct Guard {
    pub app: Uuid,
    pub operation: String,
    pub key: String,
    pub request_hash: String,
}

/// 1–255 printable ASCII characters, else `400` naming the header.
pub fn guard(
    req: &HttpRequest,
    app: Uuid,
    operation: &str,
    body: &[u8],
) -> Result<Option<Guard>, ApiError> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x20..=0x7e).contains(&b))
        })
        .ok_or_else(|| {
            ApiError::validation(vec![
                "Idempotency-Key must be 1-255 printable ASCII characters".into(),
            ])
        })?;
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update([0]);
    h.update(body);
    Ok(Some(Guard {
        app,
        operation: operation.to_owned(),
        key: key.to_owned(),
        request_hash: hex::encode(h.finalize()),
    }))
}

pub enum Prior {
    None,
    /// The stored answer to replay.
    Replay(u16, String),
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
        Some(r) if r.status == "COMPLETED" => Ok(Prior::Replay(
            r.response_status
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            r.response_body.unwrap_or_default(),
        )),
        Some(_) => Err(in_progress()),
    }
}

/// A cheap look before any work (outside a transaction): a finished request replays at once.
pub async fn peek(conn: &mut AsyncPgConnection, g: &Guard) -> Result<Prior, ServiceError> {
    let row = idempotency::find_live(conn, g.app, &g.operation, &g.key, Utc::now()).await?;
    Ok(judge(row, g)?)
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Inside the change's transaction: holds the key for its duration (a concurrent twin gets
/// 409 instead of waiting), then judges what is stored.
pub async fn claim(conn: &mut AsyncPgConnection, g: &Guard) -> Result<Prior, ServiceError> {
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
    peek(conn, g).await
}

/// Stores the answer (`Some`) or marks the key as waiting on `reference`'s outcome (`None`).
pub async fn record(
    conn: &mut AsyncPgConnection,
    g: &Guard,
    reference: &str,
    answer: Option<(u16, &str)>,
) -> Result<(), diesel::result::Error> {
    let now = Utc::now();
    idempotency::upsert(
        conn,
        &KeyRow {
            application_id: g.app,
            operation: g.operation.clone(),
            idempotency_key: g.key.clone(),
            request_hash: g.request_hash.clone(),
            reference: Some(reference.to_owned()),
            status: if answer.is_some() {
                "COMPLETED"
            } else {
                "IN_PROGRESS"
            }
            .to_owned(),
            response_status: answer.map(|(s, _)| i32::from(s)),
            response_body: answer.map(|(_, b)| b.to_owned()),
            created_at: now,
            expires_at: now + Duration::hours(TTL_HOURS),
        },
    )
    .await
}

/// The stored answer, byte for byte, flagged as a replay.
pub fn replay(status: u16, body: String) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .insert_header(("Idempotency-Replayed", "true"))
        .body(body)
}
