use std::path::PathBuf;

use base64::Engine;
use idaas_config::Settings;
use idaas_crypto::{keys::EcKeyPair, secret::Secret};
use rand::RngCore;

use crate::{kafka_brokers, postgres_server_url, redis_url};

/// Fresh platform keys, PKCS#8 PEM, as `make up` would generate them.
pub struct TestKeys {
    pub token_signing_key: String,
    pub request_encryption_key: String,
    pub at_rest_key: String,
    /// Each backend service's own credential key: (settings name, private PEM, public PEM).
    pub service_keys: Vec<(String, String, String)>,
}

/// The services that sign calls to internal routes, by settings name.
pub const SERVICE_KEY_NAMES: [&str; 5] = [
    "identity",
    "transaction",
    "ledger",
    "webhook_dispatcher",
    "settlement",
];

impl TestKeys {
    pub fn generate() -> Self {
        let pem = |k: EcKeyPair| k.to_pkcs8_pem().expect("pem").expose().clone();
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        Self {
            token_signing_key: pem(EcKeyPair::generate()),
            request_encryption_key: pem(EcKeyPair::generate()),
            at_rest_key: base64::engine::general_purpose::STANDARD.encode(raw),
            service_keys: SERVICE_KEY_NAMES
                .iter()
                .map(|name| {
                    let k = EcKeyPair::generate();
                    let public = k.public_key_pem().expect("public pem");
                    ((*name).to_owned(), pem(k), public)
                })
                .collect(),
        }
    }

    /// The same keys as `IDAAS__...` environment variables, for services run as processes.
    pub fn service_auth_env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        for (name, private, public) in &self.service_keys {
            let upper = name.to_uppercase();
            env.push((
                format!("IDAAS__SERVICE_AUTH__SIGNING_KEYS__{upper}"),
                private.clone(),
            ));
            env.push((
                format!("IDAAS__SERVICE_AUTH__PUBLIC_KEYS__{upper}"),
                public.clone(),
            ));
        }
        env
    }

    /// Puts the service keys into `settings` (every service knows every public key).
    pub fn apply_service_auth(&self, settings: &mut Settings) {
        for (name, private, public) in &self.service_keys {
            settings
                .service_auth
                .signing_keys
                .insert(name.clone(), Secret::new(private.clone()));
            settings
                .service_auth
                .public_keys
                .insert(name.clone(), public.clone());
        }
    }
}

fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

/// Settings for running `service` in a test: the repo's config, then the test's own database,
/// topic prefix, keys and port 0.
pub fn test_settings(
    service: &str,
    database: &str,
    topic_prefix: &str,
    keys: &TestKeys,
) -> Settings {
    let mut s =
        idaas_config::load_from(&config_dir(), "local", service).expect("load test settings");
    s.database.url = Secret::new(postgres_server_url());
    s.database.pool_size = 5;
    s.redis.url = Secret::new(redis_url());
    s.kafka.brokers = kafka_brokers();
    s.kafka.topic_prefix = topic_prefix.to_owned();
    s.kafka.partitions = 1;
    s.kafka.outbox_poll_ms = 50;
    s.keys.token_signing_key = Secret::new(keys.token_signing_key.clone());
    s.keys.request_encryption_key = Secret::new(keys.request_encryption_key.clone());
    s.keys.at_rest_key = Secret::new(keys.at_rest_key.clone());
    keys.apply_service_auth(&mut s);
    s.telemetry.log_format = idaas_config::LogFormat::Pretty;
    if let Some(svc) = s.services.get_mut(service) {
        svc.port = 0;
        svc.admin_port = 0;
        svc.database = database.to_owned();
    }
    s
}
