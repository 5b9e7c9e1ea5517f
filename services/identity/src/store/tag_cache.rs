use idaas_auth::BoundedRedis;
use redis::AsyncCommands;
use serde::{de::DeserializeOwned, Serialize};

/// The guide promises resolution "cached for 30 seconds"; changes invalidate at once.
const TTL_SECONDS: u64 = 30;

fn key(address: &str) -> String {
    format!("idaas:tag-resolve:{address}")
}

/// Public tag resolutions in Redis. A cache failure is logged and never fails a request.
#[derive(Clone)]
pub struct TagCache {
    redis: BoundedRedis,
}

impl TagCache {
    pub async fn connect(
        url: &str,
        timeout: std::time::Duration,
    ) -> Result<Self, redis::RedisError> {
        Ok(Self {
            redis: BoundedRedis::connect(url, timeout).await?,
        })
    }

    pub async fn get<T: DeserializeOwned>(&self, address: &str) -> Option<T> {
        let k = key(address);
        let hit = self
            .redis
            .run(|mut conn| async move { conn.get::<_, Option<String>>(k).await })
            .await;
        match hit {
            // An entry that no longer reads (an older shape) is a miss, refilled from the db.
            Ok(hit) => hit.and_then(|s| serde_json::from_str(&s).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "tag cache read failed");
                None
            }
        }
    }

    pub async fn put<T: Serialize>(&self, address: &str, view: &T) {
        let v = match serde_json::to_string(view) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "tag cache entry not serialisable; not cached");
                return;
            }
        };
        let k = key(address);
        let written = self
            .redis
            .run(|mut conn| async move { conn.set_ex::<_, _, ()>(k, v, TTL_SECONDS).await })
            .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "tag cache write failed");
        }
    }

    /// Drops both ways of naming the tag: its bare name and its qualified address.
    pub async fn invalidate(&self, bare: &str, qualified: &str) {
        let keys = [key(bare), key(qualified)];
        let deleted = self
            .redis
            .run(|mut conn| async move { conn.del::<_, ()>(&keys).await })
            .await;
        if let Err(e) = deleted {
            tracing::warn!(error = %e, "tag cache invalidation failed");
        }
    }
}
