use std::time::Duration;

use idaas_auth::{Authenticator, Revocations};
use idaas_config::Settings;
use idaas_crypto::keys::EcKeyPair;
use idaas_service::{jwks_verifier, pem_key, retry, service_url, StartupError};

use crate::{domain::routing::Backend, store::rate_limits::RateLimiter};

pub struct GatewayState {
    pub settings: Settings,
    pub http: reqwest::Client,
    pub authenticator: Authenticator,
    pub limiter: RateLimiter,
    /// The current platform request key first, then the previous one during a rotation.
    request_keys: Vec<EcKeyPair>,
    pub health: idaas_web::HealthCache,
    backends: BackendUrls,
}

/// Every backend's base URL, required at start-up.
struct BackendUrls {
    identity: String,
    transaction: String,
    ledger: String,
    webhook_dispatcher: String,
    settlement: String,
}

impl GatewayState {
    pub async fn from_settings(settings: Settings) -> Result<Self, StartupError> {
        let mut request_keys = vec![pem_key(
            "request_encryption_key",
            settings.keys.request_encryption_key.expose(),
        )?];
        let previous = settings.keys.previous_request_encryption_key.expose();
        if !previous.trim().is_empty() {
            request_keys.push(pem_key("previous_request_encryption_key", previous)?);
        }
        let backends = BackendUrls {
            identity: service_url(&settings, Backend::Identity.name())?,
            transaction: service_url(&settings, Backend::Transaction.name())?,
            ledger: service_url(&settings, Backend::Ledger.name())?,
            webhook_dispatcher: service_url(&settings, Backend::WebhookDispatcher.name())?,
            settlement: service_url(&settings, Backend::Settlement.name())?,
        };
        let redis_url = settings.redis.url.expose().clone();
        let redis_timeout = Duration::from_millis(settings.redis.timeout_ms);
        let revocations = retry("redis", 30, || {
            Revocations::connect_with(&redis_url, redis_timeout)
        })
        .await
        .map_err(|e| StartupError::dependency("redis", e))?;
        let limits = settings.rate_limits.clone();
        let limiter = retry("redis", 30, || {
            RateLimiter::connect(&redis_url, redis_timeout, limits.clone())
        })
        .await
        .map_err(|e| StartupError::dependency("redis", e))?;
        let verifier = jwks_verifier(&settings)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.http.backend_timeout_ms))
            // Backend URLs are built from validated segments; never follow a redirect elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| StartupError::build("the backend HTTP client", e))?;
        Ok(Self {
            authenticator: Authenticator::new(verifier, revocations),
            settings,
            http,
            limiter,
            request_keys,
            health: idaas_web::HealthCache::new(),
            backends,
        })
    }

    pub fn backend_url(&self, backend: Backend) -> &str {
        let b = &self.backends;
        match backend {
            Backend::Identity => &b.identity,
            Backend::Transaction => &b.transaction,
            Backend::Ledger => &b.ledger,
            Backend::WebhookDispatcher => &b.webhook_dispatcher,
            Backend::Settlement => &b.settlement,
        }
    }

    pub fn request_keys(&self) -> Vec<&p256::SecretKey> {
        self.request_keys
            .iter()
            .map(EcKeyPair::secret_key)
            .collect()
    }
}
