use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::transactions;
use crate::domain::{InvalidTransition, TransactionStatus, Transition};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = transactions)]
pub struct TransactionRow {
    pub id: Uuid,
    pub reference: String,
    pub sender_app_id: Uuid,
    pub sender_app_name: String,
    pub sender_tag: String,
    pub receiver_app_id: Uuid,
    pub receiver_app_name: String,
    pub receiver_tag: String,
    pub amount: Decimal,
    pub currency: String,
    pub narration: Option<String>,
    pub callback_url: Option<String>,
    pub sender_notify_url: Option<String>,
    pub receiver_notify_url: Option<String>,
    pub status: TransactionStatus,
    pub rejection_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub expired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub failure_reason: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
}

impl TransactionRow {
    /// Applies a checked transition at `at`: the new status and what it records, in one place.
    pub fn apply(&mut self, t: Transition, at: DateTime<Utc>) -> Result<(), InvalidTransition> {
        self.status = t.next(self.status)?;
        match t {
            Transition::Accepting => self.accepted_at = Some(at),
            Transition::Completed => self.completed_at = Some(at),
            Transition::Rejected { reason } => {
                self.rejection_reason = reason;
                self.rejected_at = Some(at);
            }
            Transition::Expired => self.expired_at = Some(at),
            Transition::Failed { reason } => {
                self.failure_reason = Some(reason);
                self.failed_at = Some(at);
            }
        }
        self.updated_at = at;
        Ok(())
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &TransactionRow) -> QueryResult<()> {
    diesel::insert_into(transactions::table)
        .values(row)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    reference: &str,
) -> QueryResult<Option<TransactionRow>> {
    transactions::table
        .filter(transactions::reference.eq(reference))
        .select(TransactionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The row locked for a state change: concurrent accepts and rejects queue here.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    reference: &str,
) -> QueryResult<Option<TransactionRow>> {
    transactions::table
        .filter(transactions::reference.eq(reference))
        .for_update()
        .select(TransactionRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn save(conn: &mut AsyncPgConnection, row: &TransactionRow) -> QueryResult<()> {
    diesel::update(transactions::table.find(row.id))
        .set((
            transactions::status.eq(row.status),
            transactions::rejection_reason.eq(&row.rejection_reason),
            transactions::accepted_at.eq(row.accepted_at),
            transactions::completed_at.eq(row.completed_at),
            transactions::rejected_at.eq(row.rejected_at),
            transactions::expired_at.eq(row.expired_at),
            transactions::failure_reason.eq(&row.failure_reason),
            transactions::failed_at.eq(row.failed_at),
            transactions::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum Listing {
    Sent,
    Received,
    Pending,
}

pub async fn page(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    listing: Listing,
    page: i64,
    size: i64,
) -> QueryResult<(Vec<TransactionRow>, i64)> {
    let filtered = || {
        let q = transactions::table.into_boxed();
        match listing {
            Listing::Sent => q.filter(transactions::sender_app_id.eq(app)),
            Listing::Received => q.filter(transactions::receiver_app_id.eq(app)),
            Listing::Pending => q
                .filter(transactions::receiver_app_id.eq(app))
                .filter(transactions::status.eq(TransactionStatus::AwaitingAcceptance)),
        }
    };
    let total = filtered().count().get_result(conn).await?;
    let rows = filtered()
        .order((transactions::created_at.desc(), transactions::id.desc()))
        .limit(size)
        .offset(page.saturating_mul(size))
        .select(TransactionRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Overdue transactions, locked; rows another replica holds are skipped, not waited for.
pub async fn claim_overdue(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<TransactionRow>> {
    transactions::table
        .filter(transactions::status.eq(TransactionStatus::AwaitingAcceptance))
        .filter(transactions::expires_at.lt(now))
        .order(transactions::expires_at.asc())
        .limit(limit)
        .for_update()
        .skip_locked()
        .select(TransactionRow::as_select())
        .load(conn)
        .await
}

/// An accept left half-done, leased to one recovery attempt.
#[derive(Debug, QueryableByName)]
pub struct Lease {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub reference: String,
    /// Attempts so far, this one included.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub recovery_attempts: i32,
}

/// Leases up to `limit` accepts left ACCEPTING since before `before` whose next attempt is due,
/// oldest due first. Each leased row's next attempt moves `base_secs × 2^attempts` (at most
/// `cap_secs`) into the future in the same statement, so a row that keeps failing backs off
/// alone, and rows another replica holds are skipped, not waited for.
pub async fn lease_stale_accepting(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    before: DateTime<Utc>,
    limit: i64,
    base_secs: f64,
    cap_secs: f64,
) -> QueryResult<Vec<Lease>> {
    use diesel::sql_types::{BigInt, Double, Timestamptz};
    diesel::sql_query(
        "UPDATE transactions t
            SET recovery_attempts = t.recovery_attempts + 1,
                next_recovery_at = $6 + make_interval(secs =>
                    least($3 * power(2, least(t.recovery_attempts, 20)), $4))
          WHERE t.id IN (
                SELECT id FROM transactions
                 WHERE status = $5 AND accepted_at < $1
                   AND (next_recovery_at IS NULL OR next_recovery_at <= $6)
                 ORDER BY coalesce(next_recovery_at, accepted_at)
                 LIMIT $2
                   FOR UPDATE SKIP LOCKED)
      RETURNING t.reference, t.recovery_attempts",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(limit)
    .bind::<Double, _>(base_secs)
    .bind::<Double, _>(cap_secs)
    .bind::<diesel::sql_types::Text, _>(TransactionStatus::Accepting)
    // The service's clock, not the database's: one clock decides every deadline.
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await
}
