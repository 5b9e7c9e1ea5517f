use idaas_auth::TokenIssuer;
use idaas_config::Settings;
use idaas_crypto::{at_rest::AtRestCipher, keys::EcKeyPair, secret_hash};
use idaas_service::StartupError;

use crate::cache::TagCache;

/// What identity needs beyond the shared infrastructure: its keys and its cache.
pub struct IdentityState {
    pub issuer: TokenIssuer,
    signing_public: p256::PublicKey,
    pub request_key_public: p256::PublicKey,
    pub cipher: AtRestCipher,
    pub cache: TagCache,
    /// Compared against when a client id is unknown, so a miss costs what a hit costs.
    pub dummy_secret_hash: String,
}

fn pem_key(name: &str, pem: &str) -> Result<EcKeyPair, StartupError> {
    if pem.trim().is_empty() {
        return Err(StartupError::Keys(format!(
            "keys.{name} is not set (make up writes config/local.secrets.toml; \
             elsewhere set IDAAS__KEYS__{})",
            name.to_uppercase()
        )));
    }
    EcKeyPair::from_pkcs8_pem(pem).map_err(|e| StartupError::Keys(format!("keys.{name}: {e}")))
}

impl IdentityState {
    pub async fn from_settings(settings: &Settings) -> Result<Self, StartupError> {
        let keys = &settings.keys;
        let signing = pem_key("token_signing_key", keys.token_signing_key.expose())?;
        let request = pem_key(
            "request_encryption_key",
            keys.request_encryption_key.expose(),
        )?;
        let issuer = TokenIssuer::new(
            &signing,
            &settings.auth.issuer,
            settings.auth.token_ttl_seconds,
        )
        .map_err(|e| StartupError::Keys(e.to_string()))?;
        let cipher = AtRestCipher::from_base64(&keys.at_rest_key_id, keys.at_rest_key.expose())
            .map_err(|e| StartupError::Keys(format!("keys.at_rest_key: {e}")))?;
        let cache = idaas_service::retry("redis", 30, || {
            TagCache::connect(settings.redis.url.expose())
        })
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
        let dummy = secret_hash::generate_secret();
        Ok(Self {
            issuer,
            signing_public: signing.public_key(),
            request_key_public: request.public_key(),
            cipher,
            cache,
            dummy_secret_hash: secret_hash::hash_secret(dummy.expose()),
        })
    }

    pub fn signing_public_keys(&self) -> Vec<p256::PublicKey> {
        vec![self.signing_public]
    }
}
