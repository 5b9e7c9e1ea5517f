use std::collections::HashMap;

use idaas_crypto::secret::Secret;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub kafka: KafkaSettings,
    pub auth: AuthSettings,
    pub keys: KeySettings,
    pub telemetry: TelemetrySettings,
    pub http: HttpSettings,
    pub services: HashMap<String, ServiceSettings>,
    pub rate_limits: RateLimitSettings,
    #[serde(default)]
    pub transactions: TransactionSettings,
}

/// Payment lifecycle timing (transaction service).
#[derive(Debug, Clone, Deserialize)]
pub struct TransactionSettings {
    /// How long the receiver has to accept or reject.
    pub expiry_seconds: i64,
    /// How often the expiry job looks for overdue transactions.
    pub expiry_job_seconds: u64,
    /// How often the recovery worker finishes accepts left half-done by a crash or outage.
    pub recovery_seconds: u64,
    /// An ACCEPTING transaction older than this is presumed abandoned by its request.
    pub recovery_after_seconds: i64,
}

impl Default for TransactionSettings {
    fn default() -> Self {
        Self {
            expiry_seconds: 24 * 3600,
            expiry_job_seconds: 300,
            recovery_seconds: 10,
            recovery_after_seconds: 15,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// Server URL without a database name (may carry user and password).
    pub url: Secret<String>,
    pub pool_size: usize,
}

impl DatabaseSettings {
    /// The URL of one database on the configured server, keeping any query string.
    pub fn url_for(&self, database: &str) -> Secret<String> {
        let raw = self.url.expose().trim_end_matches('/');
        let (base, query) = match raw.split_once('?') {
            Some((b, q)) => (b.trim_end_matches('/'), format!("?{q}")),
            None => (raw, String::new()),
        };
        Secret::new(format!("{base}/{database}{query}"))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct RedisSettings {
    pub url: Secret<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KafkaSettings {
    pub brokers: String,
    pub topic_prefix: String,
    pub linger_ms: u64,
    pub partitions: i32,
    pub replication_factor: i32,
    pub outbox_poll_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub issuer: String,
    pub token_ttl_seconds: i64,
    pub jwks_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeySettings {
    pub token_signing_key: Secret<String>,
    pub request_encryption_key: Secret<String>,
    pub at_rest_key: Secret<String>,
    pub at_rest_key_id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TelemetrySettings {
    pub log_format: String,
    pub log_level: String,
    pub otlp_endpoint: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    pub max_body_bytes: usize,
    /// Behind an ingress the TCP peer is the proxy: take the client address from
    /// `X-Forwarded-For`/`Forwarded` only when this is set (never on a directly exposed port).
    #[serde(default)]
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceSettings {
    pub port: u16,
    #[serde(default)]
    pub database: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub token_per_minute: u32,
    pub transactions_per_minute: u32,
    pub default_per_minute: u32,
}

impl Settings {
    pub fn service(&self, name: &str) -> Option<&ServiceSettings> {
        self.services.get(name)
    }

    /// Start-up checks, so a misconfiguration fails fast with a message instead of mid-request.
    pub fn validate(&self, service: &str) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if self.service(service).is_none() {
            errors.push(format!("services.{service} is missing"));
        }
        if self.auth.token_ttl_seconds <= 0 {
            errors.push("auth.token_ttl_seconds must be positive".into());
        }
        if self.kafka.brokers.trim().is_empty() {
            errors.push("kafka.brokers is empty".into());
        }
        if self.http.max_body_bytes == 0 {
            errors.push("http.max_body_bytes must be positive".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
