use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::idempotency_keys;
use crate::domain::KeyStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub application_id: Uuid,
    pub operation: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub reference: Option<String>,
    pub status: KeyStatus,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn find_live(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    operation: &str,
    key: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<KeyRow>> {
    idempotency_keys::table
        .find((app, operation, key))
        .filter(idempotency_keys::expires_at.gt(now))
        .select(KeyRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Writes (or replaces an expired) key record.
pub async fn upsert(conn: &mut AsyncPgConnection, row: &KeyRow) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .on_conflict((
            idempotency_keys::application_id,
            idempotency_keys::operation,
            idempotency_keys::idempotency_key,
        ))
        .do_update()
        .set((
            idempotency_keys::request_hash.eq(&row.request_hash),
            idempotency_keys::reference.eq(&row.reference),
            idempotency_keys::status.eq(&row.status),
            idempotency_keys::response_status.eq(row.response_status),
            idempotency_keys::response_body.eq(&row.response_body),
            idempotency_keys::created_at.eq(row.created_at),
            idempotency_keys::expires_at.eq(row.expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Completes every in-progress key that was waiting on this transaction's outcome.
pub async fn complete_for_reference(
    conn: &mut AsyncPgConnection,
    reference: &str,
    status: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::reference.eq(reference))
            .filter(idempotency_keys::status.eq(KeyStatus::InProgress)),
    )
    .set((
        idempotency_keys::status.eq(KeyStatus::Completed),
        idempotency_keys::response_status.eq(status),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
