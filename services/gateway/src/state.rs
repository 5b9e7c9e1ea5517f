use std::{collections::HashMap, sync::Arc, time::Duration};

use idaas_auth::{Authenticator, Revocations, TokenVerifier};
use idaas_config::Settings;
use idaas_crypto::keys::EcKeyPair;
use idaas_service::{retry, StartupError};

use crate::{rate_limit::RateLimiter, routing::Backend};

pub struct GatewayState {
    pub settings: Settings,
    pub http: reqwest::Client,
    pub authenticator: Authenticator,
    pub limiter: RateLimiter,
    /// The current platform request key first, then the previous one during a rotation.
    request_keys: Vec<EcKeyPair>,
    pub health: idaas_web::HealthCache,
    backends: HashMap<&'static str, String>,
}

impl GatewayState {
    pub async fn from_settings(settings: Settings) -> Result<Self, StartupError> {
        let pem = settings.keys.request_encryption_key.expose();
        if pem.trim().is_empty() {
            return Err(StartupError::Keys(
                "keys.request_encryption_key is not set (make up writes config/local.secrets.toml; \
                 elsewhere set IDAAS__KEYS__REQUEST_ENCRYPTION_KEY)"
                    .into(),
            ));
        }
        let mut request_keys = vec![EcKeyPair::from_pkcs8_pem(pem)
            .map_err(|e| StartupError::Keys(format!("keys.request_encryption_key: {e}")))?];
        let previous = settings.keys.previous_request_encryption_key.expose();
        if !previous.trim().is_empty() {
            request_keys.push(EcKeyPair::from_pkcs8_pem(previous).map_err(|e| {
                StartupError::Keys(format!("keys.previous_request_encryption_key: {e}"))
            })?);
        }
        let mut backends = HashMap::new();
        for b in Backend::ALL {
            let url = settings
                .service(b.name())
                .map(|s| s.url.trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    StartupError::Other(format!("services.{}.url is not set", b.name()))
                })?;
            backends.insert(b.name(), url);
        }
        let redis_url = settings.redis.url.expose().clone();
        let redis_timeout = Duration::from_millis(settings.redis.timeout_ms);
        let revocations = retry("redis", 30, || {
            Revocations::connect_with(&redis_url, redis_timeout)
        })
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
        let limits = settings.rate_limits.clone();
        let limiter = retry("redis", 30, || {
            RateLimiter::connect(&redis_url, redis_timeout, limits.clone())
        })
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
        let verifier = Arc::new(
            TokenVerifier::from_jwks_url(&settings.auth.issuer, &settings.auth.jwks_url)
                .map_err(|e| StartupError::Other(e.to_string()))?,
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.http.backend_timeout_ms))
            // Backend URLs are built from validated segments; never follow a redirect elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| StartupError::Other(e.to_string()))?;
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
        // Every backend's URL was checked at start-up (from_settings fails without one).
        self.backends
            .get(backend.name())
            .map(String::as_str)
            .unwrap_or("http://backend-url-missing.invalid")
    }

    pub fn request_keys(&self) -> Vec<&p256::SecretKey> {
        self.request_keys
            .iter()
            .map(EcKeyPair::secret_key)
            .collect()
    }
}
