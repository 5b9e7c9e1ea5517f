use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use idaas_telemetry::TraceHeaders;

/// The outbox table's schema (migrations/outbox). Every publishing service applies it to its
/// own database before its own migrations, so the table and the code that reads it stay one.
pub const OUTBOX_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("../../migrations/outbox");

diesel::table! {
    outbox (id) {
        id -> Uuid,
        seq -> Int8,
        topic -> Text,
        message_key -> Text,
        event_type -> Text,
        payload -> Bytea,
        headers -> Jsonb,
        created_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
    }
}

/// What waits to be published: how many events, and how long the oldest has waited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    pub events: i64,
    /// 0 when nothing waits.
    pub oldest_age_seconds: f64,
}

/// How long the oldest unpublished event has waited (0 when none). One index lookup (the
/// partial index on unpublished rows, by `seq`): cheap however large the backlog, so the
/// "outbox stuck" alert still sees it when counting is slow.
pub async fn oldest_unpublished_age(conn: &mut AsyncPgConnection) -> QueryResult<f64> {
    let oldest: Option<chrono::DateTime<chrono::Utc>> = outbox::table
        .filter(outbox::published_at.is_null())
        .order(outbox::seq.asc())
        .select(outbox::created_at)
        .first(conn)
        .await
        .optional()?;
    Ok(oldest
        .map(|t| (chrono::Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0))
}

/// How many events wait to be published.
pub async fn unpublished_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::published_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// The outbox's backlog now (`idaasctl outbox`).
pub async fn backlog(conn: &mut AsyncPgConnection) -> QueryResult<Backlog> {
    let oldest_age_seconds = oldest_unpublished_age(conn).await?;
    let events = unpublished_count(conn).await?;
    Ok(Backlog {
        events,
        oldest_age_seconds,
    })
}

/// An event to publish once the surrounding database transaction commits.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub topic: String,
    pub key: String,
    pub event_type: String,
    pub payload: Vec<u8>,
    pub trace: TraceHeaders,
}

impl OutboxMessage {
    /// `id` doubles as the event id consumers dedupe on. The current span's trace context is
    /// captured now so the consumer's work joins the trace of the request that caused it.
    pub fn new(
        id: Uuid,
        topic: impl Into<String>,
        key: impl Into<String>,
        event_type: impl Into<String>,
        payload: Vec<u8>,
    ) -> Self {
        Self {
            id,
            topic: topic.into(),
            key: key.into(),
            event_type: event_type.into(),
            payload,
            trace: trace_and_request_id(),
        }
    }
}

/// The current span's trace context and, when a request caused the event, its id: both go out
/// as Kafka headers (`traceparent`, `x-request-id`), so an event can be tied to its request.
fn trace_and_request_id() -> TraceHeaders {
    let mut headers = idaas_telemetry::inject_from_span(&tracing::Span::current());
    if let Some(id) = idaas_telemetry::current_request_id() {
        headers.insert(idaas_telemetry::REQUEST_ID_HEADER.to_owned(), id);
    }
    headers
}

#[derive(Insertable)]
#[diesel(table_name = outbox)]
struct NewOutboxRow<'a> {
    id: Uuid,
    topic: &'a str,
    message_key: &'a str,
    event_type: &'a str,
    payload: &'a [u8],
    headers: serde_json::Value,
}

/// Call inside the transaction that makes the change the event describes.
pub async fn insert_outbox(
    conn: &mut AsyncPgConnection,
    msg: &OutboxMessage,
) -> Result<(), diesel::result::Error> {
    insert_outbox_all(conn, std::slice::from_ref(msg)).await
}

/// Several events in one statement, inside the transaction that makes their changes.
pub async fn insert_outbox_all(
    conn: &mut AsyncPgConnection,
    msgs: &[OutboxMessage],
) -> Result<(), diesel::result::Error> {
    if msgs.is_empty() {
        return Ok(());
    }
    let rows = msgs
        .iter()
        .map(|msg| {
            let headers = serde_json::to_value(&msg.trace)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            Ok(NewOutboxRow {
                id: msg.id,
                topic: &msg.topic,
                message_key: &msg.key,
                event_type: &msg.event_type,
                payload: &msg.payload,
                headers,
            })
        })
        .collect::<Result<Vec<_>, diesel::result::Error>>()?;
    diesel::insert_into(outbox::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}
