//! What the ledger holds for a window of time, for settlement's proof: per wallet, the sums of
//! its entries, their number, and its balance before the first and after the last.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Numeric, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncPgConnection, RunQueryDsl};
use idaas_contracts::ledger_window::{CurrencyPostings, WalletWindow, WindowTotals};
use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(QueryableByName)]
struct WalletRow {
    #[diesel(sql_type = SqlUuid)]
    wallet_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    application_id: Uuid,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = Numeric)]
    total_credited: Decimal,
    #[diesel(sql_type = Numeric)]
    total_debited: Decimal,
    #[diesel(sql_type = BigInt)]
    entries: i64,
    #[diesel(sql_type = Numeric)]
    opening_balance: Decimal,
    #[diesel(sql_type = Numeric)]
    closing_balance: Decimal,
}

#[derive(QueryableByName)]
struct CurrencyRow {
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    postings: i64,
}

/// Everything posted in `[from, to)`, read in one repeatable-read snapshot so the wallets and
/// the posting counts agree with each other.
pub async fn totals(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<WindowTotals> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(|c| async move { read(c, from, to).await }.scope_boxed())
        .await
}

async fn read(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<WindowTotals> {
    let wallets: Vec<WalletRow> = diesel::sql_query(
        "SELECT e.wallet_id, w.application_id, w.currency::text AS currency,
                COALESCE(SUM(e.amount) FILTER (WHERE e.entry_type = 'CREDIT'), 0) AS total_credited,
                COALESCE(SUM(e.amount) FILTER (WHERE e.entry_type = 'DEBIT'), 0) AS total_debited,
                COUNT(*) AS entries,
                (array_agg(e.opening_balance ORDER BY e.sequence))[1] AS opening_balance,
                (array_agg(e.closing_balance ORDER BY e.sequence DESC))[1] AS closing_balance
           FROM ledger_entries e JOIN wallets w ON w.id = e.wallet_id
          WHERE e.created_at >= $1 AND e.created_at < $2
          GROUP BY e.wallet_id, w.application_id, w.currency",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await?;
    let postings: Vec<CurrencyRow> = diesel::sql_query(
        "SELECT currency::text AS currency, COUNT(*) AS postings FROM postings
          WHERE created_at >= $1 AND created_at < $2 GROUP BY currency",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await?;
    Ok(WindowTotals {
        postings: postings
            .into_iter()
            .map(|r| CurrencyPostings {
                currency: r.currency,
                postings: r.postings,
            })
            .collect(),
        wallets: wallets
            .into_iter()
            .map(|r| WalletWindow {
                wallet_id: r.wallet_id,
                application_id: r.application_id,
                currency: r.currency,
                total_credited: r.total_credited,
                total_debited: r.total_debited,
                entries: r.entries,
                opening_balance: r.opening_balance,
                closing_balance: r.closing_balance,
            })
            .collect(),
    })
}
