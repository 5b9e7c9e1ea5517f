use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use idaas_contracts::tags::TagStatus;
use uuid::Uuid;

use super::schema::{applications, subjects, tags};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub subject_id: Uuid,
    pub tag_string: String,
    pub qualified_address: String,
    pub status: TagStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whose subject holds the tag now (`application_id` is whose handle is in its address).
    pub owner_application_id: Uuid,
}

/// A tag with what its views need from its owner and creating application.
#[derive(Debug, Clone)]
pub struct TagRecord {
    pub tag: TagRow,
    pub owner_display_name: Option<String>,
    pub app_name: String,
}

pub const APP_TAG_UNIQUE: &str = "tags_application_tag_key";
pub const QUALIFIED_UNIQUE: &str = "tags_qualified_address_key";

type Joined = (TagRow, Option<String>, String);

fn into_record((tag, owner_display_name, app_name): Joined) -> TagRecord {
    TagRecord {
        tag,
        owner_display_name,
        app_name,
    }
}

macro_rules! joined {
    () => {
        tags::table
            .inner_join(subjects::table)
            .inner_join(applications::table)
            .select((
                TagRow::as_select(),
                subjects::display_name,
                applications::name,
            ))
    };
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &TagRow) -> QueryResult<TagRow> {
    diesel::insert_into(tags::table)
        .values(row)
        .returning(TagRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_record(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<TagRecord> {
    joined!()
        .filter(tags::id.eq(id))
        .first::<Joined>(conn)
        .await
        .map(into_record)
}

pub async fn find_by_qualified(
    conn: &mut AsyncPgConnection,
    qualified: &str,
) -> QueryResult<Option<TagRecord>> {
    joined!()
        .filter(tags::qualified_address.eq(qualified))
        .first::<Joined>(conn)
        .await
        .optional()
        .map(|o| o.map(into_record))
}

/// Every application's tag with this local name (more than one means ambiguous).
pub async fn find_by_bare(
    conn: &mut AsyncPgConnection,
    tag_string: &str,
) -> QueryResult<Vec<TagRecord>> {
    joined!()
        .filter(tags::tag_string.eq(tag_string))
        .order(tags::qualified_address.asc())
        .load::<Joined>(conn)
        .await
        .map(|v| v.into_iter().map(into_record).collect())
}

/// The tags an application holds now: those it created and kept, and those moved to it.
pub async fn page_for_app(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    page: i64,
    size: i64,
) -> QueryResult<(Vec<TagRecord>, i64)> {
    let total = tags::table
        .filter(tags::owner_application_id.eq(app))
        .count()
        .get_result(conn)
        .await?;
    let rows = joined!()
        .filter(tags::owner_application_id.eq(app))
        .order((tags::created_at.desc(), tags::id.desc()))
        .limit(size)
        .offset(page.saturating_mul(size))
        .load::<Joined>(conn)
        .await?;
    Ok((rows.into_iter().map(into_record).collect(), total))
}

pub async fn for_subject(
    conn: &mut AsyncPgConnection,
    subject: Uuid,
) -> QueryResult<Vec<TagRecord>> {
    joined!()
        .filter(tags::subject_id.eq(subject))
        .order((tags::created_at.desc(), tags::id.desc()))
        .load::<Joined>(conn)
        .await
        .map(|v| v.into_iter().map(into_record).collect())
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: TagStatus,
) -> QueryResult<TagRow> {
    diesel::update(tags::table.find(id))
        .set((tags::status.eq(status), tags::updated_at.eq(Utc::now())))
        .returning(TagRow::as_returning())
        .get_result(conn)
        .await
}

/// Moves the tag to `subject` of `app`, unless it was moved by someone else since it was read.
pub async fn transfer(
    conn: &mut AsyncPgConnection,
    tag: &TagRow,
    subject: Uuid,
    app: Uuid,
) -> QueryResult<Option<TagRow>> {
    diesel::update(
        tags::table
            .find(tag.id)
            .filter(tags::subject_id.eq(tag.subject_id)),
    )
    .set((
        tags::subject_id.eq(subject),
        tags::owner_application_id.eq(app),
        tags::updated_at.eq(Utc::now()),
    ))
    .returning(TagRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// The tag as it stands, share-locked until the caller's transaction ends: a claim or a
/// federation link is created against the holder a concurrent transfer cannot change meanwhile.
pub async fn lock_holder(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<TagRow> {
    tags::table
        .find(id)
        .select(TagRow::as_select())
        .for_share()
        .first(conn)
        .await
}

/// As `lock_holder`, but one claim request on the tag at a time (its per-requester cap counts
/// exactly); `NO KEY UPDATE` still lets rows referencing the tag be inserted meanwhile.
pub async fn lock_for_claims(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<TagRow> {
    tags::table
        .find(id)
        .select(TagRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
}
