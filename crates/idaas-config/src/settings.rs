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
    #[serde(default)]
    pub service_auth: ServiceAuthSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
    #[serde(default)]
    pub settlement: SettlementSettings,
    #[serde(default)]
    pub claims: ClaimSettings,
    #[serde(default)]
    pub ledger: LedgerSettings,
    #[serde(default)]
    pub smtp: SmtpSettings,
    /// The profile the settings were loaded for (`local`, `production`, ...).
    #[serde(default)]
    pub profile: String,
}

/// Service-to-service credentials on internal routes (see `idaas_auth::ServiceVerifier`).
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceAuthSettings {
    /// Each service's own signing key (PKCS#8 PEM, P-256), by service name with `_` for `-`.
    /// In Kubernetes each service's Secret holds only its own.
    #[serde(default)]
    pub signing_keys: HashMap<String, Secret<String>>,
    /// Public keys (PEM; several may be listed during a rotation), by service name.
    #[serde(default)]
    pub public_keys: HashMap<String, String>,
    /// Who may call which internal route.
    #[serde(default)]
    pub routes: Vec<InternalRouteSettings>,
    #[serde(default = "default_credential_ttl_seconds")]
    pub credential_ttl_seconds: i64,
}

impl Default for ServiceAuthSettings {
    fn default() -> Self {
        Self {
            signing_keys: HashMap::new(),
            public_keys: HashMap::new(),
            routes: Vec::new(),
            credential_ttl_seconds: default_credential_ttl_seconds(),
        }
    }
}

fn default_credential_ttl_seconds() -> i64 {
    30
}

#[derive(Debug, Clone, Deserialize)]
pub struct InternalRouteSettings {
    /// The service that serves the route.
    pub service: String,
    pub method: String,
    pub path: String,
    /// The services allowed to call it.
    pub callers: Vec<String>,
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

/// How the webhook dispatcher delivers (section 9: three attempts, after 1 s and 2 s).
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// The delay before each attempt, the first included: its length is the number of attempts.
    pub attempt_delays_ms: Vec<u64>,
    /// Each delay is moved by up to this share of itself, at random, so retries of many
    /// deliveries do not arrive together.
    pub jitter_ratio: f64,
    /// A receiver's `Retry-After` on 429/503 is honoured up to this long.
    pub retry_after_max_ms: u64,
    /// One attempt's whole HTTP exchange.
    pub attempt_timeout_ms: u64,
    /// Attempts in flight at once per dispatcher.
    pub concurrency: usize,
    /// Of those, at most this many for one application: a hanging or slow receiver holds
    /// only these, never every slot.
    #[serde(default = "default_per_application_concurrency")]
    pub per_application_concurrency: usize,
}

fn default_fetch_wait_max_ms() -> u64 {
    500
}

fn default_per_application_concurrency() -> usize {
    8
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            attempt_delays_ms: vec![0, 1_000, 2_000],
            jitter_ratio: 0.1,
            retry_after_max_ms: 60_000,
            attempt_timeout_ms: 10_000,
            concurrency: 64,
            per_application_concurrency: default_per_application_concurrency(),
        }
    }
}

/// The ledger's group commit.
#[derive(Debug, Clone, Deserialize)]
pub struct LedgerSettings {
    /// Batches applied at once (each on its own connection). Batches of one hot wallet pair
    /// queue on its locks; more workers serve many wallets in parallel.
    pub batch_workers: usize,
    /// Postings per batch at most. A worker takes what has queued, never waits for more.
    pub batch_max: usize,
}

impl Default for LedgerSettings {
    fn default() -> Self {
        Self {
            batch_workers: 1,
            batch_max: 64,
        }
    }
}

/// Cross-application claims and their consent (section 18).
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimSettings {
    /// How long a consent token can be used (the guide: 48 hours).
    pub consent_ttl_seconds: i64,
    /// How long an attestation JWT is valid; revocation is learnt before that from
    /// `GET /v1/claims/{id}` or the `CLAIM_REVOKED` webhook.
    pub attestation_ttl_seconds: i64,
    /// The public base the consent URL is built on (the gateway's `/api`), as tag owners
    /// reach it.
    pub consent_base_url: String,
    /// How often the mailer looks for consent mail to send.
    pub mail_poll_ms: u64,
    /// Attempts at a consent mail before it is given up (the claim stands; the requesting
    /// application still has the URL).
    pub mail_attempts: i32,
}

