use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::ledger_entries;
use crate::domain::EntryType;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct EntryRow {
    pub id: Uuid,
    pub posting_id: Uuid,
    pub wallet_id: Uuid,
    pub sequence: i64,
    pub transaction_reference: String,
    pub entry_type: EntryType,
    pub amount: Decimal,
    pub currency: String,
    pub opening_balance: Decimal,
    pub closing_balance: Decimal,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_all(conn: &mut AsyncPgConnection, rows: &[EntryRow]) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn for_posting(
    conn: &mut AsyncPgConnection,
    posting: Uuid,
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::posting_id.eq(posting))
        .order(ledger_entries::entry_type.desc())
        .select(EntryRow::as_select())
        .load(conn)
        .await
}

/// One page of a wallet's statement, newest first, with the total count.
pub async fn page(
    conn: &mut AsyncPgConnection,
    wallet: Uuid,
    page: i64,
    size: i64,
) -> QueryResult<(Vec<EntryRow>, i64)> {
    let total = ledger_entries::table
        .filter(ledger_entries::wallet_id.eq(wallet))
        .count()
        .get_result(conn)
        .await?;
    let rows = ledger_entries::table
        .filter(ledger_entries::wallet_id.eq(wallet))
        .order(ledger_entries::sequence.desc())
        .limit(size)
        .offset(page.saturating_mul(size))
        .select(EntryRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}
