//! Identity links (tag federation).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::identity_links;
use crate::domain::federation::LinkStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = identity_links)]
pub struct LinkRow {
    pub id: Uuid,
    pub tag_id: Uuid,
    pub application_id: Uuid,
    pub provider: String,
    pub external_identifier: String,
    pub status: LinkStatus,
    pub challenge_hash: String,
    pub challenge_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// The index that allows one verified link per external identity.
pub const VERIFIED_IDENTITY_UNIQUE: &str = "identity_links_verified_identity";

pub async fn insert(conn: &mut AsyncPgConnection, row: &LinkRow) -> QueryResult<LinkRow> {
    diesel::insert_into(identity_links::table)
        .values(row)
        .returning(LinkRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_by_challenge(
    conn: &mut AsyncPgConnection,
    challenge_hash: &str,
) -> QueryResult<Option<LinkRow>> {
    identity_links::table
        .filter(identity_links::challenge_hash.eq(challenge_hash))
        .select(LinkRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<LinkRow>> {
    identity_links::table
        .find(id)
        .select(LinkRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A tag's links that are not removed, oldest first.
pub async fn of_tag(conn: &mut AsyncPgConnection, tag: Uuid) -> QueryResult<Vec<LinkRow>> {
    identity_links::table
        .filter(identity_links::tag_id.eq(tag))
        .filter(identity_links::status.ne(LinkStatus::Removed))
        .order((identity_links::created_at, identity_links::id))
        .select(LinkRow::as_select())
        .load(conn)
        .await
}

/// PENDING → VERIFIED, only while it is PENDING and its challenge unexpired (a racing twin
/// finds nothing to verify).
pub async fn verify(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<LinkRow>> {
    diesel::update(
        identity_links::table
            .find(id)
            .filter(identity_links::status.eq(LinkStatus::Pending))
            .filter(identity_links::challenge_expires_at.gt(now)),
    )
    .set((
        identity_links::status.eq(LinkStatus::Verified),
        identity_links::verified_at.eq(Some(now)),
    ))
    .returning(LinkRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn remove(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<LinkRow>> {
    diesel::update(
        identity_links::table
            .find(id)
            .filter(identity_links::status.ne(LinkStatus::Removed)),
    )
    .set((
        identity_links::status.eq(LinkStatus::Removed),
        identity_links::removed_at.eq(Some(now)),
    ))
    .returning(LinkRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Removes every link of the tag that is not removed yet (a transfer).
pub async fn remove_all_of_tag(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        identity_links::table
            .filter(identity_links::tag_id.eq(tag))
            .filter(identity_links::status.ne(LinkStatus::Removed)),
    )
    .set((
        identity_links::status.eq(LinkStatus::Removed),
        identity_links::removed_at.eq(Some(now)),
    ))
    .execute(conn)
    .await
}
