//! Idempotency keys of identity's mutating POSTs.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub scope: String,
    pub operation: String,
    pub key_hash: String,
    pub request_hash: String,
    pub status: String,
    pub response_status: Option<i32>,
    pub response_sealed: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The request holding the key now.
    pub claim_token: Option<Uuid>,
}

pub const IN_PROGRESS: &str = "IN_PROGRESS";
pub const COMPLETED: &str = "COMPLETED";

/// Takes the key for this request: a new key, an expired one, or one whose request was
/// abandoned `stale` ago (its process died before recording an answer). `false` when another
/// request holds it or completed it.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    row: &KeyRow,
    stale: Duration,
) -> QueryResult<bool> {
    use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
    let n = diesel::sql_query(
        "INSERT INTO idempotency_keys
                (scope, operation, key_hash, request_hash, status, created_at, expires_at,
                 claim_token)
         VALUES ($1, $2, $3, $4, 'IN_PROGRESS', $5, $6, $8)
         ON CONFLICT (scope, operation, key_hash) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, status = 'IN_PROGRESS',
                response_status = NULL, response_sealed = NULL,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
                claim_token = EXCLUDED.claim_token
          WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
             OR (idempotency_keys.status = 'IN_PROGRESS' AND idempotency_keys.created_at <= $7)",
    )
    .bind::<Text, _>(&row.scope)
    .bind::<Text, _>(&row.operation)
    .bind::<Text, _>(&row.key_hash)
    .bind::<Text, _>(&row.request_hash)
    .bind::<Timestamptz, _>(row.created_at)
    .bind::<Timestamptz, _>(row.expires_at)
    .bind::<Timestamptz, _>(row.created_at - stale)
    .bind::<Nullable<SqlUuid>, _>(row.claim_token)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    scope: &str,
    operation: &str,
    key_hash: &str,
) -> QueryResult<Option<KeyRow>> {
    idempotency_keys::table
        .find((scope, operation, key_hash))
        .select(KeyRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    row: &KeyRow,
    status: i32,
    sealed: &str,
) -> QueryResult<()> {
    diesel::update(
        idempotency_keys::table
            .find((&row.scope, &row.operation, &row.key_hash))
            .filter(idempotency_keys::claim_token.eq(row.claim_token))
            .filter(idempotency_keys::status.eq(IN_PROGRESS)),
    )
    .set((
        idempotency_keys::status.eq(COMPLETED),
        idempotency_keys::response_status.eq(Some(status)),
        idempotency_keys::response_sealed.eq(Some(sealed)),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed request's key is not kept: the same key may be tried again at once.
pub async fn release(conn: &mut AsyncPgConnection, row: &KeyRow) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((&row.scope, &row.operation, &row.key_hash))
            .filter(idempotency_keys::claim_token.eq(row.claim_token))
            .filter(idempotency_keys::status.eq(IN_PROGRESS)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets expired keys, and with them the sealed answers (secrets among them).
pub async fn purge(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now)))
        .execute(conn)
        .await
}
