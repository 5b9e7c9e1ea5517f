use chrono::{DateTime, Utc};
use diesel::{prelude::*, upsert::on_constraint};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::wallets;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wallets)]
pub struct WalletRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub application_name: String,
    pub currency: String,
    pub balance: Decimal,
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub entry_count: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = wallets)]
struct NewWallet<'a> {
    id: Uuid,
    application_id: Uuid,
    application_name: &'a str,
    currency: &'a str,
}

/// Returns the wallet, creating it on first use. Looks first: after a wallet's first posting
/// every call finds it, so the common case is one read, not an insert attempt. Concurrent
/// creators are safe: the insert ignores the unique conflict and both read the one winner.
pub async fn ensure(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    app_name: &str,
    currency: &str,
) -> QueryResult<WalletRow> {
    if let Some(w) = find(conn, app, currency).await? {
        return Ok(w);
    }
    diesel::insert_into(wallets::table)
        .values(NewWallet {
            id: Uuid::new_v4(),
            application_id: app,
            application_name: app_name,
            currency,
        })
        .on_conflict(on_constraint("wallets_application_currency_key"))
        .do_nothing()
        .execute(conn)
        .await?;
    find(conn, app, currency)
        .await?
        .ok_or(diesel::result::Error::NotFound)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    currency: &str,
) -> QueryResult<Option<WalletRow>> {
    wallets::table
        .filter(wallets::application_id.eq(app))
        .filter(wallets::currency.eq(currency))
        .select(WalletRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the wallets in id order: every posting takes its locks in the same global order, so
/// two postings can wait on each other but never deadlock. `NO KEY UPDATE`, not `UPDATE`:
/// balances are not key columns, and the stronger lock would conflict with the `KEY SHARE`
/// locks that inserting postings and entries (foreign keys to wallets) take — a deadlock.
pub async fn lock_sorted(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<WalletRow>> {
    wallets::table
        .filter(wallets::id.eq_any(ids))
        .order(wallets::id.asc())
        .for_no_key_update()
        .select(WalletRow::as_select())
        .load(conn)
        .await
}

/// Writes every given wallet's new figures in one statement (a batch's wallets).
pub async fn save_balances_all(conn: &mut AsyncPgConnection, ws: &[&WalletRow]) -> QueryResult<()> {
    use diesel::sql_types::{Array, BigInt, Numeric, Uuid as SqlUuid};
    if ws.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "UPDATE wallets AS w SET balance = v.balance, total_credited = v.credited, \
         total_debited = v.debited, entry_count = v.entries, updated_at = now() \
         FROM (SELECT unnest($1) AS id, unnest($2) AS balance, unnest($3) AS credited, \
               unnest($4) AS debited, unnest($5) AS entries) AS v \
         WHERE w.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(ws.iter().map(|w| w.id).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(ws.iter().map(|w| w.balance).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(ws.iter().map(|w| w.total_credited).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(ws.iter().map(|w| w.total_debited).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(ws.iter().map(|w| w.entry_count).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}
