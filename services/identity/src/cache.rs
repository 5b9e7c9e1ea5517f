use redis::{aio::ConnectionManager, AsyncCommands};
use serde_json::Value;

/// The guide promises resolution "cached for 30 seconds"; changes invalidate at once.
const TTL_SECONDS: u64 = 30;

fn key(address: &str) -> String {
    format!("idaas:tag-resolve:{address}")
}

/// Public tag resolutions in Redis. A cache failure is logged and never fails a request.
#[derive(Clone)]
pub struct TagCache {
    conn: ConnectionManager,
}

impl TagCache {
    pub async fn connect(
        url: &str,
        timeout: std::time::Duration,
    ) -> Result<Self, redis::RedisError> {
        Ok(Self {
            conn: idaas_auth::connect_redis(url, timeout).await?,
        })
    }

    pub async fn get(&self, address: &str) -> Option<Value> {
        let mut conn = self.conn.clone();
        match conn.get::<_, Option<String>>(key(address)).await {
            Ok(hit) => hit.and_then(|s| serde_json::from_str(&s).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "tag cache read failed");
                None
            }
        }
    }

    pub async fn put(&self, address: &str, view: &Value) {
        let mut conn = self.conn.clone();
        if let Err(e) = conn
            .set_ex::<_, _, ()>(key(address), view.to_string(), TTL_SECONDS)
            .await
        {
            tracing::warn!(error = %e, "tag cache write failed");
        }
    }

    /// Drops both ways of naming the tag: its bare name and its qualified address.
    pub async fn invalidate(&self, bare: &str, qualified: &str) {
        let mut conn = self.conn.clone();
        if let Err(e) = conn.del::<_, ()>(&[key(bare), key(qualified)]).await {
            tracing::warn!(error = %e, "tag cache invalidation failed");
        }
    }
}
