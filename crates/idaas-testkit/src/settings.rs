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
}

impl TestKeys {
    pub fn generate() -> Self {
        let pem = |k: EcKeyPair| k.to_pkcs8_pem().expect("pem").expose().clone();
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        Self {
            token_signing_key: pem(EcKeyPair::generate()),
            request_encryption_key: pem(EcKeyPair::generate()),
            at_rest_key: base64::engine::general_purpose::STANDARD.encode(raw),
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
    s.telemetry.log_format = "pretty".into();
    if let Some(svc) = s.services.get_mut(service) {
        svc.port = 0;
        svc.database = database.to_owned();
    }
    s
}