impl Default for ClaimSettings {
    fn default() -> Self {
        Self {
            consent_ttl_seconds: 48 * 3600,
            attestation_ttl_seconds: 30 * 24 * 3600,
            consent_base_url: "http://127.0.0.1:8080/api".into(),
            mail_poll_ms: 1_000,
            mail_attempts: 5,
        }
    }
}

/// Outgoing mail (consent notifications). No URL: no mail is sent.
#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plain, for a local sink), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`. A secret: it may carry credentials.
    pub url: Secret<String>,
    /// The sender of consent mail.
    pub from: String,
    /// One SMTP exchange, connect to QUIT.
    pub timeout_ms: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            url: Secret::default(),
            from: "IDaaS <no-reply@idaas.local>".into(),
            timeout_ms: 10_000,
        }
    }
}

/// The end-of-day settlement (section 13).
#[derive(Debug, Clone, Deserialize)]
pub struct SettlementSettings {
    /// The UTC time of day (`HH:MM`) a settlement day ends: day D is the 24 hours ending at D's
    /// cut-off. The guide's job runs at 23:59.
    pub cutoff: String,
    /// The job runs this long after the cut-off, so a posting committing at the cut-off is in
    /// the ledger before the day is read.
    pub grace_seconds: i64,
    /// How often each replica looks for a day to settle.
    pub poll_seconds: u64,
    /// A FAILED batch is tried again after this long.
    pub retry_seconds: i64,
    /// ...or after this long when it failed only because the ledger could not be asked (a
    /// restart, a deployment): nothing disagreed, so there is no reason to wait minutes.
    pub unavailable_retry_seconds: i64,
    /// How many closed days back the job looks for an unsettled one.
    pub lookback_days: i64,
    /// The batch `GET /v1/settlement/date/{date}` and the run answer without `?currency=`;
    /// a day always has one, even with nothing to settle.
    pub default_currency: String,
}

impl Default for SettlementSettings {
    fn default() -> Self {
        Self {
            cutoff: "23:59".into(),
            grace_seconds: 60,
            poll_seconds: 30,
            retry_seconds: 300,
            unavailable_retry_seconds: 15,
            lookback_days: 7,
            default_currency: "NGN".into(),
        }
    }
}

impl SettlementSettings {
    /// `(hour, minute)` of the cut-off, if it is a valid `HH:MM`.
    pub fn cutoff_hm(&self) -> Option<(u32, u32)> {
        let (h, m) = self.cutoff.split_once(':')?;
        let (h, m) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && self.cutoff.len() == 5).then_some((h, m))
    }
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
    /// Set on every session: no statement runs longer, no lock is awaited longer.
    #[serde(default = "default_statement_timeout_ms")]
    pub statement_timeout_ms: u64,
    #[serde(default = "default_lock_timeout_ms")]
    pub lock_timeout_ms: u64,
    /// How long a request waits for a free connection before it is answered 503.
    #[serde(default = "default_pool_wait_ms")]
    pub pool_wait_ms: u64,
}

fn default_pool_wait_ms() -> u64 {
    2_000
}

fn default_statement_timeout_ms() -> u64 {
    2_000
}

fn default_lock_timeout_ms() -> u64 {
    1_000
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
    /// Connect and response timeout of every Redis call: a stalled Redis must not hold a
    /// request (limits then fail open, revocation fails closed).
    #[serde(default = "default_redis_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_redis_timeout_ms() -> u64 {
    250
}

#[derive(Debug, Clone, Deserialize)]
pub struct KafkaSettings {
    pub brokers: String,
    pub topic_prefix: String,
    pub linger_ms: u64,
    /// How long the broker may hold a consumer's fetch when there is nothing to read.
    #[serde(default = "default_fetch_wait_max_ms")]
    pub fetch_wait_max_ms: u64,
    pub partitions: i32,
    pub replication_factor: i32,
    pub outbox_poll_ms: u64,
    /// Services create missing topics at start-up (local: tansu has none until asked). Off
    /// elsewhere: the topics are declared resources (Strimzi KafkaTopic) with their partitions,
    /// replication and retention, and a service only checks they exist.
    #[serde(default)]
    pub create_topics: bool,
    /// librdkafka's `security.protocol`: `plaintext`, `ssl`, `sasl_plaintext` or `sasl_ssl`.
    #[serde(default = "default_security_protocol")]
    pub security_protocol: String,
    /// `sasl.mechanism` when the protocol is `sasl_*`: `PLAIN`, `SCRAM-SHA-256` or
    /// `SCRAM-SHA-512`.
    #[serde(default)]
    pub sasl_mechanism: String,
    #[serde(default)]
    pub sasl_username: String,
    #[serde(default)]
    pub sasl_password: Secret<String>,
    /// PEM file of the CA that signed the brokers' certificates (`ssl.ca.location`); empty:
    /// the system's trust store.
    #[serde(default)]
    pub ssl_ca_location: String,
}

