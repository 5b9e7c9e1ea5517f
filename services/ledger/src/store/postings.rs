use chrono::{DateTime, Utc};
use diesel::{prelude::*, upsert::on_constraint};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::schema::postings;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = postings)]
pub struct PostingRow {
    pub id: Uuid,
    pub transaction_reference: String,
    pub sender_wallet_id: Uuid,
    pub receiver_wallet_id: Uuid,
    pub amount: Decimal,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

pub async fn find_by_reference(
    conn: &mut AsyncPgConnection,
    reference: &str,
) -> QueryResult<Option<PostingRow>> {
    postings::table
        .filter(postings::transaction_reference.eq(reference))
        .select(PostingRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inserts every posting whose reference is not posted yet, in one statement; answers the
/// references it inserted (the others are replays or conflicts, for the caller to tell apart).
pub async fn insert_new_many(
    conn: &mut AsyncPgConnection,
    rows: &[&PostingRow],
) -> QueryResult<Vec<String>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    diesel::insert_into(postings::table)
        .values(rows.to_vec())
        .on_conflict(on_constraint("postings_reference_key"))
        .do_nothing()
        .returning(postings::transaction_reference)
        .get_results(conn)
        .await
}
