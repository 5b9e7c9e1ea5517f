use diesel_async::{
    pooled_connection::{
        deadpool::{Object, Pool},
        AsyncDieselConnectionManager, ManagerConfig,
    },
    AsyncPgConnection, RunQueryDsl,
};

use crate::DbError;

pub type PgPool = Pool<AsyncPgConnection>;
pub type PgConn = Object<AsyncPgConnection>;

/// Per-session bounds, in milliseconds (0 leaves the server's default), and how long a request
/// waits for a free connection before it is answered 503: an exhausted pool must fail fast and
/// visibly, never hang the process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionLimits {
    pub statement_timeout_ms: u64,
    pub lock_timeout_ms: u64,
    pub pool_wait_ms: u64,
}

/// The URL with the session limits as startup `options`, so every connection the pool opens
/// has them from its first statement on (no extra round trip, nothing to forget).
pub fn with_session_limits(url: &str, limits: SessionLimits) -> String {
    let mut opts = Vec::new();
    if limits.statement_timeout_ms > 0 {
        opts.push(format!(
            "-c%20statement_timeout%3D{}",
            limits.statement_timeout_ms
        ));
    }
    if limits.lock_timeout_ms > 0 {
        opts.push(format!("-c%20lock_timeout%3D{}", limits.lock_timeout_ms));
    }
    if opts.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options={}", opts.join("%20"))
}

pub fn connect(url: &str, max_size: usize, limits: SessionLimits) -> Result<PgPool, DbError> {
    let url = with_session_limits(url, limits);
    let wait = std::time::Duration::from_millis(if limits.pool_wait_ms == 0 {
        5_000
    } else {
        limits.pool_wait_ms
    });
    // A bad sslmode or an unreadable sslrootcert stops start-up here, not at first use; the
    // TLS configuration is built once, for every connection the pool opens (to this `url`).
    let connector = std::sync::Arc::new(crate::tls::Connector::new(&url)?);
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |_| {
        let connector = connector.clone();
        Box::pin(async move { connector.connect().await })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(wait))
        .create_timeout(Some(wait))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// A round trip to the database, for health checks.
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    let mut conn = pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_ride_on_the_url() {
        let limits = SessionLimits {
            statement_timeout_ms: 5000,
            lock_timeout_ms: 2000,
            pool_wait_ms: 0,
        };
        assert_eq!(
            with_session_limits("postgres://u@h/db", limits),
            "postgres://u@h/db?options=-c%20statement_timeout%3D5000%20-c%20lock_timeout%3D2000"
        );
        assert_eq!(
            with_session_limits("postgres://u@h/db?sslmode=require", limits),
            "postgres://u@h/db?sslmode=require&options=-c%20statement_timeout%3D5000%20-c%20lock_timeout%3D2000"
        );
        assert_eq!(
            with_session_limits("postgres://u@h/db", SessionLimits::default()),
            "postgres://u@h/db"
        );
    }
}
