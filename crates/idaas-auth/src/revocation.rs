use std::time::Duration;

use redis::AsyncCommands;

use crate::BoundedRedis;

#[derive(Debug, thiserror::Error)]
pub enum RevocationError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// Redis lost its data (it keeps nothing on disk) and identity has not re-published the
    /// list yet: answering "not revoked" now could let a deactivated application in.
    #[error("revocation list not yet synchronised")]
    Unsynced,
}

const SYNCED_KEY: &str = "idaas:revocations:synced";

fn app_key(app_id: &str) -> String {
    format!("idaas:revoked-app:{app_id}")
}

/// Applications whose tokens are revoked. Identity's database is the source of truth; this
/// Redis copy lets every process check on each request without a call to identity.
#[derive(Clone)]
pub struct Revocations {
    redis: BoundedRedis,
}

impl Revocations {
    pub async fn connect(url: &str) -> Result<Self, RevocationError> {
        Self::connect_with(url, crate::DEFAULT_REDIS_TIMEOUT).await
    }

    pub async fn connect_with(url: &str, timeout: Duration) -> Result<Self, RevocationError> {
        Ok(Self {
            redis: BoundedRedis::connect(url, timeout).await?,
        })
    }

    /// Fails closed. One slow answer (a busy node, a reconnect) is retried once, so a blip is
    /// not a 503; a stalled Redis still fails within two response timeouts.
    pub async fn is_revoked(&self, app_id: &str) -> Result<bool, RevocationError> {
        match self.lookup(app_id).await {
            Err(RevocationError::Redis(e)) if e.is_timeout() || e.is_io_error() => {
                tracing::debug!(error = %e, "revocation lookup retried");
                self.lookup(app_id).await
            }
            other => other,
        }
    }

    async fn lookup(&self, app_id: &str) -> Result<bool, RevocationError> {
        let (synced, revoked): (bool, bool) = self
            .redis
            .run(|mut conn| async move {
                redis::pipe()
                    .exists(SYNCED_KEY)
                    .exists(app_key(app_id))
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        if !synced {
            return Err(RevocationError::Unsynced);
        }
        Ok(revoked)
    }

    pub async fn revoke(&self, app_id: &str) -> Result<(), RevocationError> {
        self.redis
            .run(|mut conn| async move { conn.set::<_, _, ()>(app_key(app_id), 1).await })
            .await?;
        Ok(())
    }

    /// Publishes the full list, then the marker that says the list is complete.
    pub async fn sync(&self, revoked: &[String]) -> Result<(), RevocationError> {
        let mut pipe = redis::pipe();
        for app in revoked {
            pipe.set(app_key(app), 1).ignore();
        }
        pipe.set(SYNCED_KEY, 1).ignore();
        self.redis
            .run(|mut conn| async move { pipe.query_async::<()>(&mut conn).await })
            .await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), RevocationError> {
        self.redis
            .run(
                |mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await },
            )
            .await?;
        Ok(())
    }
}
