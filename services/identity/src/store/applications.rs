use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::applications;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub name: String,
    pub app_handle: String,
    pub client_id: Uuid,
    pub client_secret_hash: String,
    pub transaction_webhook_url: Option<String>,
    pub redirect_uris: Option<String>,
    pub metadata: Option<String>,
    pub app_public_jwk: serde_json::Value,
    pub encryption_enabled: bool,
    pub key_version: i32,
    pub active: bool,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub callback_origins: Vec<String>,
}

#[derive(Insertable)]
#[diesel(table_name = applications)]
pub struct NewApplication {
    pub id: Uuid,
    pub name: String,
    pub app_handle: String,
    pub client_id: Uuid,
    pub client_secret_hash: String,
    pub webhook_secret_enc: String,
    pub transaction_webhook_url: Option<String>,
    pub redirect_uris: Option<String>,
    pub metadata: Option<String>,
    pub app_public_jwk: serde_json::Value,
    pub encryption_enabled: bool,
    pub callback_origins: Vec<String>,
}

/// Unique constraints, named so callers map each to its own conflict code.
pub const HANDLE_UNIQUE: &str = "applications_app_handle_key";

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewApplication,
) -> QueryResult<ApplicationRow> {
    diesel::insert_into(applications::table)
        .values(new)
        .returning(ApplicationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_client_id(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .filter(applications::client_id.eq(client_id))
        .select(ApplicationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Idempotent: a second call keeps the first deactivation time.
pub async fn deactivate(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ApplicationRow> {
    let now = Utc::now();
    diesel::update(applications::table.find(id))
        .set((
            applications::active.eq(false),
            applications::deactivated_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("COALESCE(deactivated_at, now())")),
            applications::updated_at.eq(now),
        ))
        .returning(ApplicationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_public_key(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    jwk: serde_json::Value,
) -> QueryResult<ApplicationRow> {
    diesel::update(applications::table.find(id))
        .set((
            applications::app_public_jwk.eq(jwk),
            applications::key_version.eq(applications::key_version + 1),
            applications::updated_at.eq(Utc::now()),
        ))
        .returning(ApplicationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_webhook_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    encrypted: &str,
) -> QueryResult<ApplicationRow> {
    diesel::update(applications::table.find(id))
        .set((
            applications::webhook_secret_enc.eq(encrypted),
            applications::updated_at.eq(Utc::now()),
        ))
        .returning(ApplicationRow::as_returning())
        .get_result(conn)
        .await
}

/// The application and its sealed webhook secret, for a delivery's signature.
pub async fn find_with_webhook_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(ApplicationRow, String)>> {
    applications::table
        .find(id)
        .select((
            ApplicationRow::as_select(),
            applications::webhook_secret_enc,
        ))
        .first(conn)
        .await
        .optional()
}

pub async fn inactive_ids(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Uuid>> {
    applications::table
        .filter(applications::active.eq(false))
        .select(applications::id)
        .load(conn)
        .await
}
