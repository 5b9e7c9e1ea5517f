//! Settlement's own view of the ledger: the entries of every LedgerPosted event.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Numeric, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::posted_entries;
use crate::domain::proof::WalletDay;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = posted_entries)]
pub struct PostedEntry {
    pub entry_id: Uuid,
    pub posting_id: Uuid,
    pub transaction_reference: String,
    pub wallet_id: Uuid,
    pub application_id: Uuid,
    pub application_name: String,
    pub currency: String,
    pub entry_type: String,
    pub amount: Decimal,
    pub opening_balance: Decimal,
    pub closing_balance: Decimal,
    pub sequence: i64,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// Records entries not recorded yet (a re-read event adds nothing). Returns how many were new.
pub async fn insert_new(conn: &mut AsyncPgConnection, rows: &[PostedEntry]) -> QueryResult<usize> {
    diesel::insert_into(posted_entries::table)
        .values(rows)
        .on_conflict(posted_entries::entry_id)
        .do_nothing()
        .execute(conn)
        .await
}

#[derive(QueryableByName)]
struct WalletDayRow {
    #[diesel(sql_type = SqlUuid)]
    wallet_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    application_id: Uuid,
    #[diesel(sql_type = Text)]
    application_name: String,
    #[diesel(sql_type = Numeric)]
    total_credited: Decimal,
    #[diesel(sql_type = Numeric)]
    total_debited: Decimal,
    #[diesel(sql_type = BigInt)]
    entries: i64,
    #[diesel(sql_type = BigInt)]
    postings: i64,
    #[diesel(sql_type = Numeric)]
    opening_balance: Decimal,
    #[diesel(sql_type = Numeric)]
    closing_balance: Decimal,
}

/// Per wallet, what settlement has of `[start, end)` in `currency`.
pub async fn wallet_days(
    conn: &mut AsyncPgConnection,
    currency: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> QueryResult<Vec<WalletDay>> {
    let rows: Vec<WalletDayRow> = diesel::sql_query(
        "SELECT wallet_id, application_id,
                (array_agg(application_name ORDER BY sequence DESC))[1] AS application_name,
                COALESCE(SUM(amount) FILTER (WHERE entry_type = 'CREDIT'), 0) AS total_credited,
                COALESCE(SUM(amount) FILTER (WHERE entry_type = 'DEBIT'), 0) AS total_debited,
                COUNT(*) AS entries,
                COUNT(DISTINCT posting_id) AS postings,
                (array_agg(opening_balance ORDER BY sequence))[1] AS opening_balance,
                (array_agg(closing_balance ORDER BY sequence DESC))[1] AS closing_balance
           FROM posted_entries
          WHERE currency = $1 AND occurred_at >= $2 AND occurred_at < $3
          GROUP BY wallet_id, application_id",
    )
    .bind::<Text, _>(currency)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WalletDay {
            wallet_id: r.wallet_id,
            application_id: r.application_id,
            application_name: r.application_name,
            total_credited: r.total_credited,
            total_debited: r.total_debited,
            entries: r.entries,
            postings: r.postings,
            opening_balance: r.opening_balance,
            closing_balance: r.closing_balance,
        })
        .collect())
}

/// Distinct postings of `[start, end)` in `currency`.
pub async fn posting_count(
    conn: &mut AsyncPgConnection,
    currency: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> QueryResult<i64> {
    posted_entries::table
        .filter(posted_entries::currency.eq(currency))
        .filter(posted_entries::occurred_at.ge(start))
        .filter(posted_entries::occurred_at.lt(end))
        .select(diesel::dsl::count_distinct(posted_entries::posting_id))
        .get_result(conn)
        .await
}

/// Currencies with entries in `[start, end)`.
pub async fn currencies(
    conn: &mut AsyncPgConnection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    posted_entries::table
        .filter(posted_entries::occurred_at.ge(start))
        .filter(posted_entries::occurred_at.lt(end))
        .select(posted_entries::currency)
        .distinct()
        .load(conn)
        .await
}

/// The oldest posting settlement knows of: nothing before it needs settling.
pub async fn first_posting_at(conn: &mut AsyncPgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    posted_entries::table
        .select(diesel::dsl::min(posted_entries::occurred_at))
        .get_result(conn)
        .await
}
