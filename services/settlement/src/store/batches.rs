//! Batches and their entries. A batch row is created PENDING once per (date, currency); one
//! replica at a time holds it (`claimed_until`) while it proves and completes or fails it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::{batch_entries, batches};
use crate::domain::{proof::Position, window::Window, BatchStatus};

// QueryableByName too: the claim's `RETURNING *` is read by column name.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = batches)]
pub struct BatchRow {
    pub id: Uuid,
    pub settlement_date: NaiveDate,
    pub currency: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub status: BatchStatus,
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub transaction_count: i64,
    pub application_count: i32,
    pub error_message: Option<String>,
    pub attempts: i32,
    pub claimed_until: Option<DateTime<Utc>>,
    pub retry_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = batch_entries)]
pub struct BatchEntryRow {
    pub batch_id: Uuid,
    pub application_id: Uuid,
    pub application_name: String,
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub net_amount: Decimal,
    pub opening_balance: Decimal,
    pub closing_balance: Decimal,
    pub transaction_count: i64,
}

impl BatchEntryRow {
    pub fn of(batch: Uuid, p: &Position) -> Self {
        Self {
            batch_id: batch,
            application_id: p.application_id,
            application_name: p.application_name.clone(),
            total_credited: p.total_credited,
            total_debited: p.total_debited,
            net_amount: p.net_amount,
            opening_balance: p.opening_balance,
            closing_balance: p.closing_balance,
            transaction_count: p.transaction_count,
        }
    }
}

/// The batch of (date, currency), created PENDING if there is none yet.
pub async fn ensure(
    conn: &mut AsyncPgConnection,
    window: &Window,
    currency: &str,
    now: DateTime<Utc>,
) -> QueryResult<BatchRow> {
    let row = BatchRow {
        id: Uuid::now_v7(),
        settlement_date: window.date,
        currency: currency.to_owned(),
        window_start: window.start,
        window_end: window.end,
        status: BatchStatus::Pending,
        total_credited: Decimal::ZERO,
        total_debited: Decimal::ZERO,
        transaction_count: 0,
        application_count: 0,
        error_message: None,
        attempts: 0,
        claimed_until: None,
        retry_at: None,
        created_at: now,
        updated_at: now,
        completed_at: None,
    };
    diesel::insert_into(batches::table)
        .values(&row)
        .on_conflict((batches::settlement_date, batches::currency))
        .do_nothing()
        .execute(conn)
        .await?;
    find(conn, window.date, currency)
        .await?
        .ok_or(diesel::result::Error::NotFound)
}

/// Takes the batch for this run until `until`, if it is not COMPLETED, no other run holds it,
/// and (unless `force`) it is not a FAILED batch waiting for its retry time.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    force: bool,
) -> QueryResult<Option<BatchRow>> {
    use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
    diesel::sql_query(
        "UPDATE batches SET claimed_until = $3, attempts = attempts + 1, updated_at = $2,
                            status = 'PENDING'
          WHERE id = $1 AND status <> 'COMPLETED'
            AND (claimed_until IS NULL OR claimed_until < $2)
            AND (status <> 'FAILED' OR retry_at <= $2 OR $4)
      RETURNING *",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(until)
    .bind::<Bool, _>(force)
    .get_result(conn)
    .await
    .optional()
}

/// The proved batch: its totals and entries, COMPLETED, released; only while this run's claim
/// (`claimed_until`) still holds it. `None` when another run has taken it over meanwhile.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    batch: &BatchRow,
    entries: &[BatchEntryRow],
    now: DateTime<Utc>,
) -> QueryResult<Option<BatchRow>> {
    let done = diesel::update(
        batches::table
            .find(batch.id)
            .filter(batches::status.ne(BatchStatus::Completed))
            .filter(batches::claimed_until.eq(batch.claimed_until)),
    )
    .set((
        batches::status.eq(BatchStatus::Completed),
        batches::total_credited.eq(batch.total_credited),
        batches::total_debited.eq(batch.total_debited),
        batches::transaction_count.eq(batch.transaction_count),
        batches::application_count.eq(batch.application_count),
        batches::error_message.eq(None::<String>),
        batches::claimed_until.eq(None::<DateTime<Utc>>),
        batches::retry_at.eq(None::<DateTime<Utc>>),
        batches::updated_at.eq(now),
        batches::completed_at.eq(now),
    ))
    .returning(BatchRow::as_returning())
    .get_result(conn)
    .await
    .optional()?;
    if done.is_some() {
        diesel::delete(batch_entries::table.filter(batch_entries::batch_id.eq(batch.id)))
            .execute(conn)
            .await?;
        diesel::insert_into(batch_entries::table)
            .values(entries)
            .execute(conn)
            .await?;
    }
    Ok(done)
}

/// FAILED with the reason, released, tried again from `retry_at`; only while `claim` (the
/// run's `claimed_until`) still holds it.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    claim: Option<DateTime<Utc>>,
    reason: &str,
    now: DateTime<Utc>,
    retry_at: DateTime<Utc>,
) -> QueryResult<Option<BatchRow>> {
    diesel::update(
        batches::table
            .find(id)
            .filter(batches::status.ne(BatchStatus::Completed))
            .filter(batches::claimed_until.eq(claim)),
    )
    .set((
        batches::status.eq(BatchStatus::Failed),
        batches::error_message.eq(reason),
        batches::claimed_until.eq(None::<DateTime<Utc>>),
        batches::retry_at.eq(retry_at),
        batches::updated_at.eq(now),
    ))
    .returning(BatchRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    date: NaiveDate,
    currency: &str,
) -> QueryResult<Option<BatchRow>> {
    batches::table
        .filter(batches::settlement_date.eq(date))
        .filter(batches::currency.eq(currency))
        .select(BatchRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<BatchRow>> {
    batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn of_date(conn: &mut AsyncPgConnection, date: NaiveDate) -> QueryResult<Vec<BatchRow>> {
    batches::table
        .filter(batches::settlement_date.eq(date))
        .order(batches::currency)
        .select(BatchRow::as_select())
        .load(conn)
        .await
}

/// One page of every batch, newest date first, and the total count.
pub async fn page(
    conn: &mut AsyncPgConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<BatchRow>, i64)> {
    let rows = batches::table
        .order((batches::settlement_date.desc(), batches::currency))
        .offset(offset)
        .limit(limit)
        .select(BatchRow::as_select())
        .load(conn)
        .await?;
    let total = batches::table.count().get_result(conn).await?;
    Ok((rows, total))
}

/// A batch's entries; only `application`'s when given (what a tenant may see).
pub async fn entries(
    conn: &mut AsyncPgConnection,
    batch: Uuid,
    application: Option<Uuid>,
) -> QueryResult<Vec<BatchEntryRow>> {
    let mut q = batch_entries::table
        .filter(batch_entries::batch_id.eq(batch))
        .order(batch_entries::application_name)
        .select(BatchEntryRow::as_select())
        .into_boxed();
    if let Some(app) = application {
        q = q.filter(batch_entries::application_id.eq(app));
    }
    q.load(conn).await
}

/// `application`'s entries in any of `batches`.
pub async fn entries_of(
    conn: &mut AsyncPgConnection,
    batches: &[Uuid],
    application: Uuid,
) -> QueryResult<Vec<BatchEntryRow>> {
    batch_entries::table
        .filter(batch_entries::batch_id.eq_any(batches))
        .filter(batch_entries::application_id.eq(application))
        .select(BatchEntryRow::as_select())
        .load(conn)
        .await
}
