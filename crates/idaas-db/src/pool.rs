use diesel_async::{
    pooled_connection::{
        deadpool::{Object, Pool},
        AsyncDieselConnectionManager,
    },
    AsyncPgConnection, RunQueryDsl,
};

use crate::DbError;

pub type PgPool = Pool<AsyncPgConnection>;
pub type PgConn = Object<AsyncPgConnection>;

/// How long a request waits for a free connection before it is answered 503: an exhausted
/// pool must fail fast and visibly, never hang the process.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

pub fn connect(url: &str, max_size: usize) -> Result<PgPool, DbError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// A round trip to the database, for health checks.
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    let mut conn = pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}
