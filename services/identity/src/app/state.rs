use std::sync::Arc;

use idaas_auth::TokenIssuer;
use idaas_config::{ClaimSettings, Settings};
use idaas_crypto::{at_rest::AtRestCipher, secret::Secret, secret_hash};
use idaas_service::{pem_key, Clock, StartupError};
use p256::pkcs8::DecodePublicKey;
use tokio::sync::Notify;

use crate::{notify::mailer::Mailer, store::tag_cache::TagCache};

/// What identity needs beyond the shared infrastructure: its keys and its cache.
pub struct IdentityState {
    pub issuer: TokenIssuer,
    /// The current token key first, then the previous one: both verify during a rotation.
    signing_public: Vec<p256::PublicKey>,
    pub request_key_public: p256::PublicKey,
    pub cipher: AtRestCipher,
    pub cache: TagCache,
    /// Compared against when a client id is unknown, so a miss costs what a hit costs.
    pub dummy_secret_hash: String,
    /// The time claims and consent run on (injectable, so tests move past an expiry).
    pub clock: Arc<dyn Clock>,
    pub claims: ClaimSettings,
    /// `None` when no SMTP URL is configured: no consent mail is queued.
    pub mailer: Option<Mailer>,
    /// Wakes the consent mailer when a claim has queued a mail.
    pub mail_wake: Arc<Notify>,
}

/// The at-rest key ring: the active key seals, every listed key opens what names it.
fn at_rest_cipher(keys: &idaas_config::KeySettings) -> Result<AtRestCipher, StartupError> {
    use base64::Engine;
    let decode = |id: &str, b64: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map(Secret::new)
            .map_err(|_| {
                StartupError::setting(format!("keys.at_rest_keys.{id}"), "is not valid base64")
            })
    };
    let mut ring = vec![(
        keys.at_rest_key_id.clone(),
        decode(&keys.at_rest_key_id, keys.at_rest_key.expose())?,
    )];
    for (id, key) in &keys.at_rest_previous_keys {
        if *id != keys.at_rest_key_id {
            ring.push((id.clone(), decode(id, key.expose())?));
        }
    }
    AtRestCipher::new(&keys.at_rest_key_id, ring)
        .map_err(|e| StartupError::key("keys.at_rest_key", e))
}

impl IdentityState {
    pub async fn from_settings(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let keys = &settings.keys;
        let signing = pem_key("token_signing_key", keys.token_signing_key.expose())?;
        let mut signing_public = vec![signing.public_key()];
        let previous = keys.previous_token_signing_key.expose();
        if !previous.trim().is_empty() {
            // Only its public half is needed: a public PEM is enough (and keeps the old private
            // key out of the Secret); a private PEM is accepted too.
            let key = match p256::PublicKey::from_public_key_pem(previous.trim()) {
                Ok(public) => public,
                Err(_) => pem_key("previous_token_signing_key", previous)?.public_key(),
            };
            signing_public.push(key);
        }
        let request_key_public = if keys.request_encryption_public_key.trim().is_empty() {
            pem_key(
                "request_encryption_key",
                keys.request_encryption_key.expose(),
            )?
            .public_key()
        } else {
            p256::PublicKey::from_public_key_pem(keys.request_encryption_public_key.trim())
                .map_err(|e| StartupError::key("keys.request_encryption_public_key", e))?
        };
        let issuer = TokenIssuer::new(
            &signing,
            &settings.auth.issuer,
            settings.auth.token_ttl_seconds,
        )
        .map_err(|e| StartupError::key("keys.token_signing_key", e))?;
        let cipher = at_rest_cipher(keys)?;
        let timeout = std::time::Duration::from_millis(settings.redis.timeout_ms);
        let cache = idaas_service::retry("redis", 30, || {
            TagCache::connect(settings.redis.url.expose(), timeout)
        })
        .await
        .map_err(|e| StartupError::dependency("redis", e))?;
        let dummy = secret_hash::generate_secret();
        let mailer = Mailer::from_settings(&settings.smtp)?;
        Ok(Self {
            clock,
            claims: settings.claims.clone(),
            mailer,
            mail_wake: Arc::new(Notify::new()),
            issuer,
            signing_public,
            request_key_public,
            cipher,
            cache,
            dummy_secret_hash: secret_hash::hash_secret(dummy.expose()),
        })
    }

    /// Whether claims queue consent mail.
    pub fn mail_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    pub fn signing_public_keys(&self) -> Vec<p256::PublicKey> {
        self.signing_public.clone()
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use idaas_config::KeySettings;
    use idaas_crypto::secret::Secret;

    use super::at_rest_cipher;

    fn b64(byte: u8) -> Secret<String> {
        Secret::new(base64::engine::general_purpose::STANDARD.encode([byte; 32]))
    }

    fn keys(active: &str, key: u8, previous: &[(&str, u8)]) -> KeySettings {
        KeySettings {
            token_signing_key: Secret::default(),
            previous_token_signing_key: Secret::default(),
            request_encryption_key: Secret::default(),
            request_encryption_public_key: String::new(),
            previous_request_encryption_key: Secret::default(),
            at_rest_key: b64(key),
            at_rest_key_id: active.to_owned(),
            at_rest_previous_keys: previous
                .iter()
                .map(|(id, k)| ((*id).to_owned(), b64(*k)))
                .collect(),
        }
    }

    #[test]
    fn the_at_rest_ring_opens_what_older_keys_sealed() {
        let old = at_rest_cipher(&keys("k1", 1, &[])).unwrap_or_else(|e| panic!("{e}"));
        let sealed = old
            .encrypt(b"whsec", b"row-1")
            .unwrap_or_else(|e| panic!("{e}"));
        let rotated =
            at_rest_cipher(&keys("k2", 2, &[("k1", 1)])).unwrap_or_else(|e| panic!("{e}"));
        let opened = rotated
            .decrypt(&sealed, b"row-1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened.expose().as_slice(), b"whsec");
        // New values are sealed with the active key: the old ring alone cannot open them.
        let fresh = rotated
            .encrypt(b"whsec2", b"row-2")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(old.decrypt(&fresh, b"row-2").is_err());
        // Without the old key in the ring, old rows no longer open: the ring is what keeps them.
        let forgetful = at_rest_cipher(&keys("k2", 2, &[])).unwrap_or_else(|e| panic!("{e}"));
        assert!(forgetful.decrypt(&sealed, b"row-1").is_err());
    }
}
