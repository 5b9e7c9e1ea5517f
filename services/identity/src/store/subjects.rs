use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::subjects;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = subjects)]
pub struct SubjectRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub external_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub const EXTERNAL_ID_UNIQUE: &str = "subjects_application_external_id_key";

pub async fn insert(conn: &mut AsyncPgConnection, row: &SubjectRow) -> QueryResult<SubjectRow> {
    diesel::insert_into(subjects::table)
        .values(row)
        .returning(SubjectRow::as_returning())
        .get_result(conn)
        .await
}

/// Any application's subject: callers decide what a foreign one means.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<SubjectRow>> {
    subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// One page of an application's subjects, newest first, with the total count.
pub async fn page(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    page: i64,
    size: i64,
) -> QueryResult<(Vec<SubjectRow>, i64)> {
    let total = subjects::table
        .filter(subjects::application_id.eq(app))
        .count()
        .get_result(conn)
        .await?;
    let rows = subjects::table
        .filter(subjects::application_id.eq(app))
        .order((subjects::created_at.desc(), subjects::id.desc()))
        .limit(size)
        .offset(page.saturating_mul(size))
        .select(SubjectRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// The application's subject with this external id (unique within the application).
pub async fn find_by_external_id(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    external_id: &str,
) -> QueryResult<Option<SubjectRow>> {
    subjects::table
        .filter(subjects::application_id.eq(app))
        .filter(subjects::external_id.eq(external_id))
        .select(SubjectRow::as_select())
        .first(conn)
        .await
        .optional()
}
