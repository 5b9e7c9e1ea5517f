//! Every Redis connection of the platform, with bounded connect and response times: a stalled
//! Redis turns into an error within the timeout instead of holding a request.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// `redis.timeout_ms`'s default.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(250);

pub async fn connect_redis(
    url: &str,
    timeout: Duration,
) -> Result<ConnectionManager, redis::RedisError> {
    let client = redis::Client::open(url)?;
    let max_delay_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout)
        // Reconnects happen in the background; a request never waits on them.
        .set_number_of_retries(2)
        .set_max_delay(max_delay_ms);
    ConnectionManager::new_with_config(client, config).await
}
