use diesel::{sql_query, RunQueryDsl};
use diesel_async::{async_connection_wrapper::AsyncConnectionWrapper, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::DbError;

/// Arbitrary but fixed: every replica of a service contends for this one advisory lock.
const MIGRATION_LOCK: i64 = 0x0001_DAA5_0001;

/// The database may come up after the service (compose, Kubernetes): keep trying this long.
const CONNECT_ATTEMPTS: u32 = 30;

fn establish(url: &str) -> Result<AsyncConnectionWrapper<AsyncPgConnection>, DbError> {
    let mut delay = std::time::Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        // On a blocking thread of the runtime: its handle drives the connection (TLS per the
        // URL's sslmode, as every other connection).
        match tokio::runtime::Handle::current().block_on(crate::tls::establish(url)) {
            Ok(c) => return Ok(AsyncConnectionWrapper::from(c)),
            Err(e) if attempt < CONNECT_ATTEMPTS => {
                tracing::warn!(error = %e, attempt, "database not ready; retrying");
                std::thread::sleep(delay);
                delay = (delay * 2).min(std::time::Duration::from_secs(5));
                attempt += 1;
            }
            Err(e) => return Err(DbError::Migration(format!("connect: {e}"))),
        }
    }
}

/// Applies pending migrations; replicas starting together wait on an advisory lock instead
/// of racing each other through the same DDL.
pub async fn run_migrations(url: &str, migrations: EmbeddedMigrations) -> Result<(), DbError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> Result<(), DbError> {
        let mut conn = establish(&url)?;
        sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(&mut conn)?;
        let applied = conn
            .run_pending_migrations(migrations)
            .map(|v| v.len())
            .map_err(|e| DbError::Migration(e.to_string()));
        sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(&mut conn)?;
        tracing::info!(applied = applied.as_ref().ok(), "migrations checked");
        applied.map(|_| ())
    })
    .await
    .map_err(|e| DbError::Migration(e.to_string()))?
}