fn default_security_protocol() -> String {
    "plaintext".into()
}

/// What librdkafka accepts for `security.protocol` and `sasl.mechanism` (GSSAPI and
/// OAUTHBEARER need more than a user name and password, so they are not offered).
const SECURITY_PROTOCOLS: &[&str] = &["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"];
const SASL_MECHANISMS: &[&str] = &["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

impl KafkaSettings {
    fn problems(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let protocol = self.security_protocol.to_ascii_lowercase();
        if !SECURITY_PROTOCOLS.contains(&protocol.as_str()) {
            errors.push(format!(
                "kafka.security_protocol must be one of {}",
                SECURITY_PROTOCOLS.join(", ")
            ));
        }
        let sasl = protocol.starts_with("sasl_");
        if sasl {
            if !SASL_MECHANISMS.contains(&self.sasl_mechanism.as_str()) {
                errors.push(format!(
                    "kafka.sasl_mechanism must be one of {} with {protocol}",
                    SASL_MECHANISMS.join(", ")
                ));
            }
            if self.sasl_username.is_empty() || self.sasl_password.expose().is_empty() {
                errors.push(format!(
                    "kafka.sasl_username and kafka.sasl_password are required with {protocol}"
                ));
            }
        } else if !self.sasl_mechanism.is_empty() || !self.sasl_username.is_empty() {
            errors.push(format!(
                "kafka.sasl_* is set but kafka.security_protocol is {protocol}: the credentials would not be used"
            ));
        }
        errors
    }
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
    /// The key signing tokens before the last rotation: still published in the JWKS so no
    /// outstanding token breaks. Empty when there is none.
    #[serde(default)]
    pub previous_token_signing_key: Secret<String>,
    pub request_encryption_key: Secret<String>,
    /// The public half of `request_encryption_key` (SPKI PEM), which identity publishes at
    /// `/v1/keys/idaas`; with it set, identity needs no private request key at all (only the
    /// gateway decrypts). Empty: derived from `request_encryption_key`.
    #[serde(default)]
    pub request_encryption_public_key: String,
    /// The platform request key before the last rotation: JWE bodies to it still decrypt
    /// during the overlap. Empty when there is none.
    #[serde(default)]
    pub previous_request_encryption_key: Secret<String>,
    pub at_rest_key: Secret<String>,
    pub at_rest_key_id: String,
    /// Older at-rest keys by key id (base64 of 32 bytes): stored values name their key, so
    /// rows sealed before a rotation still open.
    #[serde(default)]
    pub at_rest_previous_keys: HashMap<String, Secret<String>>,
}

/// How log lines are written: JSON for collectors, pretty for a developer's terminal. Any
/// other value stops the service at start-up, naming `telemetry.log_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "json" => Ok(LogFormat::Json),
            "pretty" => Ok(LogFormat::Pretty),
            // The config crate's own message would not say which setting was wrong.
            other => Err(serde::de::Error::custom(format!(
                "telemetry.log_format must be \"json\" or \"pretty\", not {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct TelemetrySettings {
    pub log_format: LogFormat,
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
    /// The gateway's wait for a backend. Longer than anything a backend may take itself
    /// (database timeouts plus its own internal calls), so a client never sees 503 for work
    /// that then completes.
    #[serde(default = "default_backend_timeout_ms")]
    pub backend_timeout_ms: u64,
    /// A service's wait for another service's internal route.
    #[serde(default = "default_internal_timeout_ms")]
    pub internal_timeout_ms: u64,
}

fn default_backend_timeout_ms() -> u64 {
    45_000
}

fn default_internal_timeout_ms() -> u64 {
    5_000
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceSettings {
    pub port: u16,
    /// This service's connection pool, instead of `database.pool_size`: replicas × pool size
    /// summed over the services must stay under the server's `max_connections`.
    #[serde(default)]
    pub pool_size: Option<usize>,
    /// `/actuator/prometheus` is served here only, never on `port`: metrics stay off the
    /// public path whatever the ingress does. 0 picks a free port (tests).
    #[serde(default)]
    pub admin_port: u16,
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
    /// `GET/POST /v1/consent/...`, per client IP: public pages holding single-use tokens.
    #[serde(default = "default_consent_per_minute")]
    pub consent_per_minute: u32,
}

fn default_consent_per_minute() -> u32 {
    30
}

impl Settings {
    pub fn service(&self, name: &str) -> Option<&ServiceSettings> {
        self.services.get(name)
    }

    /// The longest a request may take inside a service before it answers on its own. The
    /// heaviest flows are an initiation (two identity calls between two database phases) and
    /// an accept (a ledger call between two database phases); a phase waits for a pool
    /// connection and runs at most five statements. The gateway must wait longer than this, so
    /// a client never gets a 503 for work that then completes.
    pub fn backend_worst_case_ms(&self) -> u64 {
        2 * self.database.pool_wait_ms
            + 10 * self.database.statement_timeout_ms
            + 2 * self.http.internal_timeout_ms
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
        errors.extend(self.kafka.problems());
        if self.http.max_body_bytes == 0 {
            errors.push("http.max_body_bytes must be positive".into());
        }
        let backend_worst = self.backend_worst_case_ms();
        if self.http.backend_timeout_ms <= backend_worst {
            errors.push(format!(
                "http.backend_timeout_ms ({}) must exceed the slowest request a service may \
                 legitimately take ({backend_worst} ms: 2 pool waits, 10 statements, 2 internal calls)",
                self.http.backend_timeout_ms
            ));
        }
        if !(1..=60).contains(&self.service_auth.credential_ttl_seconds) {
            errors.push("service_auth.credential_ttl_seconds must be between 1 and 60".into());
        }
        if self.webhooks.attempt_delays_ms.is_empty() {
            errors.push("webhooks.attempt_delays_ms must list at least one attempt".into());
        }
        if !(0.0..=1.0).contains(&self.webhooks.jitter_ratio) {
            errors.push("webhooks.jitter_ratio must be between 0 and 1".into());
        }
        if self.webhooks.concurrency == 0 || self.webhooks.attempt_timeout_ms == 0 {
            errors.push(
                "webhooks.concurrency and webhooks.attempt_timeout_ms must be positive".into(),
            );
        }
        if !(1..=self.webhooks.concurrency).contains(&self.webhooks.per_application_concurrency) {
            errors.push(
                "webhooks.per_application_concurrency must be between 1 and webhooks.concurrency"
                    .into(),
            );
        }
        if self.settlement.cutoff_hm().is_none() {
            errors.push("settlement.cutoff must be a UTC time of day, HH:MM".into());
        }
        if self.settlement.grace_seconds < 0
            || self.settlement.retry_seconds <= 0
            || self.settlement.unavailable_retry_seconds <= 0
            || self.settlement.poll_seconds == 0
            || !(1..=366).contains(&self.settlement.lookback_days)
        {
            errors.push(
                "settlement: grace_seconds ≥ 0, retry_seconds, unavailable_retry_seconds and poll_seconds > 0, lookback_days 1..366"
                    .into(),
            );
        }
        if self.redis.timeout_ms == 0 || self.redis.timeout_ms > 250 {
            errors.push("redis.timeout_ms must be between 1 and 250".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    fn kafka() -> super::KafkaSettings {
        crate::load_from(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
            "local",
            "ledger",
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .kafka
    }

    #[test]
    fn kafka_security_settings_must_be_complete_and_used() {
        assert!(kafka().problems().is_empty());

        let mut k = kafka();
        k.security_protocol = "sasl_ssl".into();
        let problems = k.problems().join("; ");
        assert!(problems.contains("sasl_mechanism"), "{problems}");
        assert!(problems.contains("sasl_password"), "{problems}");

        k.sasl_mechanism = "SCRAM-SHA-512".into();
        k.sasl_username = "idaas".into();
        k.sasl_password = "pw".to_owned().into();
        assert!(k.problems().is_empty(), "{:?}", k.problems());

        k.sasl_mechanism = "GSSAPI".into();
        assert_eq!(k.problems().len(), 1);

        // Credentials with a protocol that would ignore them are a mistake, said at start-up.
        let mut plain = kafka();
        plain.sasl_username = "idaas".into();
        assert_eq!(plain.problems().len(), 1);

        let mut wrong = kafka();
        wrong.security_protocol = "tls".into();
        assert!(wrong.problems()[0].contains("security_protocol"));
    }
}
