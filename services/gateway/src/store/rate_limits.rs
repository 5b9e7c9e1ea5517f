//! Section 17's limits as fixed one-minute windows in Redis, shared by every gateway replica.

use std::time::{SystemTime, UNIX_EPOCH};

use idaas_auth::BoundedRedis;
use idaas_config::RateLimitSettings;

use crate::domain::routing::Route;

const WINDOW_SECS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `POST /v1/auth/token`, per client IP.
    Token,
    /// `POST /v1/transactions`, per application.
    Transactions,
    /// The public consent pages, per client IP: they hold single-use tokens.
    Consent,
    /// Everything else, per client IP.
    Default,
}

impl Bucket {
    /// The bucket of a route of the table, never of a raw path, so no spelling moves a
    /// request into another bucket.
    pub fn of(route: &Route) -> Bucket {
        match (route.method, route.pattern) {
            ("POST", "/v1/auth/token") => Bucket::Token,
            ("POST", "/v1/transactions") => Bucket::Transactions,
            (_, p) if p.starts_with("/v1/consent/") => Bucket::Consent,
            _ => Bucket::Default,
        }
    }

    /// The per-IP bucket that applies before authentication: every request has one.
    pub fn per_ip(self) -> Bucket {
        match self {
            Bucket::Token => Bucket::Token,
            Bucket::Consent => Bucket::Consent,
            Bucket::Transactions | Bucket::Default => Bucket::Default,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Bucket::Token => "token",
            Bucket::Transactions => "transactions",
            Bucket::Consent => "consent",
            Bucket::Default => "default",
        }
    }

    fn limit(self, limits: &RateLimitSettings) -> u32 {
        match self {
            Bucket::Token => limits.token_per_minute,
            Bucket::Transactions => limits.transactions_per_minute,
            Bucket::Consent => limits.consent_per_minute,
            Bucket::Default => limits.default_per_minute,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub retry_after: u64,
}

/// The verdict for the `count`-th request of a window.
pub fn decide(count: u64, limit: u32, now_secs: u64) -> Decision {
    let retry_after = WINDOW_SECS - now_secs % WINDOW_SECS;
    Decision {
        allowed: count <= u64::from(limit),
        remaining: u64::from(limit)
            .saturating_sub(count)
            .try_into()
            .unwrap_or(u32::MAX),
        retry_after: retry_after.max(1),
    }
}

#[derive(Clone)]
pub struct RateLimiter {
    redis: BoundedRedis,
    limits: RateLimitSettings,
}

impl RateLimiter {
    pub async fn connect(
        url: &str,
        timeout: std::time::Duration,
        limits: RateLimitSettings,
    ) -> Result<Self, redis::RedisError> {
        Ok(Self {
            redis: BoundedRedis::connect(url, timeout).await?,
            limits,
        })
    }

    /// `None` when Redis cannot answer: limits fail open (logged); authentication, which
    /// guards data, fails closed elsewhere.
    pub async fn check(&self, bucket: Bucket, subject: &str) -> Option<Decision> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let key = format!("idaas:rl:{}:{subject}:{}", bucket.name(), now / WINDOW_SECS);
        let result: Result<(u64,), _> = self
            .redis
            .run(|mut conn| async move {
                redis::pipe()
                    .atomic()
                    .incr(&key, 1u64)
                    .expire(&key, (WINDOW_SECS + 1) as i64)
                    .ignore()
                    .query_async(&mut conn)
                    .await
            })
            .await;
        match result {
            Ok((count,)) => Some(decide(count, bucket.limit(&self.limits), now)),
            Err(e) => {
                tracing::warn!(error = %e, "rate limiter unavailable; allowing request");
                None
            }
        }
    }

    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        self.redis
            .run(
                |mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await },
            )
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use actix_web::http::Method;

    fn bucket(method: Method, raw: &str) -> Option<Bucket> {
        let path = crate::domain::canonical::CanonicalPath::parse(raw).ok()?;
        crate::domain::routing::find(&method, &path).map(Bucket::of)
    }

    #[test]
    fn buckets_follow_the_guide() {
        assert_eq!(
            bucket(Method::POST, "/api/v1/auth/token"),
            Some(Bucket::Token)
        );
        assert_eq!(
            bucket(Method::POST, "/api/v1/transactions"),
            Some(Bucket::Transactions)
        );
        assert_eq!(
            bucket(Method::GET, "/api/v1/transactions/sent"),
            Some(Bucket::Default)
        );
        assert_eq!(
            bucket(Method::POST, "/api/v1/transactions/TXN-1/accept"),
            Some(Bucket::Default)
        );
        assert_eq!(
            bucket(Method::GET, "/api/v1/tags/alice"),
            Some(Bucket::Default)
        );
        for (m, p) in [
            (Method::GET, "/api/v1/consent/tok"),
            (Method::POST, "/api/v1/consent/tok/approve"),
            (Method::POST, "/api/v1/consent/tok/deny"),
        ] {
            assert_eq!(bucket(m, p), Some(Bucket::Consent), "{p}");
        }
        // The dodges of the trust-boundaries issue land in no bucket at all: they are refused.
        assert_eq!(
            bucket(Method::POST, "/api/v1/transactions/%2e%2e/transactions"),
            None
        );
        assert_eq!(bucket(Method::POST, "/api/v1/transactions/"), None);
        assert_eq!(bucket(Method::POST, "/api/v1//transactions"), None);
        assert_eq!(bucket(Method::POST, "/api/v1/transactions;x"), None);
    }

    #[test]
    fn every_bucket_has_a_per_ip_limit() {
        assert_eq!(Bucket::Token.per_ip(), Bucket::Token);
        assert_eq!(Bucket::Transactions.per_ip(), Bucket::Default);
        assert_eq!(Bucket::Default.per_ip(), Bucket::Default);
        assert_eq!(Bucket::Consent.per_ip(), Bucket::Consent);
    }

    #[test]
    fn window_math() {
        assert_eq!(
            decide(1, 10, 120),
            Decision {
                allowed: true,
                remaining: 9,
                retry_after: 60
            }
        );
        assert_eq!(
            decide(10, 10, 150),
            Decision {
                allowed: true,
                remaining: 0,
                retry_after: 30
            }
        );
        assert_eq!(
            decide(11, 10, 179),
            Decision {
                allowed: false,
                remaining: 0,
                retry_after: 1
            }
        );
    }
}
