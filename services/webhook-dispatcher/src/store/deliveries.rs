use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::deliveries;
use crate::domain::{DeliveryStatus, Direction};

// QueryableByName too: the lease's `RETURNING d.*` is read by column name.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub event_id: String,
    pub transaction_reference: String,
    pub application_id: Uuid,
    pub direction: Direction,
    pub event_type: String,
    pub target_url: Option<String>,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub traceparent: Option<String>,
    pub history: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub sender_application_id: Option<Uuid>,
    pub receiver_application_id: Option<Uuid>,
    pub manual_requested_at: Option<DateTime<Utc>>,
    pub manual_requested_by: Option<Uuid>,
    /// The next attempt is a manual retry: one attempt, then DELIVERED or FAILED.
    pub manual_pending: bool,
}

/// Records each delivery unless its event is already recorded (a re-read of the topic, or the
/// same event twice in one batch). Returns how many rows were written.
pub async fn insert_once(conn: &mut AsyncPgConnection, rows: &[DeliveryRow]) -> QueryResult<usize> {
    diesel::insert_into(deliveries::table)
        .values(rows)
        .on_conflict(deliveries::event_id)
        .do_nothing()
        .execute(conn)
        .await
}

/// Up to `limit` deliveries due now, each leased until `lease_until` so no other replica (or
/// pass) attempts it meanwhile; a crash mid-attempt leaves it due again when the lease ends.
/// Applications in `full` are skipped, and no application gets more than `per_application`
/// of one pass, so one application's backlog cannot fill a pass.
pub async fn lease_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    per_application: i64,
    full: &[Uuid],
) -> QueryResult<Vec<DeliveryRow>> {
    use diesel::sql_types::{Array, BigInt, Text, Timestamptz, Uuid as SqlUuid};
    // FOR UPDATE cannot sit beside a window function: the candidates are locked first, then
    // spread over applications; candidates not chosen are unlocked at the commit, untouched.
    diesel::sql_query(
        "UPDATE deliveries d SET next_attempt_at = $2
          WHERE d.id IN (
                SELECT id FROM (
                       SELECT id, next_attempt_at,
                              row_number() OVER (PARTITION BY application_id
                                                 ORDER BY next_attempt_at) AS nth
                         FROM (SELECT id, application_id, next_attempt_at FROM deliveries
                                WHERE status = $4 AND next_attempt_at <= $1
                                  AND NOT (application_id = ANY($6))
                                ORDER BY next_attempt_at
                                LIMIT $3 * 4
                                  FOR UPDATE SKIP LOCKED) candidates) spread
                 WHERE nth <= $5
                 ORDER BY next_attempt_at
                 LIMIT $3)
      RETURNING d.*",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .bind::<Text, _>(DeliveryStatus::Pending)
    .bind::<BigInt, _>(per_application)
    .bind::<Array<SqlUuid>, _>(full)
    .load::<DeliveryRow>(conn)
    .await
}

/// Ends the lease of deliveries that were leased but not attempted: due again now.
pub async fn release(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::id.eq_any(ids))
            .filter(deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set(deliveries::next_attempt_at.eq(now))
    .execute(conn)
    .await
}

/// Writes an attempt's outcome, only while the delivery is still PENDING (a manual action or
/// another replica may have ended it meanwhile).
pub async fn save_outcome(conn: &mut AsyncPgConnection, row: &DeliveryRow) -> QueryResult<bool> {
    let n = diesel::update(
        deliveries::table
            .find(row.id)
            .filter(deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        deliveries::status.eq(row.status),
        deliveries::attempts.eq(row.attempts),
        deliveries::last_error.eq(&row.last_error),
        deliveries::last_attempt_at.eq(row.last_attempt_at),
        deliveries::delivered_at.eq(row.delivered_at),
        deliveries::next_attempt_at.eq(row.next_attempt_at),
        deliveries::history.eq(&row.history),
        deliveries::manual_pending.eq(row.manual_pending),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Who may read a delivery: the application it is for, and both parties of its payment.
fn visible_to(
    app: Uuid,
) -> Box<dyn BoxableExpression<deliveries::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>>
{
    Box::new(
        deliveries::application_id
            .eq(app)
            .or(deliveries::sender_application_id.eq(app).assume_not_null())
            .or(deliveries::receiver_application_id
                .eq(app)
                .assume_not_null()),
    )
}

pub async fn find_visible(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    id: Uuid,
) -> QueryResult<Option<DeliveryRow>> {
    deliveries::table
        .filter(deliveries::id.eq(id))
        .filter(visible_to(app))
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The deliveries of a payment the caller is a party to, oldest first.
pub async fn for_reference(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    reference: &str,
) -> QueryResult<Vec<DeliveryRow>> {
    deliveries::table
        .filter(deliveries::transaction_reference.eq(reference))
        .filter(visible_to(app))
        .order(deliveries::created_at.asc())
        .select(DeliveryRow::as_select())
        .load(conn)
        .await
}

/// Every delivery of a payment, oldest first (for services that already authorised the read).
pub async fn all_for_reference(
    conn: &mut AsyncPgConnection,
    reference: &str,
) -> QueryResult<Vec<DeliveryRow>> {
    deliveries::table
        .filter(deliveries::transaction_reference.eq(reference))
        .order(deliveries::created_at.asc())
        .select(DeliveryRow::as_select())
        .load(conn)
        .await
}

/// The caller's own failed deliveries (those addressed to it), newest first, and the total.
pub async fn failed_page(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    page: i64,
    size: i64,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let mine = deliveries::application_id
        .eq(app)
        .and(deliveries::status.eq(DeliveryStatus::Failed));
    let total = deliveries::table
        .filter(mine)
        .count()
        .get_result(conn)
        .await?;
    let rows = deliveries::table
        .filter(mine)
        .order((deliveries::created_at.desc(), deliveries::id.desc()))
        .offset(page * size)
        .limit(size)
        .select(DeliveryRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Who asked for a manual attempt, and of which deliveries.
#[derive(Debug, Clone, Copy)]
pub enum ManualAsk {
    /// The application the delivery is for: a FAILED or a DELIVERED one.
    Application,
    /// An operator's re-drive: only a FAILED one, so re-driving twice queues nothing twice.
    Operator,
}

/// Queues one manual attempt of an ended delivery of `app`. `None` when there is no such
/// delivery in a state `ask` may act on (another application's, pending, or not FAILED for an
/// operator).
pub async fn request_manual(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    app: Uuid,
    ask: ManualAsk,
    now: DateTime<Utc>,
) -> QueryResult<Option<DeliveryRow>> {
    let (from, by): (&[DeliveryStatus], Option<Uuid>) = match ask {
        ManualAsk::Application => (
            &[DeliveryStatus::Failed, DeliveryStatus::Delivered],
            Some(app),
        ),
        ManualAsk::Operator => (&[DeliveryStatus::Failed], None),
    };
    diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::application_id.eq(app))
            .filter(deliveries::status.eq_any(from)),
    )
    .set((
        deliveries::status.eq(DeliveryStatus::Pending),
        deliveries::delivered_at.eq(None::<DateTime<Utc>>),
        deliveries::next_attempt_at.eq(Some(now)),
        deliveries::manual_pending.eq(true),
        deliveries::manual_requested_at.eq(Some(now)),
        deliveries::manual_requested_by.eq(by),
    ))
    .returning(DeliveryRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}
