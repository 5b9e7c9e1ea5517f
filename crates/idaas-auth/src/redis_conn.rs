//! Every Redis connection of the platform, with bounded time per call: a stalled Redis turns
//! into an error within the timeout instead of holding a request.
//!
//! The client's own response timeout does not cover a call that waits on a reconnect (a Redis
//! whose address stopped answering), so each call is also bounded as a whole.

use std::{future::Future, time::Duration};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// `redis.timeout_ms`'s default.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// A Redis connection whose every call ends within `timeout`, answered or not.
#[derive(Clone)]
pub struct BoundedRedis {
    conn: ConnectionManager,
    timeout: Duration,
}

impl BoundedRedis {
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let max_delay_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            .set_number_of_retries(2)
            .set_max_delay(max_delay_ms);
        let conn = tokio::time::timeout(
            timeout * 4,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| timed_out())??;
        Ok(Self { conn, timeout })
    }

    /// Runs `call` on the connection; after `timeout` it is abandoned with a timeout error.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, redis::RedisError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, redis::RedisError>>,
    {
        tokio::time::timeout(self.timeout, call(self.conn.clone()))
            .await
            .unwrap_or_else(|_| Err(timed_out()))
    }
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "redis call timed out",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_reported_as_one() {
        let e = timed_out();
        assert!(e.is_timeout() || e.is_io_error(), "{e}");
    }
}
